"""An incident's handling over the API: reported → acknowledged → under investigation → finding → closed,
every step in the record; every transition out of order refused with a 409 and nothing recorded; drafts,
supervised delivery and retraction."""

from datetime import datetime

import pytest
from sqlalchemy import select

from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.service import tree_size
from tests.incidents.conftest import report, supervised


def act(client, as_, incident_id: str, action: str, party: str = "USA", body: dict | None = None):
    return client.post(f"/api/v1/incidents/{incident_id}/{action}", json=body, headers=as_(party, "liaison"))


FINDING = {"finding": "substantiated", "reasons": "UNDOF observed the exchange of fire."}


def test_the_happy_path_records_every_step_with_its_time(client, db, as_):
    incident = report(client, as_("ISR", "liaison"), actor_party="SYR").json()
    assert (incident["stage"], incident["status"]) == ("reported", "released")
    hours = (datetime.fromisoformat(incident["ack_due_at"]) - datetime.fromisoformat(incident["released_at"])) / 3600
    assert hours.total_seconds() == pytest.approx(12)  # severity 3: twelve hours
    steps = [
        ("acknowledge", "SYR", None, "acknowledged", "acknowledged_at"),
        ("investigate", "USA", None, "under_investigation", "investigation_opened_at"),
        ("finding", "USA", FINDING, "finding", "finding_at"),
        ("close", "USA", None, "closed", "closed_at"),
    ]
    last_index = incident["ledger_index"]
    for version, (action, party, body, stage, stamp) in enumerate(steps, start=2):
        response = act(client, as_, incident["id"], action, party, body)
        assert response.status_code == 200, response.text
        incident = response.json()
        assert incident["stage"] == stage and incident[stamp] is not None and incident["version"] == version
        assert incident["ledger_index"] > last_index
        last_index = incident["ledger_index"]
    assert (incident["finding"], incident["finding_reasons"]) == ("substantiated", FINDING["reasons"])
    assert incident["acknowledged_parties"] == ["SYR"] and incident["handled_by"] == "usa.liaison"
    actions = db.execute(
        select(LedgerEntry.action).where(LedgerEntry.record_id == incident["id"]).order_by(LedgerEntry.index)
    ).scalars()
    assert list(actions) == [
        "incident-reported",
        "incident-acknowledged",
        "incident-investigation-opened",
        "incident-finding",
        "incident-closed",
    ]
    seen_by_syr = client.get(f"/api/v1/incidents/{incident['id']}", headers=as_("SYR", "liaison")).json()
    assert seen_by_syr["finding"] == "substantiated" and seen_by_syr["stage"] == "closed"


def _advance(client, as_, incident_id: str, upto: str) -> None:
    for action, party, body in (
        ("acknowledge", "SYR", None),
        ("investigate", "USA", None),
        ("finding", "USA", FINDING),
    ):
        if action == upto:
            return
        assert act(client, as_, incident_id, action, party, body).status_code == 200


# (stage reached first, the action out of order, who tries it)
OUT_OF_ORDER = [
    ("acknowledge", "investigate", "USA"),  # not acknowledged yet
    ("acknowledge", "finding", "USA"),
    ("acknowledge", "close", "USA"),
    ("investigate", "acknowledge", "SYR"),  # acknowledged already
    ("investigate", "finding", "USA"),
    ("investigate", "close", "USA"),
    ("finding", "investigate", "USA"),  # under investigation already
    ("finding", "close", "USA"),
    ("close", "finding", "USA"),  # a finding stands
    ("close", "investigate", "USA"),
    ("done", "finding", "USA"),  # closed
    ("done", "close", "USA"),
    ("done", "retract", "ISR"),
    ("done", "acknowledge", "SYR"),
]


@pytest.mark.parametrize(("upto", "action", "party"), OUT_OF_ORDER)
def test_transitions_out_of_order_are_conflicts_and_record_nothing(client, db, as_, upto, action, party):
    incident = report(client, as_("ISR", "liaison")).json()
    _advance(client, as_, incident["id"], upto)
    if upto == "done":
        assert act(client, as_, incident["id"], "close").status_code == 200
    size = tree_size(db)
    body = {"finding": FINDING, "retract": {"reason": "mistaken"}}.get(action)
    response = act(client, as_, incident["id"], action, party, body)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "conflict"
    assert tree_size(db) == size


def test_a_retracted_incident_withholds_its_account_and_stops_its_handling(client, db, as_):
    incident = report(client, as_("ISR", "liaison")).json()
    retracted = act(client, as_, incident["id"], "retract", "ISR", {"reason": "wrong grid reference"}).json()
    assert retracted["status"] == "retracted" and retracted["retraction_reason"] == "wrong grid reference"
    seen = client.get(f"/api/v1/incidents/{incident['id']}", headers=as_("SYR", "liaison")).json()
    assert seen["description"] is None and seen["sources"] == [] and seen["status"] == "retracted"
    size = tree_size(db)
    assert act(client, as_, incident["id"], "acknowledge", "SYR").status_code == 409
    assert act(client, as_, incident["id"], "retract", "ISR", {"reason": "again"}).status_code == 409
    assert tree_size(db) == size


def test_a_draft_is_its_partys_alone_until_released(client, as_):
    draft = report(client, as_("ISR", "liaison"), draft=True).json()
    assert draft["status"] == "draft" and draft["ack_due_at"] is None and draft["released_at"] is None
    assert client.get(f"/api/v1/incidents/{draft['id']}", headers=as_("USA", "liaison")).status_code == 404
    assert act(client, as_, draft["id"], "retract", "ISR", {"reason": "never mind"}).status_code == 409
    released = act(client, as_, draft["id"], "release", "ISR").json()
    assert released["status"] == "released" and released["ack_due_at"] is not None
    assert client.get(f"/api/v1/incidents/{draft['id']}", headers=as_("SYR", "liaison")).status_code == 200
    assert act(client, as_, draft["id"], "release", "ISR").status_code == 409


@pytest.fixture
def supervised_desk(runtime):
    runtime.cell = supervised(runtime.cell)
    return runtime


def test_a_supervised_desk_holds_reports_for_the_mediator(client, as_, supervised_desk):
    held = report(client, as_("ISR", "liaison")).json()
    assert held["status"] == "pending" and held["ack_due_at"] is None
    assert client.get(f"/api/v1/incidents/{held['id']}", headers=as_("SYR", "liaison")).status_code == 404
    assert act(client, as_, held["id"], "acknowledge", "SYR").status_code == 404
    assert act(client, as_, held["id"], "investigate").status_code == 409
    assert client.post(f"/api/v1/incidents/{held['id']}/approve", headers=as_("ISR", "liaison")).status_code == 403
    approved = act(client, as_, held["id"], "approve").json()
    assert approved["status"] == "released" and approved["ack_due_at"] is not None
    assert act(client, as_, held["id"], "approve").status_code == 409
    assert act(client, as_, held["id"], "acknowledge", "SYR").status_code == 200
    mediators_own = report(client, as_("USA", "liaison")).json()
    assert mediators_own["status"] == "released"


def test_an_incident_released_to_the_mediator_alone_awaits_the_mediator(client, as_):
    incident = report(client, as_("ISR", "liaison"), releasable_to=["USA"]).json()
    assert incident["ack_parties"] == ["USA"]
    assert act(client, as_, incident["id"], "acknowledge", "USA").json()["stage"] == "acknowledged"


def test_the_mediators_report_is_acknowledged_once_both_principals_have(client, as_):
    incident = report(client, as_("USA", "liaison")).json()
    assert act(client, as_, incident["id"], "acknowledge", "ISR").json()["stage"] == "reported"
    both = act(client, as_, incident["id"], "acknowledge", "SYR").json()
    assert both["stage"] == "acknowledged" and both["acknowledged_parties"] == ["ISR", "SYR"]


def test_a_finding_must_be_one_of_three_and_give_reasons(client, as_):
    incident = report(client, as_("ISR", "liaison")).json()
    _advance(client, as_, incident["id"], "finding")
    for body, field in (
        ({"finding": "proven", "reasons": "x"}, "body.finding"),
        ({"finding": "substantiated", "reasons": ""}, "body.reasons"),
        ({"finding": "substantiated"}, "body.reasons"),
    ):
        response = act(client, as_, incident["id"], "finding", "USA", body)
        assert response.status_code == 422 and field in [d["field"] for d in response.json()["error"]["details"]]
