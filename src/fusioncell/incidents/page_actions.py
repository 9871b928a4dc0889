"""The incident page's buttons: what the caller may do to an incident and its complaints (shown), and the
POST routes behind them (the API's service calls, so the same 404, 403, 409 and 422).

Which buttons are shown mirrors the services' own checks (access/policies.py for the role, the record's
state for the rest); the services still decide. Every route reads the record first, as the caller may
read it, so an incident or complaint the caller may not read answers the 404 of a missing one before a
form field is looked at; then the fields are checked with the API's own body schemas (422 in the one
error shape), then the service acts.
"""

import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_report_incident, can_supervise, speaks_on_desk
from fusioncell.access.rule import can_read_record
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, PartyRole
from fusioncell.db.base import Status
from fusioncell.incidents import complaints, lifecycle, service
from fusioncell.incidents.models import Complaint, ComplaintStage, Incident, Stage
from fusioncell.incidents.schemas import (
    AnswerCreate,
    ComplaintCreate,
    FindingCreate,
    IncidentRead,
    Reason,
    RulingCreate,
)
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class IncidentActions:
    """The buttons the incident page shows this caller."""

    acknowledge: bool = False
    release: bool = False
    approve: bool = False
    investigate: bool = False
    finding: bool = False
    close: bool = False
    retract: bool = False
    complain: bool = False

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def owes_acknowledgement(subject: Subject, incident: Incident | IncidentRead) -> bool:
    """The caller's party is asked to acknowledge the incident and has not yet (the row or its view)."""
    return (
        incident.status == Status.RELEASED
        and incident.stage == Stage.REPORTED
        and subject.party in incident.ack_parties
        and subject.party not in incident.acknowledged_parties
    )


def incident_actions(cell: CellDefinition, subject: Subject, incident: Incident) -> IncidentActions:
    desk = service.DESK
    released = incident.status == Status.RELEASED
    mediator = can_supervise(subject)
    own = incident.origin_party == subject.party and can_report_incident(subject, desk)
    return IncidentActions(
        acknowledge=owes_acknowledgement(subject, incident) and (speaks_on_desk(subject, desk) or mediator),
        release=own and incident.status == Status.DRAFT,
        approve=mediator and incident.status == Status.PENDING,
        investigate=mediator and released and incident.stage == Stage.ACKNOWLEDGED,
        finding=mediator and released and incident.stage == Stage.UNDER_INVESTIGATION,
        close=mediator and released and incident.stage == Stage.FINDING,
        retract=own and incident.status in (Status.PENDING, Status.RELEASED) and incident.stage != Stage.CLOSED,
        complain=released and _may_complain(cell, subject, incident),
    )


def _may_complain(cell: CellDefinition, subject: Subject, incident: Incident) -> bool:
    if subject.party_role != PartyRole.PRINCIPAL or not speaks_on_desk(subject, service.DESK):
        return False
    accused = complaints.accused_party(cell, incident, complainant=subject.party)
    return accused is not None and can_read_record(complaints.party_subject(cell, accused), incident)


def may_answer(subject: Subject, complaint) -> bool:
    return (
        complaint.stage == ComplaintStage.FILED
        and subject.party == complaint.accused_party
        and speaks_on_desk(subject, service.DESK)
    )


def may_rule(subject: Subject, complaint) -> bool:
    return complaint.stage == ComplaintStage.ANSWERED and can_supervise(subject)


def _back(incident_id: uuid.UUID) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _readable(session: Session, caller: Caller, incident_id: uuid.UUID) -> Incident:
    return service.readable_incident(session, subject=caller.subject, incident_id=incident_id)


def _readable_complaint(session: Session, caller: Caller, complaint_id: uuid.UUID) -> Complaint:
    return complaints.readable_complaint(session, subject=caller.subject, complaint_id=complaint_id)


@router.post("/incidents/{incident_id}/release")
def release(
    incident_id: uuid.UUID,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The caller's party's draft goes out (to the mediator's review first where the desk is supervised)."""
    service.release_incident(session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/approve")
def approve(
    incident_id: uuid.UUID,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.approve_incident(session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/investigate")
def investigate(incident_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    lifecycle.open_investigation(session, subject=caller.subject, incident_id=incident_id)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/finding")
def finding(
    incident_id: uuid.UUID,
    finding: str = Form(default=""),
    reasons: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    _readable(session, caller, incident_id)
    body = form_body(FindingCreate, finding=finding, reasons=reasons.strip())
    lifecycle.record_finding(
        session, subject=caller.subject, incident_id=incident_id, finding=body.finding, reasons=body.reasons
    )
    return _back(incident_id)


@router.post("/incidents/{incident_id}/close")
def close(incident_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    lifecycle.close_incident(session, subject=caller.subject, incident_id=incident_id)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/retract")
def retract(
    incident_id: uuid.UUID,
    reason: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    _readable(session, caller, incident_id)
    body = form_body(Reason, reason=reason.strip())
    lifecycle.retract_incident(session, subject=caller.subject, incident_id=incident_id, reason=body.reason)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/complaints")
def file_complaint(
    incident_id: uuid.UUID,
    grounds: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    _readable(session, caller, incident_id)
    body = form_body(ComplaintCreate, grounds=grounds.strip())
    complaints.file_complaint(
        session, cell=runtime.cell, subject=caller.subject, incident_id=incident_id, grounds=body.grounds
    )
    return _back(incident_id)


@router.post("/complaints/{complaint_id}/answer")
def answer(
    complaint_id: uuid.UUID,
    answer: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    complaint = _readable_complaint(session, caller, complaint_id)
    body = form_body(AnswerCreate, answer=answer.strip())
    complaints.answer_complaint(session, subject=caller.subject, complaint_id=complaint_id, answer=body.answer)
    return _back(complaint.incident_id)


@router.post("/complaints/{complaint_id}/ruling")
def ruling(
    complaint_id: uuid.UUID,
    ruling: str = Form(default=""),
    reasons: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    complaint = _readable_complaint(session, caller, complaint_id)
    body = form_body(RulingCreate, ruling=ruling, reasons=reasons.strip())
    complaints.rule_on_complaint(
        session, subject=caller.subject, complaint_id=complaint_id, ruling=body.ruling, reasons=body.reasons
    )
    return _back(complaint.incident_id)
