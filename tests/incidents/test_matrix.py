"""The de-escalation desk's records under the authorization matrix (tests/access/matrix.py): incidents,
complaints and incident escalations, in lists, details and every action, for every member of every party
and every envelope state; an unreadable record answers the very 404 of a missing one.

Then who may act on what they can read: every member against every action, the answer stated plainly
(404 unreadable, 403 wrong party or role, 409 wrong state, 200 done)."""

from datetime import timedelta

import pytest

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.incidents.models import Complaint, Incident, IncidentEscalation
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_of, stored
from tests.incidents.conftest import MISSING, QUNEITRA, report, supervised

INCIDENT_ACTIONS = [
    lambda i: ("POST", f"/api/v1/incidents/{i}/release", None),
    lambda i: ("POST", f"/api/v1/incidents/{i}/approve", None),
    lambda i: ("POST", f"/api/v1/incidents/{i}/acknowledge", None),
    lambda i: ("POST", f"/api/v1/incidents/{i}/investigate", None),
    lambda i: ("POST", f"/api/v1/incidents/{i}/finding", {"finding": "inconclusive", "reasons": "probe"}),
    lambda i: ("POST", f"/api/v1/incidents/{i}/close", None),
    lambda i: ("POST", f"/api/v1/incidents/{i}/retract", {"reason": "probe"}),
    lambda i: ("POST", f"/api/v1/incidents/{i}/complaints", {"grounds": "probe"}),
]


def _incident(origin: str, status, releasable_to) -> Incident:
    lat, lon = QUNEITRA
    return Incident(
        occurred_at=utcnow() - timedelta(hours=1),
        time_precision="hour",
        location={"type": "Point", "coordinates": [lon, lat]},
        geo_precision="exact",
        type="armed-clash",
        reported_severity=3,
        severity=3,
        description="probe",
        lat=lat,
        lon=lon,
        zones=frozenset({"aos"}),
        origin_party=origin,
        created_by="test",
        status=status,
        releasable_to=releasable_to,
        ack_parties=releasable_to & {"ISR", "SYR"},
        ack_due_at=utcnow() + timedelta(hours=12),
    )


def make_incident(session, state) -> str:
    incident = _incident(state.origin, state.status, state.releasable_to)
    return stored(session, incident)


def test_incidents_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="incidents",
        create=make_incident,
        detail_path=lambda i: f"/api/v1/incidents/{i}",
        missing_id=MISSING,
        list_path="/api/v1/incidents?limit=200",
        actions=INCIDENT_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def _carrier(session) -> Incident:
    incident = _incident("ISR", Status.RELEASED, frozenset({"SYR", "USA"}))
    session.add(incident)
    session.flush()
    return incident


def make_complaint(session, state) -> str:
    complaint = Complaint(
        incident_id=_carrier(session).id,
        accused_party="ISR",
        grounds=f"probe for {state.label}",
        **envelope_of(state),
    )
    return stored(session, complaint)


def test_complaints_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="complaints",
        create=make_complaint,
        detail_path=lambda i: f"/api/v1/complaints/{i}",
        missing_id=MISSING,
        list_path="/api/v1/complaints?limit=200",
        actions=[
            lambda i: ("POST", f"/api/v1/complaints/{i}/answer", {"answer": "probe"}),
            lambda i: ("POST", f"/api/v1/complaints/{i}/ruling", {"ruling": "dismissed", "reasons": "probe"}),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def make_escalation(session, state) -> str:
    escalation = IncidentEscalation(
        incident_id=_carrier(session).id,
        party="SYR",
        severity=3,
        due_at=utcnow(),
        **envelope_of(state),
    )
    return stored(session, escalation)


def test_incident_escalations_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="incident escalations",
        create=make_escalation,
        detail_path=lambda i: f"/api/v1/incident-escalations/{i}",
        missing_id=MISSING,
        list_path="/api/v1/incident-escalations?limit=200",
    )
    assert_matrix_holds(client, db, population, cell, case)


# ---- who may act on what they can read ----

SPEAKERS = {"liaison", "officer:deescalation"}  # speak for their party on the de-escalation desk
MEDIATOR_HANDS = {"liaison", "supervisor"}  # the mediator's liaison officers and supervisors


def _at_stage(client, as_, stage: str) -> str:
    """An ISR report released to the plenary, brought to `stage` by the API."""
    incident = report(client, as_("ISR", "liaison"), draft=stage == "draft").json()
    path = f"/api/v1/incidents/{incident['id']}"
    steps = [
        ("acknowledged", "acknowledge", "SYR", None),
        ("under_investigation", "investigate", "USA", None),
        ("finding", "finding", "USA", {"finding": "substantiated", "reasons": "seen by UNDOF"}),
    ]
    order = ["reported", *(s[0] for s in steps)]
    for reached, action, party, body in steps:
        if stage in order and order.index(stage) >= order.index(reached):
            assert client.post(f"{path}/{action}", json=body, headers=as_(party, "liaison")).status_code == 200
    return incident["id"]


def _complaint(client, as_, *, answered: bool) -> str:
    incident = _at_stage(client, as_, "reported")
    complaint = client.post(
        f"/api/v1/incidents/{incident}/complaints", json={"grounds": "no such clash"}, headers=as_("SYR", "liaison")
    ).json()
    if answered:
        answer = {"answer": "it happened"}
        response = client.post(
            f"/api/v1/complaints/{complaint['id']}/answer", json=answer, headers=as_("ISR", "liaison")
        )
        assert response.status_code == 200
    return complaint["id"]


# action: (stage set up, method path, body, readers, who may act, who is refused for the state instead)
ACTIONS = {
    "release": ("draft", "incidents/{}/release", None, {"ISR"}, ("ISR", SPEAKERS), None),
    # Held for the mediator on a supervised desk: the reporter's party and the mediator read it.
    "approve": ("pending", "incidents/{}/approve", None, {"ISR", "USA"}, ("USA", MEDIATOR_HANDS), None),
    "acknowledge": ("reported", "incidents/{}/acknowledge", None, {"ISR", "SYR", "USA"}, ("SYR", SPEAKERS), None),
    "investigate": (
        "acknowledged",
        "incidents/{}/investigate",
        None,
        {"ISR", "SYR", "USA"},
        ("USA", MEDIATOR_HANDS),
        None,
    ),
    "finding": (
        "under_investigation",
        "incidents/{}/finding",
        {"finding": "unsubstantiated", "reasons": "no trace"},
        {"ISR", "SYR", "USA"},
        ("USA", MEDIATOR_HANDS),
        None,
    ),
    "close": ("finding", "incidents/{}/close", None, {"ISR", "SYR", "USA"}, ("USA", MEDIATOR_HANDS), None),
    "retract": (
        "reported",
        "incidents/{}/retract",
        {"reason": "wrong grid"},
        {"ISR", "SYR", "USA"},
        ("ISR", SPEAKERS),
        None,
    ),
    # ISR may complain, but not of its own report about nobody else: a 409, not a 403.
    "complain": (
        "reported",
        "incidents/{}/complaints",
        {"grounds": "no such clash"},
        {"ISR", "SYR", "USA"},
        ("SYR", SPEAKERS),
        ("ISR", SPEAKERS),
    ),
    "answer": (
        "complaint",
        "complaints/{}/answer",
        {"answer": "it happened"},
        {"ISR", "SYR", "USA"},
        ("ISR", SPEAKERS),
        None,
    ),
    "ruling": (
        "answered",
        "complaints/{}/ruling",
        {"ruling": "upheld", "reasons": "UNDOF saw it"},
        {"ISR", "SYR", "USA"},
        ("USA", MEDIATOR_HANDS),
        None,
    ),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_who_may_act_on_what_they_can_read(client, runtime, as_, population, action):
    stage, path, body, readers, (party, roles), conflicting = ACTIONS[action]
    if stage == "pending":
        runtime.cell = supervised(runtime.cell)

    def target() -> str:
        if stage in ("complaint", "answered"):
            return _complaint(client, as_, answered=stage == "answered")
        return _at_stage(client, as_, stage)

    refused = target()
    failures = []
    for member in population.members:
        may = member.party == party and member.role in roles
        done = 201 if action == "complain" else 200
        expected = 404 if member.party not in readers else done if may else 403
        if conflicting and member.party == conflicting[0] and member.role in conflicting[1]:
            expected = 409
        record = target() if may else refused  # each allowed member acts on a fresh record
        response = client.post(f"/api/v1/{path.format(record)}", json=body, headers=as_(member.party, member.role))
        if response.status_code != expected:
            failures.append(f"{member.username}: expected {expected}, got {response.status_code} {response.text}")
    assert not failures, "\n".join(failures)
