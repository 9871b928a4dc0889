"""Notices under the authorization matrix: list, detail, acknowledge and retract, for every party and role
and every envelope state; what a party may not read answers exactly as what does not exist."""

from datetime import timedelta

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.deconfliction.models import Notice
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

MISSING = "01a217a2-0000-7000-8000-000000000000"
SPEAKING = {"liaison", "officer:deescalation", "observer"}  # who gives and answers notices for a party


def make_notice(session, state: EnvelopeState) -> str:
    now = utcnow()
    notice = Notice(
        activity="air",
        area={"type": "Polygon", "coordinates": [[[35.7, 33.0], [35.71, 33.0], [35.71, 33.01], [35.7, 33.0]]]},
        west=35.7,
        south=33.0,
        east=35.71,
        north=33.01,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        description=f"probe for {state.label}",
        findings=[],
        ack_parties=asked(state),
        **envelope_of(state),
    )
    return stored(session, notice)


def asked(state: EnvelopeState) -> frozenset[str]:
    """The oracle of who answers a notice: the mediator unless it gave it, and the principals it is released
    to other than its giver (the default cell's parties, written out)."""
    return (frozenset({"USA"}) | (state.releasable_to & {"ISR", "SYR"})) - {state.origin}


def test_notices_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="notices",
        create=make_notice,
        detail_path=lambda i: f"/api/v1/notices/{i}",
        missing_id=MISSING,
        list_path="/api/v1/notices?limit=200",
        actions=[
            lambda i: ("POST", f"/api/v1/notices/{i}/acknowledge", None),
            lambda i: ("POST", f"/api/v1/notices/{i}/retract", {"reason": "probe"}),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def expected_acknowledgement(state: EnvelopeState, party: str, role: str, cell: CellDefinition) -> int:
    if party not in expected_readers(state, cell):
        return 404
    if party not in asked(state) or role not in SPEAKING:
        return 403
    return 200 if state.status == Status.RELEASED else 409


def expected_retraction(state: EnvelopeState, party: str, role: str, cell: CellDefinition) -> int:
    if party not in expected_readers(state, cell):
        return 404
    if party != state.origin or role not in SPEAKING:
        return 403
    return 409 if state.status in (Status.DRAFT, Status.RETRACTED) else 200


def test_acknowledging_and_retracting_answer_as_the_rules_say_for_every_member_and_state(client, db, population, cell):
    """Per party one member who speaks on the desk and one who does not (roles matter only so), each on a
    record of its own (retracting changes it) in every state, against the oracles."""
    members = [
        next(m for m in population.members if m.party == party.code and (m.role in SPEAKING) == speaks)
        for party in cell.parties
        for speaks in (True, False)
    ]
    made = [(state, member, make_notice(db, state)) for state in envelope_states(cell) for member in members]
    db.commit()
    failures = []
    for state, member, notice_id in made:
        for action, oracle, body in (
            ("acknowledge", expected_acknowledgement, None),
            ("retract", expected_retraction, {"reason": "probe"}),
        ):
            response = client.post(f"/api/v1/notices/{notice_id}/{action}", json=body, headers=bearer(member))
            expected = oracle(state, member.party, member.role, cell)
            if response.status_code != expected:
                failures.append(f"{member.username} {action} on {state.label}: {response.status_code}, not {expected}")
    assert not failures, "\n".join(failures[:20])
