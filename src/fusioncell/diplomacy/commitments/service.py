"""Recording commitments and what happens to them: agreement, progress notes, claims, evidence, contests and the
mediator's rulings and marks. Never commits. The reads the inbox and the mediator's overview call are at the end
(the board's list and chart are endpoints.py's); every one filters through access/rule.py.

Who does what: the party that undertook a commitment (its liaison officers and diplomacy officers) records
progress and claims its state; any other party reading it may contest a claim; the mediator rules, and alone
marks a commitment breached or withdrawn. Every change bumps the version and enters the record.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments.evidence import linked_record, readable_evidence  # noqa: F401 (re-exported)
from fusioncell.diplomacy.commitments.models import (
    CLAIMABLE,
    FINAL,
    OPEN_STATES,
    Commitment,
    CommitmentContest,
    CommitmentNote,
    Outcome,
    SourceKind,
    State,
)
from fusioncell.diplomacy.commitments.schemas import CommitmentCreate
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound, Phrase
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "diplomacy"
CLOCK_SKEW = timedelta(minutes=5)  # a made_at this far ahead of the server's clock is still "now"


def invalid(problems: dict[str, str]) -> Invalid:
    """The one error shape, each problem at its field as the API's body names it."""
    return validation_messages.invalid(problems, prefix="body.")


def speaks(subject: Subject) -> bool:
    return speaks_on_desk(subject, DESK)


def rules(subject: Subject) -> bool:
    """The mediator's liaison officers, supervisors and diplomacy officers rule and mark."""
    roles = subject.roles
    return subject.is_mediator and bool({Role.LIAISON, Role.SUPERVISOR, f"officer:{DESK}"} & roles)


def answers_for(subject: Subject, commitment: Commitment) -> bool:
    """Speaks for the responsible party: may note progress and claim a state."""
    return subject.party == commitment.responsible_party and speaks(subject)


def may_contest(subject: Subject) -> bool:
    return not subject.is_mediator and (speaks(subject) or Role.OBSERVER in subject.roles)


def plenary(cell: CellDefinition) -> frozenset[str]:
    return frozenset({cell.mediator.code, *(p.code for p in cell.principals)})


# ---------- writes ----------


def record_commitment(
    session: Session, *, cell: CellDefinition, subject: Subject, body: CommitmentCreate, now: datetime | None = None
) -> Commitment:
    """Register what a party undertook, released at once to the plenary (or whom the body names)."""
    now = now or utcnow()
    if not speaks(subject) or subject.party_role == "observer":
        raise Forbidden(
            N_("commitments are recorded by the mediator's and the principals' liaison and diplomacy officers")
        )
    problems = {}
    if body.responsible_party not in cell.party_codes:
        problems["responsible_party"] = Phrase(
            N_("unknown party {responsible_party}"), responsible_party=body.responsible_party
        )
    unknown = sorted(set(body.releasable_to or ()) - cell.party_codes)
    if unknown:
        problems["releasable_to"] = Phrase(N_("unknown party {unknown}"), unknown=", ".join(unknown))
    if body.source_id and body.source_kind != SourceKind.OTHER:
        found = linked_record(session, subject=subject, kind=body.source_kind, record_id=uuid.UUID(body.source_id))
        if found is None:
            problems["source_id"] = Phrase(
                N_("no {source_kind} {source_id} that you may read"),
                source_kind=body.source_kind,
                source_id=body.source_id,
            )
    if body.made_at > now + CLOCK_SKEW:
        problems["made_at"] = N_("a commitment is recorded once made: made_at is in the future")
    if problems:
        raise invalid(problems)
    wanted = plenary(cell) if body.releasable_to is None else frozenset(body.releasable_to)
    commitment = Commitment(
        text=body.text,
        responsible_party=body.responsible_party,
        source_kind=str(body.source_kind),
        source_id=body.source_id,
        made_at=body.made_at,
        due_at=body.due_at,
        state=body.state,
        state_changed_at=now,
        history=[_change(subject, body.state, now, via="record")],
        evidence=[],
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        status=Status.RELEASED,
        releasable_to=(wanted | {body.responsible_party}) - {subject.party},
        marking=str(body.marking),
    )
    session.add(commitment)
    record_change(session, record=commitment, action="commitment-recorded", actor=subject.username, party=subject.party)
    return commitment


def agree(session: Session, *, subject: Subject, commitment_id: uuid.UUID, now: datetime | None = None) -> Commitment:
    """A proposal becomes binding: accepted by the responsible party, or recorded as agreed by the mediator."""
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if not (answers_for(subject, commitment) or rules(subject)):
        raise Forbidden(N_("a commitment is agreed by its responsible party or recorded as agreed by the mediator"))
    if commitment.state != State.PROPOSED:
        raise Conflict(N_("the commitment is {state}, not proposed"), state=commitment.state)
    _move(session, subject, commitment, State.AGREED, now, via="agree", action="commitment-agreed")
    return commitment


def add_note(session: Session, *, subject: Subject, commitment_id: uuid.UUID, body: str) -> CommitmentNote:
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if not answers_for(subject, commitment):
        raise Forbidden(N_("progress is noted by the responsible party's liaison and diplomacy officers"))
    return _note(session, subject, commitment, body, None)


def claim(
    session: Session, *, subject: Subject, commitment_id: uuid.UUID, state: str, note: str, now: datetime | None = None
) -> Commitment:
    """The responsible party says it is under way or done, with a note of what was done."""
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if not answers_for(subject, commitment):
        raise Forbidden(N_("only the responsible party claims progress on its commitment"))
    if State(state) not in CLAIMABLE:
        raise invalid({"state": N_("a party claims in_progress or done")})
    allowed = (State.AGREED,) if state == State.IN_PROGRESS else (State.AGREED, State.IN_PROGRESS)
    if commitment.state not in allowed:
        raise Conflict(
            N_("the commitment is {state}; {state2} cannot be claimed from there"), state=commitment.state, state2=state
        )
    if open_contest(session, commitment) is not None:
        raise Conflict(N_("a contest of the last claim waits for the mediator's ruling"))
    _note(session, subject, commitment, note, state)
    _move(session, subject, commitment, State(state), now, via="claim", action="commitment-claimed")
    return commitment


def add_evidence(
    session: Session, *, subject: Subject, commitment_id: uuid.UUID, kind: str, record_id: uuid.UUID
) -> Commitment:
    """Link a record the caller may read; one it may not read is refused as one that does not exist."""
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if not (speaks(subject) or rules(subject) or Role.OBSERVER in subject.roles):
        raise Forbidden(N_("evidence is linked by liaison, diplomacy officers and observers"))
    if linked_record(session, subject=subject, kind=kind, record_id=record_id) is None:
        raise invalid({"id": Phrase(N_("no {kind} {record_id} that you may read"), kind=kind, record_id=record_id)})
    if any(e["kind"] == kind and e["id"] == str(record_id) for e in commitment.evidence):
        raise Conflict(N_("that {kind} is linked already"), kind=kind)
    link = {"kind": kind, "id": str(record_id), "added_by": subject.username, "added_party": subject.party}
    commitment.evidence = [*commitment.evidence, link | {"added_at": utcnow().isoformat(timespec="microseconds")}]
    commitment.version += 1
    record_change(session, record=commitment, action="commitment-evidence", actor=subject.username, party=subject.party)
    return commitment


def contest(session: Session, *, subject: Subject, commitment_id: uuid.UUID, reasons: str) -> CommitmentContest:
    """Another reading party disputes the responsible party's latest claim; the mediator will rule."""
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if subject.party == commitment.responsible_party or not may_contest(subject):
        raise Forbidden(N_("a claim is contested by another party's liaison, diplomacy officers or observers"))
    last = commitment.history[-1]
    if last.get("via") != "claim":
        raise Conflict(
            N_("there is no claim to contest: the commitment is {state} by {last}"),
            state=commitment.state,
            last=last.get("via"),
        )
    if _contested_since_claim(session, commitment):
        raise Conflict(N_("this claim is contested already"))
    prior = commitment.history[-2]["state"] if len(commitment.history) > 1 else State.AGREED
    contested = CommitmentContest(
        commitment_id=commitment.id,
        claimed_state=commitment.state,
        prior_state=prior,
        reasons=reasons,
        **_related_envelope(subject, commitment),
    )
    session.add(contested)
    record_change(session, record=contested, action="commitment-contested", actor=subject.username, party=subject.party)
    return contested


def rule(
    session: Session,
    *,
    subject: Subject,
    commitment_id: uuid.UUID,
    contest_id: uuid.UUID,
    outcome: str,
    reason: str,
    state: str | None = None,
    now: datetime | None = None,
) -> CommitmentContest:
    """Upheld: the claim is undone (the state before it, or the one the ruling sets). Dismissed: it stands."""
    now = now or utcnow()
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    contested = readable_contest(session, subject=subject, commitment=commitment, contest_id=contest_id)
    if not rules(subject):
        raise Forbidden(N_("the mediator rules on contests"))
    if contested.outcome is not None:
        raise Conflict(N_("the contest was ruled on already ({outcome})"), outcome=contested.outcome)
    if outcome == Outcome.UPHELD and commitment.state != contested.claimed_state:
        raise Conflict(N_("the commitment is {state} since the contest; mark it instead"), state=commitment.state)
    contested.outcome, contested.ruling = str(outcome), reason
    contested.ruled_by, contested.ruled_at = subject.username, now
    if outcome == Outcome.UPHELD:
        contested.ruled_state = str(state or contested.prior_state)
        _move(session, subject, commitment, State(contested.ruled_state), now, via="ruling", reason=reason)
    contested.version += 1
    record_change(session, record=contested, action="commitment-ruled", actor=subject.username, party=subject.party)
    return contested


def mark(
    session: Session,
    *,
    subject: Subject,
    commitment_id: uuid.UUID,
    state: str,
    reason: str,
    now: datetime | None = None,
) -> Commitment:
    """The mediator finds a commitment breached, or records it withdrawn."""
    commitment = standing_commitment(session, subject=subject, commitment_id=commitment_id)
    if not rules(subject):
        raise Forbidden(N_("only the mediator marks a commitment breached or withdrawn"))
    if commitment.state in FINAL:
        raise Conflict(N_("the commitment is {state} already"), state=commitment.state)
    if state == State.BREACHED and commitment.state not in OPEN_STATES:
        raise Conflict(N_("only an agreed commitment can be breached; a proposal is withdrawn"))
    _move(session, subject, commitment, State(state), now, via="mark", reason=reason)
    return commitment


def _change(subject: Subject, state: str, at: datetime, *, via: str, reason: str | None = None) -> dict[str, Any]:
    return {
        "state": str(state),
        "at": at.isoformat(timespec="microseconds"),
        "by": subject.username,
        "party": subject.party,
        "via": via,
        "reason": reason,
    }


def _move(
    session: Session,
    subject: Subject,
    commitment: Commitment,
    state: State,
    now: datetime | None,
    *,
    via: str,
    reason: str | None = None,
    action: str | None = None,
) -> None:
    now = now or utcnow()
    commitment.state, commitment.state_changed_at = str(state), now
    commitment.history = [*commitment.history, _change(subject, state, now, via=via, reason=reason)]
    commitment.version += 1
    action = action or f"commitment-{str(state).replace('_', '-')}"
    record_change(session, record=commitment, action=action, actor=subject.username, party=subject.party)


def _related_envelope(subject: Subject, commitment: Commitment) -> dict[str, Any]:
    """A note or contest reaches exactly the commitment's readers."""
    readers = frozenset(commitment.releasable_to) | {commitment.origin_party}
    return {
        "origin_party": subject.party,
        "created_by": subject.username,
        "status": Status.RELEASED,
        "releasable_to": readers - {subject.party},
        "marking": commitment.marking,
    }


def _note(session: Session, subject: Subject, commitment: Commitment, body: str, claimed: str | None) -> CommitmentNote:
    note = CommitmentNote(
        commitment_id=commitment.id, body=body, claimed_state=claimed, **_related_envelope(subject, commitment)
    )
    session.add(note)
    record_change(session, record=note, action="commitment-note", actor=subject.username, party=subject.party)
    return note


# ---------- reads ----------


def standing_commitment(session: Session, *, subject: Subject, commitment_id: uuid.UUID) -> Commitment:
    """A readable commitment that can still be acted on: released, not waiting or retracted."""
    commitment = readable_commitment(session, subject=subject, commitment_id=commitment_id)
    if commitment.status != Status.RELEASED:
        raise Conflict(N_("the commitment is {status}; nothing can be done about it"), status=commitment.status)
    return commitment


def readable_commitment(session: Session, *, subject: Subject, commitment_id: uuid.UUID) -> Commitment:
    found = session.execute(
        select(Commitment).where(Commitment.id == commitment_id, readable(subject, Commitment))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def readable_contest(
    session: Session, *, subject: Subject, commitment: Commitment, contest_id: uuid.UUID
) -> CommitmentContest:
    found = session.execute(
        select(CommitmentContest).where(
            CommitmentContest.id == contest_id,
            CommitmentContest.commitment_id == commitment.id,
            readable(subject, CommitmentContest),
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def open_contest(session: Session, commitment: Commitment) -> CommitmentContest | None:
    return session.execute(
        select(CommitmentContest).where(
            CommitmentContest.commitment_id == commitment.id, CommitmentContest.outcome.is_(None)
        )
    ).scalar_one_or_none()


def _contested_since_claim(session: Session, commitment: Commitment) -> bool:
    query = select(CommitmentContest.id).where(
        CommitmentContest.commitment_id == commitment.id,
        CommitmentContest.created_at >= commitment.state_changed_at,
    )
    return session.execute(query.limit(1)).first() is not None


def notes_of(session: Session, *, subject: Subject, commitment_ids: list[uuid.UUID]) -> list[CommitmentNote]:
    query = select(CommitmentNote).where(
        CommitmentNote.commitment_id.in_(commitment_ids), readable(subject, CommitmentNote)
    )
    return list(session.execute(query.order_by(CommitmentNote.id)).scalars()) if commitment_ids else []


def contests_of(session: Session, *, subject: Subject, commitment_ids: list[uuid.UUID]) -> list[CommitmentContest]:
    query = select(CommitmentContest).where(
        CommitmentContest.commitment_id.in_(commitment_ids), readable(subject, CommitmentContest)
    )
    return list(session.execute(query.order_by(CommitmentContest.id)).scalars()) if commitment_ids else []


def overdue_filter(now: datetime):
    return (Commitment.state.in_([str(s) for s in OPEN_STATES]), Commitment.due_at < now)


def is_overdue(commitment: Commitment, now: datetime) -> bool:
    return commitment.state in OPEN_STATES and commitment.due_at < now and commitment.status == Status.RELEASED


def overdue_for(session: Session, *, subject: Subject, now: datetime | None = None) -> list[Commitment]:
    """The inbox's: overdue commitments the caller's party is responsible for, the longest overdue first."""
    query = select(Commitment).where(
        readable(subject, Commitment),
        Commitment.responsible_party == subject.party,
        Commitment.status == Status.RELEASED,
        *overdue_filter(now or utcnow()),
    )
    return list(session.execute(query.order_by(Commitment.due_at)).scalars())


def mediator_overview(session: Session, *, subject: Subject, now: datetime | None = None) -> dict[str, Any] | None:
    """The mediator's home page: every overdue commitment it reads and the contests waiting for a ruling."""
    if not subject.is_mediator:
        return None
    overdue = select(Commitment).where(
        readable(subject, Commitment), Commitment.status == Status.RELEASED, *overdue_filter(now or utcnow())
    )
    waiting = select(CommitmentContest).where(readable(subject, CommitmentContest), CommitmentContest.outcome.is_(None))
    return {
        "overdue": list(session.execute(overdue.order_by(Commitment.due_at)).scalars()),
        "contests": list(session.execute(waiting.order_by(CommitmentContest.id)).scalars()),
    }


# ---------- evidence: links shown only to who may read the linked record ----------
