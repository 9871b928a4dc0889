"""Complaints: a principal complains of an incident of the other principal (one the complainant may read),
the accused party answers, the mediator rules. Never commits.

"The other principal's incident" is one the other principal reported, or one the report attributes to its
forces (`actor_party`): that principal is the accused. A complaint is released to the accused party, and
so seen by the mediator; it carries the incident's marking.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.policies import can_supervise, speaks_on_desk
from fusioncell.access.rule import can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, PartyRole
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, NotFound
from fusioncell.i18n import N_
from fusioncell.incidents.models import Complaint, ComplaintStage, Incident, Ruling
from fusioncell.incidents.service import DESK, readable_incident
from fusioncell.ledger.service import record_change


def readable_complaint(
    session: Session, *, subject: Subject, complaint_id: uuid.UUID, for_update: bool = False
) -> Complaint:
    query = select(Complaint).where(Complaint.id == complaint_id, readable(subject, Complaint))
    complaint = session.execute(query.with_for_update(key_share=True) if for_update else query).scalar_one_or_none()
    if complaint is None:
        raise NotFound()
    return complaint


def list_complaints(
    session: Session, *, subject: Subject, incident_id: uuid.UUID | None = None, before: uuid.UUID | None, limit: int
) -> list[Complaint]:
    """Newest first; ids are UUIDv7, so they order by time and serve as the cursor."""
    query = select(Complaint).where(readable(subject, Complaint))
    if incident_id is not None:
        query = query.where(Complaint.incident_id == incident_id)
    if before is not None:
        query = query.where(Complaint.id < before)
    return list(session.execute(query.order_by(Complaint.id.desc()).limit(limit)).scalars())


def file_complaint(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    incident_id: uuid.UUID,
    grounds: str,
    now: datetime | None = None,
) -> Complaint:
    incident = readable_incident(session, subject=subject, incident_id=incident_id)
    if subject.party_role != PartyRole.PRINCIPAL or not speaks_on_desk(subject, DESK):
        raise Forbidden(N_("the principals' liaison and de-escalation officers file complaints"))
    if incident.status != Status.RELEASED:
        raise Conflict(
            N_("the incident is {status}; only a released incident is complained of"), status=incident.status
        )
    accused = accused_party(cell, incident, complainant=subject.party)
    if accused is None:
        raise Conflict(N_("the incident is neither reported by nor attributed to the other party"))
    if not can_read_record(party_subject(cell, accused), incident):
        raise Conflict(N_("the incident is not released to {accused}, who could not answer for it"), accused=accused)
    complaint = Complaint(
        incident_id=incident.id,
        accused_party=accused,
        grounds=grounds,
        stage=str(ComplaintStage.FILED),
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now or utcnow(),
        status=Status.RELEASED,
        releasable_to=frozenset({accused, cell.mediator.code}),
        marking=incident.marking,
    )
    session.add(complaint)
    record_change(session, record=complaint, action="complaint-filed", actor=subject.username, party=subject.party)
    return complaint


def answer_complaint(
    session: Session, *, subject: Subject, complaint_id: uuid.UUID, answer: str, now: datetime | None = None
) -> Complaint:
    complaint = readable_complaint(session, subject=subject, complaint_id=complaint_id, for_update=True)
    if subject.party != complaint.accused_party or not speaks_on_desk(subject, DESK):
        raise Forbidden(N_("the accused party's liaison or de-escalation officers answer a complaint"))
    _check_stage(complaint, ComplaintStage.FILED)
    complaint.stage = str(ComplaintStage.ANSWERED)
    complaint.answer = answer
    complaint.answered_by = subject.username
    complaint.answered_at = now or utcnow()
    return _changed(session, subject, complaint, "complaint-answered")


def rule_on_complaint(
    session: Session,
    *,
    subject: Subject,
    complaint_id: uuid.UUID,
    ruling: Ruling,
    reasons: str,
    now: datetime | None = None,
) -> Complaint:
    """The mediator upholds or dismisses an answered complaint, with its reasons."""
    complaint = readable_complaint(session, subject=subject, complaint_id=complaint_id, for_update=True)
    if not can_supervise(subject):
        raise Forbidden(N_("only the mediator's liaison officers and supervisors rule on complaints"))
    _check_stage(complaint, ComplaintStage.ANSWERED)
    complaint.stage = str(ComplaintStage.RULED)
    complaint.ruling = str(Ruling(ruling))
    complaint.ruling_reasons = reasons
    complaint.ruled_by = subject.username
    complaint.ruled_at = now or utcnow()
    return _changed(session, subject, complaint, "complaint-ruled")


def accused_party(cell: CellDefinition, incident: Incident, *, complainant: str) -> str | None:
    """The other principal the incident concerns: the one it is attributed to, else the one that reported it."""
    principals = {p.code for p in cell.principals} - {complainant}
    for party in (incident.actor_party, incident.origin_party):
        if party in principals:
            return party
    return None


def party_subject(cell: CellDefinition, party: str) -> Subject:
    """Any member of `party`, as the releasability rule sees them (it reads the party, never the person)."""
    return Subject(
        user_id=uuid.UUID(int=0),
        username="",
        display_name="",
        party=party,
        party_role=str(cell.party(party).role),
        roles=frozenset(),
    )


def _check_stage(complaint: Complaint, stage: ComplaintStage) -> None:
    if complaint.stage != stage:
        raise Conflict(N_("the complaint is {stage}, not {stage2}"), stage=complaint.stage, stage2=stage)


def _changed(session: Session, subject: Subject, complaint: Complaint, action: str) -> Complaint:
    complaint.version += 1
    record_change(session, record=complaint, action=action, actor=subject.username, party=subject.party)
    return complaint
