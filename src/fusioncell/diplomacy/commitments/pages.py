"""The commitments pages: the board (GET /commitments: by responsible party, filtered by party, state and due
date, with the progress chart) and one commitment (GET /commitments/{id}) with its notes, evidence, contests and
the forms that act on it.

Every read is the API's (endpoints.list_commitments, commitments_read) and so the releasability rule's; every
form is checked by the API's own body schema (web/forms.form_body) and handled by the same service call, so
a form refuses what the API refuses, in the same words. A commitment the caller may not read answers the 404
of a missing one, on its page and behind every button, before any field is looked at.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.subjects import Role, Subject
from fusioncell.db.base import Marking
from fusioncell.diplomacy.commitments import endpoints, service
from fusioncell.diplomacy.commitments.endpoints import Due
from fusioncell.diplomacy.commitments.evidence import EVIDENCE_KINDS
from fusioncell.diplomacy.commitments.models import CLAIMABLE, FINAL, OPEN_STATES, Outcome, SourceKind, State
from fusioncell.diplomacy.commitments.schemas import (
    ClaimCreate,
    CommitmentCreate,
    CommitmentRead,
    ContestCreate,
    EvidenceCreate,
    MarkCreate,
    NoteCreate,
    RulingCreate,
)
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

BOARD_SIZE = 200
CHART_WEEKS = 12


@dataclass(frozen=True)
class Actions:
    """What the caller may do about one commitment, as the service would allow it."""

    agree: bool
    note: bool
    claim: list[str]
    evidence: bool
    contest: bool
    rule: bool
    mark: list[str]


def actions_for(subject: Subject, view: CommitmentRead) -> Actions:
    answers = subject.party == view.responsible_party and service.speaks(subject)
    rules = service.rules(subject)
    last = view.history[-1] if view.history else None
    open_contest = any(c.outcome is None for c in view.contests)
    claimed_last = last is not None and last.via == "claim" and not open_contest
    claims = [] if open_contest else [s for s in CLAIMABLE if _claimable(view.state, s)]
    return Actions(
        agree=view.state == State.PROPOSED and (answers or rules),
        note=answers,
        claim=[str(s) for s in claims] if answers else [],
        evidence=service.speaks(subject) or rules or Role.OBSERVER in subject.roles,
        contest=claimed_last
        and subject.party != view.responsible_party
        and service.may_contest(subject)
        and not any(c.created_at >= view.state_changed_at for c in view.contests),
        rule=rules,
        mark=[] if not rules or view.state in FINAL else _markable(view.state),
    )


def _claimable(current: str, wanted: State) -> bool:
    return current == State.AGREED or (current == State.IN_PROGRESS and wanted == State.DONE)


def _markable(current: str) -> list[str]:
    return [State.BREACHED, State.WITHDRAWN] if current in OPEN_STATES else [State.WITHDRAWN]


def _enum_or_none(kind, value: str):
    """A filter left empty, or one that names nothing known, filters nothing."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


@router.get("/commitments", response_class=HTMLResponse)
def board(
    request: Request,
    party: str = "",
    state: str = "",
    due: str = "",
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject = caller.subject
    filters = {
        "party": party if party in runtime.cell.party_codes else None,
        "state": _enum_or_none(State, state),
        "due": _enum_or_none(Due, due),
    }
    found = endpoints.list_commitments(session, subject=subject, limit=BOARD_SIZE, **filters)
    views = sorted(endpoints.commitments_read(session, subject, found), key=lambda v: (v.due_at, str(v.id)))
    by_party: dict[str, list[CommitmentRead]] = {}
    for view in views:
        by_party.setdefault(view.responsible_party, []).append(view)
    return render(
        request,
        "commitments.html",
        caller,
        runtime,
        by_party=[(runtime.cell.party(code), by_party[code]) for code in sorted(by_party)],
        filters={name: (str(value) if value else "") for name, value in filters.items()},
        filtering=any(filters.values()),
        states=[str(s) for s in State],
        dues=[str(d) for d in Due],
        may_record=service.speaks(subject) and subject.party_role != "observer",
        source_kinds=[str(k) for k in SourceKind],
        markings=[str(m) for m in Marking],
        progress_url=f"/api/v1/commitments/progress?weeks={CHART_WEEKS}",
        weeks=CHART_WEEKS,
        board_size=BOARD_SIZE,
        shown=len(views),
    )


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse)
def commitment_page(
    commitment_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    commitment = service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    view = endpoints.commitment_read(session, caller.subject, commitment)
    return render(
        request,
        "commitment.html",
        caller,
        runtime,
        commitment=view,
        actions=actions_for(caller.subject, view),
        responsible=runtime.cell.party(view.responsible_party),
        evidence_kinds=EVIDENCE_KINDS,
        outcomes=[str(o) for o in Outcome],
        states=[str(s) for s in State],
    )


@router.post("/commitments")
def record(
    text: str = Form(default=""),
    responsible_party: str = Form(default=""),
    source_kind: str = Form(default=""),
    source_id: str = Form(default=""),
    made_at: str = Form(default=""),
    due_at: str = Form(default=""),
    state: str = Form(default="proposed"),
    marking: str = Form(default=str(Marking.AMBER)),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    body = form_body(
        CommitmentCreate,
        text=text,
        responsible_party=responsible_party,
        source_kind=source_kind,
        source_id=source_id or None,
        made_at=_utc(made_at),
        due_at=_utc(due_at),
        state=state,
        marking=marking,
    )
    commitment = service.record_commitment(session, cell=runtime.cell, subject=caller.subject, body=body)
    return _back(commitment.id)


@router.post("/commitments/{commitment_id}/agree")
def agree(commitment_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    service.agree(session, subject=caller.subject, commitment_id=commitment_id)
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/notes")
def add_note(
    commitment_id: uuid.UUID,
    body: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    checked = form_body(NoteCreate, body=body)
    service.add_note(session, subject=caller.subject, commitment_id=commitment_id, body=checked.body)
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/claim")
def claim(
    commitment_id: uuid.UUID,
    state: str = Form(default=""),
    note: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    checked = form_body(ClaimCreate, state=state, note=note)
    service.claim(session, subject=caller.subject, commitment_id=commitment_id, state=checked.state, note=checked.note)
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/evidence")
def add_evidence(
    commitment_id: uuid.UUID,
    kind: str = Form(default=""),
    record_id: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    checked = form_body(EvidenceCreate, kind=kind, id=record_id.strip())
    service.add_evidence(
        session, subject=caller.subject, commitment_id=commitment_id, kind=checked.kind, record_id=checked.id
    )
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/contests")
def contest(
    commitment_id: uuid.UUID,
    reasons: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    checked = form_body(ContestCreate, reasons=reasons)
    service.contest(session, subject=caller.subject, commitment_id=commitment_id, reasons=checked.reasons)
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/contests/{contest_id}/ruling")
def rule(
    commitment_id: uuid.UUID,
    contest_id: uuid.UUID,
    outcome: str = Form(default=""),
    reason: str = Form(default=""),
    state: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    commitment = service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    service.readable_contest(session, subject=caller.subject, commitment=commitment, contest_id=contest_id)
    checked = form_body(RulingCreate, outcome=outcome, reason=reason, state=state or None)
    service.rule(
        session,
        subject=caller.subject,
        commitment_id=commitment_id,
        contest_id=contest_id,
        outcome=checked.outcome,
        reason=checked.reason,
        state=checked.state,
    )
    return _back(commitment_id)


@router.post("/commitments/{commitment_id}/mark")
def mark(
    commitment_id: uuid.UUID,
    state: str = Form(default=""),
    reason: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_commitment(session, subject=caller.subject, commitment_id=commitment_id)
    checked = form_body(MarkCreate, state=state, reason=reason)
    service.mark(
        session, subject=caller.subject, commitment_id=commitment_id, state=checked.state, reason=checked.reason
    )
    return _back(commitment_id)


def _back(commitment_id: uuid.UUID) -> RedirectResponse:
    return RedirectResponse(f"/commitments/{commitment_id}", status_code=303)


def _utc(value: str) -> str | None:
    """A datetime-local field has no zone: the form says UTC, so it is read as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema names the problem
    if moment.tzinfo is None:
        return value + "Z"
    return value
