"""Reporting incidents and releasing them. Never commits.

The lifecycle after release is in lifecycle.py, complaints in complaints.py, what is listed in queries.py.
A report that goes out is compared with the stored ones, and its likely duplicates put before the mediator
(fusion/proposals.py) in the same transaction.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.policies import can_report_incident, can_supervise
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound, Phrase
from fusioncell.fusion.proposals import propose_for
from fusioncell.hotline.models import Attachment
from fusioncell.i18n import N_
from fusioncell.incidents.derived import derive, positions
from fusioncell.incidents.models import GeoPrecision, Incident, Stage, TimePrecision
from fusioncell.ledger.service import record_change

DESK = "deescalation"  # the desk whose officers handle incidents, and whose supervision applies


@dataclass(frozen=True)
class Casualties:
    killed: int = 0  # all killed, civilians included
    injured: int = 0
    civilians_killed: int = 0
    civilians_injured: int = 0


@dataclass(frozen=True)
class Report:
    """What a reporter says; its shape is validated at the edge (schemas.IncidentCreate), its fit to the
    cell by `report_problems`."""

    occurred_at: datetime
    location: dict  # a GeoJSON Point or Polygon, lon/lat
    type: str
    severity: int
    description: str
    time_precision: TimePrecision = TimePrecision.EXACT
    occurred_until: datetime | None = None
    geo_precision: GeoPrecision = GeoPrecision.EXACT
    actor_party: str | None = None
    casualties: Casualties = field(default_factory=Casualties)
    sources: tuple[str, ...] = ()
    attachments: tuple[uuid.UUID, ...] = ()
    releasable_to: frozenset[str] | None = None  # None: the plenary (the mediator and the principals)
    marking: Marking = Marking.AMBER
    draft: bool = False


def report_problems(session: Session, *, cell: CellDefinition, subject: Subject, report: Report) -> dict[str, str]:
    """What in a well-formed report does not fit, by field: unknown codes, a place outside the cell's area of
    interest, files the reporter may not cite."""
    problems = {}
    if report.type not in {t.code for t in cell.incident_types}:
        problems["type"] = Phrase(N_("unknown incident type {type!r}"), type=report.type)
    parties = ", ".join(sorted(cell.party_codes))
    if report.actor_party is not None and report.actor_party not in cell.party_codes:
        problems["actor_party"] = Phrase(
            N_("unknown party {actor_party!r} (parties: {parties})"), actor_party=report.actor_party, parties=parties
        )
    unknown = sorted((report.releasable_to or frozenset()) - cell.party_codes)
    if unknown:
        problems["releasable_to"] = Phrase(
            N_("unknown parties {unknown} (parties: {parties})"), unknown=", ".join(unknown), parties=parties
        )
    area = cell.area_of_interest
    for lon, lat in positions(report.location) if area is not None else ():
        outside = area.problems(lat=lat, lon=lon)
        if outside:
            problems["location.coordinates"] = "; ".join(outside.values())
            break
    citable = _citable_attachments(session, subject, report.attachments)
    missing = [str(i) for i in dict.fromkeys(report.attachments) if i not in citable]
    if missing:
        problems["attachments"] = Phrase(
            N_("no released hotline file your party may read: {missing}"), missing=", ".join(missing)
        )
    return problems


def invalid(problems: dict[str, str], *, prefix: str = "") -> Invalid:
    """The one error shape, with details like those of a body that failed validation at the edge."""
    return validation_messages.invalid(problems, prefix=prefix)


def default_recipients(cell: CellDefinition, origin: str) -> frozenset[str]:
    """The plenary: the mediator and the principals, but for the reporter itself."""
    return frozenset({cell.mediator.code, *(p.code for p in cell.principals)}) - {origin}


def readable_incident(
    session: Session, *, subject: Subject, incident_id: uuid.UUID, for_update: bool = False
) -> Incident:
    """The incident if the caller may read it, else NotFound exactly as for a missing one. `for_update`
    locks its row (PostgreSQL) so two parties' changes of one incident never overwrite each other; as FOR
    NO KEY UPDATE, which the foreign-key checks of escalations and complaints being inserted (FOR KEY SHARE)
    do not wait for: they hold the ledger's size row meanwhile, which the lock's holder waits for next."""
    query = select(Incident).where(Incident.id == incident_id, readable(subject, Incident))
    locked = query.with_for_update(key_share=True) if for_update else query
    incident = session.execute(locked).scalar_one_or_none()
    if incident is None:
        raise NotFound()
    return incident


def report_incident(
    session: Session, *, cell: CellDefinition, subject: Subject, report: Report, now: datetime | None = None
) -> Incident:
    """File a report: derived fields computed here, released at once (or held for the mediator where the
    desk is supervised) unless it is a draft."""
    now = now or utcnow()
    if not can_report_incident(subject, DESK):
        raise Forbidden(N_("only liaison officers, de-escalation officers and observers report incidents"))
    problems = report_problems(session, cell=cell, subject=subject, report=report)
    if problems:
        raise invalid(problems)
    derived = derive(
        cell, location=report.location, type=report.type, actor_party=report.actor_party, severity=report.severity
    )
    recipients = report.releasable_to if report.releasable_to is not None else default_recipients(cell, subject.party)
    incident = Incident(
        occurred_at=report.occurred_at,
        occurred_until=report.occurred_until,
        time_precision=str(report.time_precision),
        location=report.location,
        geo_precision=str(report.geo_precision),
        type=report.type,
        actor_party=report.actor_party,
        reported_severity=report.severity,
        killed=report.casualties.killed,
        injured=report.casualties.injured,
        civilians_killed=report.casualties.civilians_killed,
        civilians_injured=report.casualties.civilians_injured,
        description=report.description,
        sources=list(report.sources),
        attachments=_attachment_envelopes(_citable_attachments(session, subject, report.attachments)),
        lat=derived.lat,
        lon=derived.lon,
        zones=derived.zones,
        side=derived.side,
        protected_sites=derived.protected_sites,
        violations=derived.violations,
        severity=derived.severity,
        stage=str(Stage.REPORTED),
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(report.marking),
        releasable_to=frozenset(recipients) - {subject.party},
        status=Status.DRAFT,
    )
    action = "incident-drafted" if report.draft else _submit(incident, cell, subject, now)
    session.add(incident)
    record_change(session, record=incident, action=action, actor=subject.username, party=subject.party)
    if incident.status != Status.DRAFT:
        propose_for(session, cell=cell, incident=incident, now=now)
    return incident


def release_incident(
    session: Session, *, cell: CellDefinition, subject: Subject, incident_id: uuid.UUID, now: datetime | None = None
) -> Incident:
    """A draft goes out: to its recipients, or to the mediator's review where the desk is supervised."""
    incident = readable_incident(session, subject=subject, incident_id=incident_id, for_update=True)
    if incident.origin_party != subject.party or not can_report_incident(subject, DESK):
        raise Forbidden(N_("a party releases only its own incidents, by its liaison or de-escalation officers"))
    if incident.status != Status.DRAFT:
        raise Conflict(N_("the incident is {status}, not a draft"), status=incident.status)
    now = now or utcnow()
    action = _submit(incident, cell, subject, now)
    incident.version += 1
    record_change(session, record=incident, action=action, actor=subject.username, party=subject.party)
    propose_for(session, cell=cell, incident=incident, now=now)
    return incident


def approve_incident(
    session: Session, *, cell: CellDefinition, subject: Subject, incident_id: uuid.UUID, now: datetime | None = None
) -> Incident:
    """The mediator lets a held report through to its recipients; the acknowledgement clock starts now."""
    incident = readable_incident(session, subject=subject, incident_id=incident_id, for_update=True)
    if not can_supervise(subject):
        raise Forbidden(N_("only the mediator's liaison officers and supervisors approve held reports"))
    if incident.status != Status.PENDING:
        raise Conflict(N_("the incident is {status}, not waiting for approval"), status=incident.status)
    _release(incident, cell, now or utcnow())
    incident.handled_by = subject.username
    incident.version += 1
    record_change(session, record=incident, action="incident-approved", actor=subject.username, party=subject.party)
    return incident


def _submit(incident: Incident, cell: CellDefinition, subject: Subject, now: datetime) -> str:
    """Release, or hold for the mediator where the desk asks for supervised delivery; the ledger action."""
    if _supervised(cell) and not subject.is_mediator:
        incident.status = Status.PENDING
        return "incident-submitted"
    _release(incident, cell, now)
    return "incident-reported"


def _supervised(cell: CellDefinition) -> bool:
    return any(desk.code == DESK and desk.supervised_delivery for desk in cell.desks)


def _release(incident: Incident, cell: CellDefinition, now: datetime) -> None:
    """Recipients see it now, and the acknowledgement clock starts for those who owe one."""
    incident.status = Status.RELEASED
    incident.released_at = now
    incident.ack_parties = parties_to_acknowledge(cell, incident.origin_party, frozenset(incident.releasable_to))
    if not incident.ack_parties:  # nobody owes an acknowledgement: the report stands acknowledged
        incident.stage = str(Stage.ACKNOWLEDGED)
        incident.acknowledged_at = now
        return
    hours = cell.deadlines.incident_response_hours.get(incident.severity)
    incident.ack_due_at = None if hours is None else now + timedelta(hours=hours)


def parties_to_acknowledge(cell: CellDefinition, origin: str, recipients: frozenset[str]) -> frozenset[str]:
    """The principals it is released to, other than the reporter; else the mediator, unless it reported."""
    principals = frozenset(p.code for p in cell.principals) & (recipients - {origin})
    return principals or frozenset({cell.mediator.code} - {origin})


def _citable_attachments(session: Session, subject: Subject, attachment_ids) -> dict[uuid.UUID, Attachment]:
    """The named hotline files the reporter may read and that are released (so their readers are settled)."""
    ids = list(dict.fromkeys(attachment_ids))
    if not ids:
        return {}
    query = select(Attachment).where(
        Attachment.id.in_(ids), Attachment.status == Status.RELEASED, readable(subject, Attachment)
    )
    found = {attachment.id: attachment for attachment in session.execute(query).scalars()}
    return {i: found[i] for i in ids if i in found}


def _attachment_envelopes(attachments: dict[uuid.UUID, Attachment]) -> list[dict]:
    """Each cited file with its envelope, so every reader of the incident is shown the files it may read."""
    return [
        {"id": str(a.id), "origin_party": a.origin_party, "releasable_to": sorted(a.releasable_to)}
        for a in attachments.values()
    ]
