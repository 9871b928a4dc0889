"""/api/v1/commitments: the register, each commitment with its notes, evidence and contests, and their actions.

Also what the board reads: the filtered list and the chart's progress over time (`list_commitments`,
`progress`), both over the commitments the caller may read only.
"""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments import service
from fusioncell.diplomacy.commitments.evidence import readable_source
from fusioncell.diplomacy.commitments.models import Commitment, CommitmentContest, CommitmentNote, State
from fusioncell.diplomacy.commitments.schemas import (
    ClaimCreate,
    CommitmentCreate,
    CommitmentPage,
    CommitmentRead,
    ContestCreate,
    ContestRead,
    EvidenceCreate,
    MarkCreate,
    NoteCreate,
    NoteRead,
    ProgressRead,
    ProgressSeries,
    RulingCreate,
)
from fusioncell.events.representations import Representation, register
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["diplomacy"])
MAX_WEEKS = 52


class Due(StrEnum):
    OVERDUE = "overdue"  # still owed and past due
    WEEK = "week"  # falls due within seven days
    LATER = "later"  # falls due after that


def list_commitments(
    session: Session,
    *,
    subject: Subject,
    party: str | None = None,
    state: State | None = None,
    due: Due | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[Commitment]:
    """Newest first (ids are UUIDv7 and serve as the cursor), filtered by responsible party, state and due date."""
    now = now or utcnow()
    query = select(Commitment).where(readable(subject, Commitment))
    if party is not None:
        query = query.where(Commitment.responsible_party == party)
    if state is not None:
        query = query.where(Commitment.state == str(state))
    if due is Due.OVERDUE:
        query = query.where(*service.overdue_filter(now))
    elif due is Due.WEEK:
        query = query.where(Commitment.due_at >= now, Commitment.due_at < now + timedelta(days=7))
    elif due is Due.LATER:
        query = query.where(Commitment.due_at >= now + timedelta(days=7))
    if before is not None:
        query = query.where(Commitment.id < before)
    return list(session.execute(query.order_by(Commitment.id.desc()).limit(limit)).scalars())


def progress(session: Session, *, subject: Subject, weeks: int, now: datetime | None = None) -> ProgressRead:
    """For each of the last `weeks` weeks (Mondays, UTC), how many readable commitments stood in each state at
    the week's end, replayed from each commitment's history of state changes."""
    now = now or utcnow()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [monday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    ends = [min(start + timedelta(weeks=1), now) for start in starts]
    counts = {state: [0] * weeks for state in State}
    query = select(Commitment.history).where(readable(subject, Commitment))
    for (history,) in session.execute(query):
        changes = [(datetime.fromisoformat(c["at"]), c["state"]) for c in history]
        for i, end in enumerate(ends):
            standing = [state for at, state in changes if at <= end]
            if standing:
                counts[State(standing[-1])][i] += 1
    return ProgressRead(
        weeks=[start.date().isoformat() for start in starts],
        series=[ProgressSeries(state=state, counts=counts[state]) for state in State],
    )


def commitments_read(session: Session, subject: Subject, commitments: list[Commitment]) -> list[CommitmentRead]:
    """The caller's view: notes, contests and evidence as far as the caller may read them."""
    ids = [c.id for c in commitments]
    notes: dict[uuid.UUID, list[NoteRead]] = {}
    for note in service.notes_of(session, subject=subject, commitment_ids=ids):
        notes.setdefault(note.commitment_id, []).append(NoteRead.model_validate(note, from_attributes=True))
    contests: dict[uuid.UUID, list[ContestRead]] = {}
    for contested in service.contests_of(session, subject=subject, commitment_ids=ids):
        contests.setdefault(contested.commitment_id, []).append(
            ContestRead.model_validate(contested, from_attributes=True)
        )
    now = utcnow()
    return [
        CommitmentRead.model_validate(
            commitment_view(c, now)
            | {
                "evidence": service.readable_evidence(session, subject=subject, commitment=c),
                "source": readable_source(session, subject=subject, commitment=c),
                "notes": notes.get(c.id, []),
                "contests": contests.get(c.id, []),
            }
        )
        for c in commitments
    ]


def commitment_read(session: Session, subject: Subject, commitment: Commitment) -> CommitmentRead:
    return commitments_read(session, subject, [commitment])[0]


def commitment_view(commitment: Commitment, now: datetime | None = None) -> dict:
    """What every reader of a commitment may see: no evidence (each link has readers of its own), no notes or
    contests (records of their own). The stream and webhooks send this."""
    fields = {name: getattr(commitment, name) for name in CommitmentRead.model_fields if name not in _DERIVED}
    view = CommitmentRead(
        **fields,
        releasable_to=sorted(commitment.releasable_to),
        overdue=service.is_overdue(commitment, now or utcnow()),
        evidence=[],
    )
    return view.model_dump(mode="json")


_DERIVED = {"releasable_to", "overdue", "evidence", "source", "notes", "contests"}


@router.get("/commitments", response_model=CommitmentPage)
def get_commitments(
    party: str | None = Query(default=None, max_length=16, description="The responsible party."),
    state: State | None = None,
    due: Due | None = Query(default=None, description="overdue, week (due within 7 days) or later"),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    found = list_commitments(
        session, subject=caller.subject, party=party, state=state, due=due, before=cursor, limit=limit
    )
    return CommitmentPage(
        items=commitments_read(session, caller.subject, found),
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.get("/commitments/progress", response_model=ProgressRead)
def get_progress(
    weeks: int = Query(default=12, ge=1, le=MAX_WEEKS), caller: Caller = CallerDep, session: Session = SessionDep
):
    """The board's chart: commitments per state at the end of each week, over those the caller may read."""
    return progress(session, subject=caller.subject, weeks=weeks)


@router.post("/commitments", response_model=CommitmentRead, status_code=201)
def record_commitment(
    body: CommitmentCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Register an undertaking; due_at must be after made_at. Released to the plenary unless the body says."""
    commitment = service.record_commitment(session, cell=runtime.cell, subject=caller.subject, body=body)
    return commitment_read(session, caller.subject, commitment)


@router.get("/commitments/{commitment_id}", response_model=CommitmentRead)
def get_commitment(commitment_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    commitment = service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    return commitment_read(session, caller.subject, commitment)


@router.post("/commitments/{commitment_id}/agree", response_model=CommitmentRead)
def agree(commitment_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    commitment = service.agree(session, subject=caller.subject, commitment_id=commitment_id)
    return commitment_read(session, caller.subject, commitment)


@router.post("/commitments/{commitment_id}/notes", response_model=NoteRead, status_code=201)
def add_note(commitment_id: uuid.UUID, body: NoteCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    note = service.add_note(session, subject=caller.subject, commitment_id=commitment_id, body=body.body)
    return NoteRead.model_validate(note, from_attributes=True)


@router.post("/commitments/{commitment_id}/claim", response_model=CommitmentRead)
def claim(commitment_id: uuid.UUID, body: ClaimCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    """The responsible party claims in_progress or done, with a note of what was done."""
    commitment = service.claim(
        session, subject=caller.subject, commitment_id=commitment_id, state=body.state, note=body.note
    )
    return commitment_read(session, caller.subject, commitment)


@router.post("/commitments/{commitment_id}/evidence", response_model=CommitmentRead)
def add_evidence(
    commitment_id: uuid.UUID, body: EvidenceCreate, caller: Caller = CallerDep, session: Session = SessionDep
):
    """Link an incident, notice or inspection you may read; its readers alone see the link."""
    commitment = service.add_evidence(
        session, subject=caller.subject, commitment_id=commitment_id, kind=body.kind, record_id=body.id
    )
    return commitment_read(session, caller.subject, commitment)


@router.post("/commitments/{commitment_id}/contests", response_model=ContestRead, status_code=201)
def contest(commitment_id: uuid.UUID, body: ContestCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    """Dispute the responsible party's latest claim; the mediator rules."""
    contested = service.contest(session, subject=caller.subject, commitment_id=commitment_id, reasons=body.reasons)
    return ContestRead.model_validate(contested, from_attributes=True)


@router.post("/commitments/{commitment_id}/contests/{contest_id}/ruling", response_model=ContestRead)
def rule(
    commitment_id: uuid.UUID,
    contest_id: uuid.UUID,
    body: RulingCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """The mediator's ruling: upheld undoes the claim (or sets the state given), dismissed lets it stand."""
    contested = service.rule(
        session,
        subject=caller.subject,
        commitment_id=commitment_id,
        contest_id=contest_id,
        outcome=body.outcome,
        reason=body.reason,
        state=body.state,
    )
    return ContestRead.model_validate(contested, from_attributes=True)


@router.post("/commitments/{commitment_id}/mark", response_model=CommitmentRead)
def mark(commitment_id: uuid.UUID, body: MarkCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    """The mediator marks a commitment breached or withdrawn, with its reason."""
    commitment = service.mark(
        session, subject=caller.subject, commitment_id=commitment_id, state=body.state, reason=body.reason
    )
    return commitment_read(session, caller.subject, commitment)


def _record_view(schema):
    return lambda record: schema.model_validate(record, from_attributes=True).model_dump(mode="json")


register("commitment", Representation(model=Commitment, view=commitment_view))
register("commitment-note", Representation(model=CommitmentNote, view=_record_view(NoteRead)))
register("commitment-contest", Representation(model=CommitmentContest, view=_record_view(ContestRead)))
