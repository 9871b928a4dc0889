"""The withdrawal tracker: positions with derived zones, moved occupied → scheduled → withdrawn → verified,
each move by whom it belongs to (403 otherwise), in order (409 otherwise), with its milestone; overdue
withdrawals flagged; bad input a 422 naming the field with nothing stored."""

import uuid
from datetime import timedelta

import pytest

from fusioncell.db.types import utcnow
from fusioncell.events.representations import registered
from fusioncell.verification.models import Position
from tests.verification.conftest import IN_AOS, point, position_body, stored


def register(client, headers, **fields):
    return client.post("/api/v1/positions", json=position_body(**fields), headers=headers)


def move(client, headers, position_id: str, action: str, body: dict | None = None):
    if action == "schedule" and body is None:
        body = {"due_at": (utcnow() + timedelta(days=7)).isoformat(), "note": "agreed at the plenary"}
    return client.post(f"/api/v1/positions/{position_id}/{action}", json=body, headers=headers)


@pytest.fixture
def position(client, as_):
    response = register(client, as_("ISR", "liaison"), location=point(*IN_AOS), name="Hill 1021 post")
    assert response.status_code == 201, response.text
    return response.json()


def test_a_position_is_registered_occupied_with_where_it_lies(position):
    assert position["stage"] == "occupied" and position["holding_party"] == "ISR"
    assert "aos" in position["zones"] and position["side"] == "area-of-separation"
    assert position["releasable_to"] == ["FRA", "JOR", "SYR", "UNDOF", "USA"]
    assert [m["stage"] for m in position["milestones"]] == ["occupied"]
    assert position["overdue"] is False and position["ledger_index"] is not None


def test_the_whole_withdrawal_with_its_milestones(client, as_, position):
    isr, undof = as_("ISR", "liaison"), as_("UNDOF")
    scheduled = move(client, isr, position["id"], "schedule")
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["stage"] == "scheduled" and scheduled.json()["due_at"]
    withdrawn = move(client, as_("ISR", "officer:deescalation"), position["id"], "withdraw", {"note": "left at dawn"})
    assert withdrawn.status_code == 200 and withdrawn.json()["stage"] == "withdrawn"
    verified = move(client, undof, position["id"], "verify", {"note": "patrol found it empty"})
    assert verified.status_code == 200, verified.text
    final = verified.json()
    assert final["stage"] == "verified" and final["version"] == 4
    assert [(m["stage"], m["party"], m["note"]) for m in final["milestones"]] == [
        ("occupied", "ISR", None),
        ("scheduled", "ISR", "agreed at the plenary"),
        ("withdrawn", "ISR", "left at dawn"),
        ("verified", "UNDOF", "patrol found it empty"),
    ]
    assert final["milestones"][1]["due_at"] and final["milestones"][3]["by"] == "undof.observer"
    assert final["scheduled_at"] <= final["withdrawn_at"] <= final["verified_at"]
    assert final["ledger_index"] > position["ledger_index"]


@pytest.mark.parametrize(
    ("done", "action"),
    [
        ([], "withdraw"),
        ([], "verify"),
        (["schedule"], "schedule"),
        (["schedule"], "verify"),
        (["schedule", "withdraw"], "withdraw"),
        (["schedule", "withdraw", "verify"], "verify"),
        (["schedule", "withdraw", "verify"], "schedule"),
    ],
)
def test_moves_out_of_order_are_conflicts(client, as_, position, db, done, action):
    who = {"schedule": as_("ISR", "liaison"), "withdraw": as_("ISR", "liaison"), "verify": as_("UNDOF")}
    for step in done:
        assert move(client, who[step], position["id"], step).status_code == 200
    before = stored(db)
    response = move(client, who[action], position["id"], action)
    assert response.status_code == 409, response.text
    assert stored(db) == before


@pytest.mark.parametrize(
    ("party", "role", "expected"),
    [
        ("UNDOF", "observer", 200),
        ("FRA", "observer", 200),  # any observer the position is released to
        ("ISR", "liaison", 403),  # never the holding party
        ("SYR", "liaison", 403),
        ("USA", "supervisor", 403),
        ("UNDOF", "admin", 403),
    ],
)
def test_only_an_observer_verifies(client, as_, position, party, role, expected):
    isr = as_("ISR", "liaison")
    assert move(client, isr, position["id"], "schedule").status_code == 200
    assert move(client, isr, position["id"], "withdraw").status_code == 200
    response = move(client, as_(party, role), position["id"], "verify")
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("action", "party", "role", "expected"),
    [
        ("schedule", "USA", "liaison", 200),  # the mediator brokers it
        ("schedule", "SYR", "liaison", 403),
        ("schedule", "ISR", "admin", 403),
        ("schedule", "UNDOF", "observer", 403),
        ("withdraw", "ISR", "officer:deescalation", 200),
        ("withdraw", "USA", "liaison", 403),  # declared by the holding party only
        ("withdraw", "SYR", "liaison", 403),
    ],
)
def test_who_schedules_and_who_declares_the_withdrawal(client, as_, position, action, party, role, expected):
    if action == "withdraw":
        assert move(client, as_("ISR", "liaison"), position["id"], "schedule").status_code == 200
    assert move(client, as_(party, role), position["id"], action).status_code == expected


def test_an_overdue_withdrawal_is_flagged(client, as_, position, db):
    assert move(client, as_("ISR", "liaison"), position["id"], "schedule").status_code == 200
    row = db.get(Position, uuid.UUID(position["id"]))
    row.due_at = utcnow() - timedelta(hours=1)
    db.commit()
    assert client.get(f"/api/v1/positions/{position['id']}", headers=as_("SYR", "liaison")).json()["overdue"] is True
    listed = client.get("/api/v1/positions?stage=scheduled", headers=as_("USA", "liaison")).json()["items"]
    assert [(p["id"], p["overdue"]) for p in listed] == [(position["id"], True)]


def test_an_observer_names_the_holding_party(client, as_):
    assert register(client, as_("UNDOF")).status_code == 422
    response = register(client, as_("UNDOF"), holding_party="ISR")
    assert response.status_code == 201 and response.json()["origin_party"] == "UNDOF"
    assert response.json()["holding_party"] == "ISR"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "body.name"),
        ({"holding_party": "FRA"}, "body.holding_party"),  # an observer holds no positions
        ({"holding_party": "nobody"}, "body.holding_party"),
        ({"location": point(48.8566, 2.3522)}, "body.location.coordinates"),  # Paris: outside the area of interest
        ({"location": {"type": "Point", "coordinates": [35.8]}}, "body.location.coordinates"),
        ({"location": {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}}, "body.location.type"),
        ({"releasable_to": ["MARS"]}, "body.releasable_to"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, as_, db, fields, field):
    before = stored(db)
    response = register(client, as_("ISR", "liaison"), **fields)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]
    assert stored(db) == before


def test_a_schedule_in_the_past_changes_nothing(client, as_, position, db):
    before = stored(db)
    body = {"due_at": (utcnow() - timedelta(days=1)).isoformat()}
    response = move(client, as_("ISR", "liaison"), position["id"], "schedule", body)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "body.due_at"
    assert stored(db) == before
    again = client.get(f"/api/v1/positions/{position['id']}", headers=as_("ISR", "liaison")).json()
    assert again["stage"] == "occupied" and again["version"] == 1


def test_the_live_stream_tells_positions_as_the_api_does(client, as_, position, db):
    """The stream and webhooks send the registered view: the API's read model, overdue as of the change."""
    representation = registered("position")
    row = db.get(Position, uuid.UUID(position["id"]))
    view = representation.view(row)
    api = client.get(f"/api/v1/positions/{position['id']}", headers=as_("UNDOF")).json()
    assert view == api
    assert registered("posture-declaration") and registered("inspection")
