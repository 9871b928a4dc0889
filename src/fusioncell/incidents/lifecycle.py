"""An incident's handling after release: reported → acknowledged → under investigation → finding → closed,
and its retraction. Never commits.

Every action reads the incident first, so one the caller may not read answers 404 as a missing one does;
then the caller's party and role (403); then the incident's state (409).
"""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from fusioncell.access.policies import can_report_incident, can_supervise, speaks_on_desk
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden
from fusioncell.i18n import N_
from fusioncell.incidents.models import Finding, Incident, Stage
from fusioncell.incidents.service import DESK, readable_incident
from fusioncell.ledger.service import record_change


def acknowledge_incident(
    session: Session, *, subject: Subject, incident_id: uuid.UUID, now: datetime | None = None
) -> Incident:
    """The caller's party acknowledges receipt; the incident is acknowledged once every party owing it has."""
    incident = readable_incident(session, subject=subject, incident_id=incident_id, for_update=True)
    if subject.party not in incident.ack_parties:
        raise Forbidden(N_("your party is not asked to acknowledge this incident"))
    if not (speaks_on_desk(subject, DESK) or can_supervise(subject)):
        raise Forbidden(N_("your party's liaison or de-escalation officers acknowledge incidents"))
    _check_live(incident)
    if subject.party in incident.acknowledged_parties:
        raise Conflict(N_("your party has acknowledged this incident already"))
    _check_stage(incident, Stage.REPORTED)
    now = now or utcnow()
    incident.acknowledged_parties = frozenset(incident.acknowledged_parties) | {subject.party}
    if incident.acknowledged_parties >= incident.ack_parties:
        incident.stage = str(Stage.ACKNOWLEDGED)
        incident.acknowledged_at = now
    return _changed(session, subject, incident, "incident-acknowledged")


def open_investigation(
    session: Session, *, subject: Subject, incident_id: uuid.UUID, now: datetime | None = None
) -> Incident:
    incident = _for_mediator(session, subject, incident_id, Stage.ACKNOWLEDGED)
    incident.stage = str(Stage.UNDER_INVESTIGATION)
    incident.investigation_opened_at = now or utcnow()
    return _changed(session, subject, incident, "incident-investigation-opened")


def record_finding(
    session: Session,
    *,
    subject: Subject,
    incident_id: uuid.UUID,
    finding: Finding,
    reasons: str,
    now: datetime | None = None,
) -> Incident:
    """The mediator's finding on an investigated incident, with its reasons."""
    incident = _for_mediator(session, subject, incident_id, Stage.UNDER_INVESTIGATION)
    incident.stage = str(Stage.FINDING)
    incident.finding = str(Finding(finding))
    incident.finding_reasons = reasons
    incident.finding_at = now or utcnow()
    return _changed(session, subject, incident, "incident-finding")


def close_incident(
    session: Session, *, subject: Subject, incident_id: uuid.UUID, now: datetime | None = None
) -> Incident:
    incident = _for_mediator(session, subject, incident_id, Stage.FINDING)
    incident.stage = str(Stage.CLOSED)
    incident.closed_at = now or utcnow()
    return _changed(session, subject, incident, "incident-closed")


def retract_incident(
    session: Session, *, subject: Subject, incident_id: uuid.UUID, reason: str, now: datetime | None = None
) -> Incident:
    """The reporter withdraws its report: still listed to its readers, its account withheld behind the
    reason, its handling stopped. A closed incident stays as it was closed."""
    incident = readable_incident(session, subject=subject, incident_id=incident_id, for_update=True)
    if incident.origin_party != subject.party or not can_report_incident(subject, DESK):
        raise Forbidden(N_("a party retracts only its own incidents, by its liaison or de-escalation officers"))
    if incident.status == Status.RETRACTED:
        raise Conflict(N_("the incident is retracted already"))
    if incident.status == Status.DRAFT:
        raise Conflict(N_("a draft was never released; there is nothing to retract"))
    if incident.stage == Stage.CLOSED:
        raise Conflict(N_("the incident is closed; it stands as the mediator closed it"))
    incident.status = Status.RETRACTED
    incident.retracted_at = now or utcnow()
    incident.retraction_reason = reason
    return _changed(session, subject, incident, "incident-retracted")


def _for_mediator(session: Session, subject: Subject, incident_id: uuid.UUID, stage: Stage) -> Incident:
    """A released incident at `stage`, for the mediator's liaison officers and supervisors to move on."""
    incident = readable_incident(session, subject=subject, incident_id=incident_id, for_update=True)
    if not can_supervise(subject):
        raise Forbidden(N_("only the mediator's liaison officers and supervisors handle investigations"))
    _check_live(incident)
    _check_stage(incident, stage)
    incident.handled_by = subject.username
    return incident


def _check_live(incident: Incident) -> None:
    """Only a released incident is handled: not a draft, not one held for approval, not a retracted one."""
    if incident.status != Status.RELEASED:
        raise Conflict(N_("the incident is {status}; it is not being handled"), status=incident.status)


def _check_stage(incident: Incident, stage: Stage) -> None:
    if incident.stage != stage:
        wanted = str(stage).replace("_", " ")
        raise Conflict(
            N_("the incident is {stage}, not {wanted}"), stage=incident.stage.replace("_", " "), wanted=wanted
        )


def _changed(session: Session, subject: Subject, incident: Incident, action: str) -> Incident:
    incident.version += 1
    record_change(session, record=incident, action=action, actor=subject.username, party=subject.party)
    return incident
