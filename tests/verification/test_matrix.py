"""The verification records under the authorization matrix (tests/access/matrix.py): declarations, inspections
and positions in lists, details and every move, and their pages, for every member of every party and every
envelope state; an unreadable record answers the very 404 of a missing one.

Then who may move a position they can read, against oracles written out plainly (404 unreadable, 403 wrong
party or role, 409 wrong state, 200 done)."""

import re
from datetime import timedelta

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.verification.models import Inspection, Position, PostureDeclaration
from tests.access.matrix import (
    EnvelopeState,
    MatrixCase,
    assert_matrix_holds,
    envelope_of,
    envelope_states,
    expected_readers,
    stored,
)
from tests.support import bearer
from tests.verification.conftest import HERMON, MISSING


def make_posture(session, state: EnvelopeState) -> str:
    posture = PostureDeclaration(zone="aos", as_of=utcnow(), findings=[], remarks=state.label, **envelope_of(state))
    return stored(session, posture)


def make_inspection(session, state: EnvelopeState) -> str:
    inspection = Inspection(
        zones=frozenset({"aos"}),
        inspected_at=utcnow(),
        findings=[],
        reported_result="compliant",
        result="compliant",
        summary=f"probe for {state.label}",
        **envelope_of(state),
    )
    return stored(session, inspection)


def make_position(session, state: EnvelopeState, stage: str = "occupied") -> str:
    lat, lon = HERMON
    position = Position(
        name=f"probe for {state.label}",
        holding_party="ISR",
        location={"type": "Point", "coordinates": [lon, lat]},
        lat=lat,
        lon=lon,
        stage=stage,
        milestones=[],
        **envelope_of(state),
    )
    return stored(session, position)


def _due() -> dict:
    return {"due_at": (utcnow() + timedelta(days=3)).isoformat()}


POSITION_ACTIONS = [
    lambda i: ("POST", f"/api/v1/positions/{i}/schedule", _due()),
    lambda i: ("POST", f"/api/v1/positions/{i}/withdraw", {"note": "probe"}),
    lambda i: ("POST", f"/api/v1/positions/{i}/verify", {"note": "probe"}),
]
PAGE_ACTIONS = [
    lambda i: ("POST", f"/positions/{i}/schedule", None),
    lambda i: ("POST", f"/positions/{i}/withdraw", None),
    lambda i: ("POST", f"/positions/{i}/verify", None),
]


def test_posture_declarations_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="posture declarations",
        create=make_posture,
        detail_path=lambda i: f"/api/v1/posture-declarations/{i}",
        missing_id=MISSING,
        list_path="/api/v1/posture-declarations?limit=200",
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_inspections_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="inspections",
        create=make_inspection,
        detail_path=lambda i: f"/api/v1/inspections/{i}",
        missing_id=MISSING,
        list_path="/api/v1/inspections?limit=200",
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_positions_obey_the_matrix_in_lists_details_and_moves(client, db, population, cell):
    case = MatrixCase(
        name="positions",
        create=make_position,
        detail_path=lambda i: f"/api/v1/positions/{i}",
        missing_id=MISSING,
        list_path="/api/v1/positions?limit=200",
        actions=POSITION_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_verification_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    """A position's page and its buttons: an unreadable position is the very 404 of a missing one. Then the
    desk's page: each member sees listed exactly the records the API lists to it."""
    case = MatrixCase(
        name="position pages",
        create=make_position,
        detail_path=lambda i: f"/positions/{i}",
        missing_id=MISSING,
        actions=PAGE_ACTIONS,
    )
    result = assert_matrix_holds(client, db, population, cell, case)
    assert result.checks >= len(population.members) * len(envelope_states(cell))
    for state in envelope_states(cell):
        make_posture(db, state)
        make_inspection(db, state)
    db.commit()
    for member in population.members:
        headers = bearer(member)
        html = client.get("/verification", headers=headers).text
        for kind, path in (
            ("position", "positions"),
            ("posture", "posture-declarations"),
            ("inspection", "inspections"),
        ):
            api = {i["id"] for i in client.get(f"/api/v1/{path}?limit=200", headers=headers).json()["items"]}
            listed = set(re.findall(rf'<tr data-{kind}="([^"]+)"', html))
            assert listed == api and api, (member.username, kind)


# ---- who may move what they can read ----

SPEAKERS = {"liaison", "officer:deescalation"}


def expected_schedule(state: EnvelopeState, party: str, role: str, cell) -> int:
    if party not in expected_readers(state, cell):
        return 404
    holder = party == "ISR" and role in SPEAKERS
    mediator = party == "USA" and role in {"liaison", "supervisor"}
    if not (holder or mediator):
        return 403
    return 200 if state.status == Status.RELEASED else 409


def expected_verify(state: EnvelopeState, party: str, role: str, cell) -> int:
    if party not in expected_readers(state, cell):
        return 404
    if cell.party(party).role != "observer" or role != "observer":
        return 403
    return 200 if state.status == Status.RELEASED else 409


def test_moving_positions_answers_as_the_rules_say_for_every_member_and_state(client, db, population, cell):
    """Per party one member who may speak on the desk and one who may not, each on a position of its own in
    every envelope state: scheduling an occupied one, verifying a withdrawn one."""
    members = [
        next(m for m in population.members if m.party == party.code and (m.role in SPEAKERS | {"observer"}) == speaks)
        for party in cell.parties
        for speaks in (True, False)
    ]
    made = []
    for state in envelope_states(cell):
        for member in members:
            made.append((state, member, "schedule", make_position(db, state), expected_schedule))
            made.append((state, member, "verify", make_position(db, state, "withdrawn"), expected_verify))
    db.commit()
    failures = []
    for state, member, action, position_id, oracle in made:
        body = _due() if action == "schedule" else None
        response = client.post(f"/api/v1/positions/{position_id}/{action}", json=body, headers=bearer(member))
        expected = oracle(state, member.party, member.role, cell)
        if response.status_code != expected:
            failures.append(f"{member.username} {action} on {state.label}: {response.status_code}, not {expected}")
    assert not failures, "\n".join(failures[:20])
