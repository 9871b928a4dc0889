"""Meetings under the authorization matrix: list, detail, drafting and approving minutes, for every party and
role and every envelope state; what a party may not read answers exactly as what does not exist; and who may
act on what it can read, against oracles written out plainly."""

from datetime import timedelta

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.meetings.models import Meeting, MinutesState
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

MISSING = "01a217a2-0000-7000-8000-00000000beef"
CHAIRS = {"liaison", "supervisor"}  # the mediator's members who schedule and draft (officer:diplomacy too)
APPROVERS = {"liaison"}  # a party's members who approve minutes (officer:diplomacy too)


def attending(state: EnvelopeState) -> frozenset[str]:
    return frozenset({state.origin}) | state.releasable_to


def approving(state: EnvelopeState) -> frozenset[str]:
    """The oracle of who approves: the attending principals (the default cell's, written out)."""
    return attending(state) & {"ISR", "SYR"}


def make_meeting(session, state: EnvelopeState, *, drafted: bool = False) -> str:
    now = utcnow()
    meeting = Meeting(
        title=f"probe for {state.label}",
        venue_text="Probe room",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        participants=[{"party": p, "delegates": []} for p in sorted(attending(state))],
        agenda=["probe"],
        attachment_ids=[],
        approving_parties=approving(state),
        minutes_state=MinutesState.DRAFT if drafted else MinutesState.NONE,
        minutes_draft=1 if drafted else 0,
        minutes_text="probe minutes" if drafted else None,
        minutes_approvals={},
        **envelope_of(state),
    )
    return stored(session, meeting)


def meeting_actions(prefix: str) -> list:
    return [
        lambda i: ("POST", f"{prefix}/{i}/minutes", {"text": "probe"}),
        lambda i: ("POST", f"{prefix}/{i}/minutes/approve", {"draft": 1}),
    ]


def test_meetings_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="meetings",
        create=make_meeting,
        detail_path=lambda i: f"/api/v1/meetings/{i}",
        missing_id=MISSING,
        list_path="/api/v1/meetings?limit=200",
        actions=meeting_actions("/api/v1/meetings"),
    )
    assert_matrix_holds(client, db, population, cell, case)


def expected_draft(state: EnvelopeState, party: str, role: str, cell: CellDefinition) -> int:
    if party not in expected_readers(state, cell):
        return 404
    if party != cell.mediator.code or role not in CHAIRS:
        return 403
    return 200 if state.status == Status.RELEASED else 409


def expected_approval(state: EnvelopeState, party: str, role: str, cell: CellDefinition) -> int:
    if party not in expected_readers(state, cell):
        return 404
    if party not in approving(state) or role not in APPROVERS:
        return 403
    return 200 if state.status == Status.RELEASED else 409


def test_drafting_and_approving_answer_as_the_rules_say_for_every_member_and_state(client, db, population, cell):
    """Per party one member who may act and one who may not, each on a record of its own in every state."""
    acting = CHAIRS | APPROVERS | {"observer"}
    members = [
        next(m for m in population.members if m.party == party.code and (m.role in acting) == acts)
        for party in cell.parties
        for acts in (True, False)
    ]
    made = [
        (state, member, make_meeting(db, state, drafted=True)) for state in envelope_states(cell) for member in members
    ]
    db.commit()
    failures = []
    for state, member, meeting_id in made:
        for action, oracle, body in (
            ("minutes/approve", expected_approval, {"draft": 1}),
            ("minutes", expected_draft, {"text": "probe"}),
        ):
            response = client.post(f"/api/v1/meetings/{meeting_id}/{action}", json=body, headers=bearer(member))
            expected = oracle(state, member.party, member.role, cell)
            if response.status_code != expected:
                failures.append(f"{member.username} {action} on {state.label}: {response.status_code}, not {expected}")
    assert not failures, "\n".join(failures[:20])


ROUTES = [
    ("GET", "/api/v1/meetings"),
    ("POST", "/api/v1/meetings"),
    ("GET", f"/api/v1/meetings/{MISSING}"),
    ("POST", f"/api/v1/meetings/{MISSING}/minutes"),
    ("POST", f"/api/v1/meetings/{MISSING}/minutes/approve"),
    ("GET", "/meetings"),
    ("POST", "/meetings"),
    ("GET", f"/meetings/{MISSING}"),
    ("POST", f"/meetings/{MISSING}/minutes"),
    ("POST", f"/meetings/{MISSING}/minutes/approve"),
]


def test_strangers_are_refused_everywhere(client):
    for method, path in ROUTES:
        response = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
