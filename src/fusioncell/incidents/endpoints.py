"""/api/v1/incidents and their actions, /api/v1/complaints, /api/v1/incident-escalations."""

import uuid

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.incidents import complaints, lifecycle, queries, service
from fusioncell.incidents.models import Stage
from fusioncell.incidents.schemas import (
    AnswerCreate,
    ComplaintCreate,
    ComplaintPage,
    ComplaintRead,
    FindingCreate,
    IncidentCreate,
    IncidentEscalationPage,
    IncidentEscalationRead,
    IncidentPage,
    IncidentRead,
    Reason,
    RulingCreate,
)
from fusioncell.incidents.views import incident_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["incidents"])


def incident_filters(
    status: Status | None = None,
    stage: Stage | None = None,
    type: str | None = Query(default=None, max_length=64, description="A type; an event type covers its sub-types."),
    party: str | None = Query(default=None, max_length=16, description="The reporting party."),
    actor: str | None = Query(default=None, max_length=16, description="The party the incident is attributed to."),
    zone: str | None = Query(default=None, max_length=64, description="A zone code the incident lies in."),
    since: AwareDatetime | None = Query(default=None, description="Occurred at or after."),
    until: AwareDatetime | None = Query(default=None, description="Occurred before."),
    runtime: Runtime = Depends(get_runtime),
) -> queries.IncidentFilters:
    """The list's filters, the same for the list, the exports and the CoT endpoint; checked against the cell."""
    filters = queries.IncidentFilters(
        status=status, stage=stage, type=type, party=party, actor=actor, zone=zone, since=since, until=until
    )
    _check_filters(runtime.cell, filters)
    return filters


@router.get("/incidents", response_model=IncidentPage)
def list_incidents(
    filters: queries.IncidentFilters = Depends(incident_filters),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Newest report first, as far as the caller may read them."""
    found = queries.list_incidents(
        session, cell=runtime.cell, subject=caller.subject, filters=filters, before=cursor, limit=limit
    )
    return IncidentPage(
        items=[incident_read(caller.subject, i) for i in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.post("/incidents", response_model=IncidentRead, status_code=201)
def report_incident(
    body: IncidentCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Report an incident. The server derives where it lies (zones, side of the lines, protected sites) and
    the cell's rules it breaks, and raises its severity to what those rules demand."""
    report = _report_from(body)
    # The service checks again for its other callers; here the problems are named as the body names them.
    problems = service.report_problems(session, cell=runtime.cell, subject=caller.subject, report=report)
    if problems:
        raise service.invalid(problems, prefix="body.")
    incident = service.report_incident(session, cell=runtime.cell, subject=caller.subject, report=report)
    return incident_read(caller.subject, incident)


@router.get("/incidents/{incident_id}", response_model=IncidentRead)
def get_incident(incident_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    incident = service.readable_incident(session, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/release", response_model=IncidentRead)
def release(
    incident_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Release your party's draft (to the mediator's review first where the desk is supervised)."""
    incident = service.release_incident(session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/approve", response_model=IncidentRead)
def approve(
    incident_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator releases a report held for review."""
    incident = service.approve_incident(session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentRead)
def acknowledge(incident_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    incident = lifecycle.acknowledge_incident(session, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/investigate", response_model=IncidentRead)
def investigate(incident_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """The mediator opens an investigation of an acknowledged incident."""
    incident = lifecycle.open_investigation(session, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/finding", response_model=IncidentRead)
def finding(incident_id: uuid.UUID, body: FindingCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    """The mediator's finding on an investigated incident: substantiated, unsubstantiated or inconclusive."""
    incident = lifecycle.record_finding(
        session, subject=caller.subject, incident_id=incident_id, finding=body.finding, reasons=body.reasons
    )
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/close", response_model=IncidentRead)
def close(incident_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    incident = lifecycle.close_incident(session, subject=caller.subject, incident_id=incident_id)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/retract", response_model=IncidentRead)
def retract(incident_id: uuid.UUID, body: Reason, caller: Caller = CallerDep, session: Session = SessionDep):
    incident = lifecycle.retract_incident(session, subject=caller.subject, incident_id=incident_id, reason=body.reason)
    return incident_read(caller.subject, incident)


@router.post("/incidents/{incident_id}/complaints", response_model=ComplaintRead, status_code=201)
def file_complaint(
    incident_id: uuid.UUID,
    body: ComplaintCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Complain of the other party's incident; the accused party answers, the mediator rules."""
    complaint = complaints.file_complaint(
        session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id, grounds=body.grounds
    )
    return ComplaintRead.model_validate(complaint)


@router.get("/complaints", response_model=ComplaintPage)
def list_complaints(
    incident: uuid.UUID | None = Query(default=None, description="Only the complaints about this incident."),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    found = complaints.list_complaints(
        session, subject=caller.subject, incident_id=incident, before=cursor, limit=limit
    )
    return ComplaintPage(
        items=[ComplaintRead.model_validate(c) for c in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.get("/complaints/{complaint_id}", response_model=ComplaintRead)
def get_complaint(complaint_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return ComplaintRead.model_validate(
        complaints.readable_complaint(session, subject=caller.subject, complaint_id=complaint_id)
    )


@router.post("/complaints/{complaint_id}/answer", response_model=ComplaintRead)
def answer(complaint_id: uuid.UUID, body: AnswerCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    complaint = complaints.answer_complaint(
        session, subject=caller.subject, complaint_id=complaint_id, answer=body.answer
    )
    return ComplaintRead.model_validate(complaint)


@router.post("/complaints/{complaint_id}/ruling", response_model=ComplaintRead)
def ruling(complaint_id: uuid.UUID, body: RulingCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    complaint = complaints.rule_on_complaint(
        session, subject=caller.subject, complaint_id=complaint_id, ruling=body.ruling, reasons=body.reasons
    )
    return ComplaintRead.model_validate(complaint)


@router.get("/incident-escalations", response_model=IncidentEscalationPage)
def list_escalations(
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Missed acknowledgement deadlines: the mediator's records (every other party's list is empty)."""
    found = queries.list_incident_escalations(session, subject=caller.subject, before=cursor, limit=limit)
    return IncidentEscalationPage(
        items=[IncidentEscalationRead.model_validate(e) for e in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.get("/incident-escalations/{escalation_id}", response_model=IncidentEscalationRead)
def get_escalation(escalation_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    escalation = queries.readable_incident_escalation(session, subject=caller.subject, escalation_id=escalation_id)
    return IncidentEscalationRead.model_validate(escalation)


def _report_from(body: IncidentCreate) -> service.Report:
    return service.Report(
        occurred_at=body.occurred_at,
        occurred_until=body.occurred_until,
        time_precision=body.time_precision,
        location=body.location.model_dump(),
        geo_precision=body.geo_precision,
        type=body.type,
        actor_party=body.actor_party,
        severity=body.severity,
        casualties=service.Casualties(**body.casualties.model_dump()),
        description=body.description,
        sources=tuple(body.sources),
        attachments=tuple(body.attachments),
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
        marking=body.marking,
        draft=body.draft,
    )


def _check_filters(cell: CellDefinition, filters: queries.IncidentFilters) -> None:
    """Filters naming what the cell does not have are mistakes, answered as a query that failed validation."""
    problems = {}
    if filters.type is not None and filters.type not in {t.code for t in cell.incident_types}:
        problems["type"] = Phrase(N_("unknown incident type {type!r}"), type=filters.type)
    if filters.zone is not None and filters.zone not in {z.code for z in cell.zones}:
        problems["zone"] = Phrase(N_("unknown zone {zone!r}"), zone=filters.zone)
    for name in ("party", "actor"):
        code = getattr(filters, name)
        if code is not None and code not in cell.party_codes:
            problems[name] = Phrase(N_("unknown party {code!r}"), code=code)
    if filters.since is not None and filters.until is not None and filters.until <= filters.since:
        problems["until"] = N_("the window ends before it starts (since)")
    if problems:
        raise service.invalid(problems, prefix="query.")
