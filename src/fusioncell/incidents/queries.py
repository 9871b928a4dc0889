"""What the desk, the map, exports and the API list: incidents by filter, escalations.

Every query here filters through access/rule.py `readable`: none returns a row its caller may not read.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import party_in
from fusioncell.errors import NotFound
from fusioncell.incidents.models import Incident, IncidentEscalation, Stage


@dataclass(frozen=True)
class IncidentFilters:
    """Every filter given must hold; None: any."""

    status: Status | None = None  # the envelope's: draft, pending, released, retracted
    stage: Stage | None = None
    type: str | None = None  # a type code; an event type matches its sub-types too
    party: str | None = None  # the reporting party
    actor: str | None = None  # the party the incident is attributed to
    zone: str | None = None  # a zone code the incident lies in
    since: datetime | None = None  # occurred at or after
    until: datetime | None = None  # occurred before


def type_codes(cell: CellDefinition, code: str) -> list[str]:
    """The type and, for an event type, its sub-types."""
    return [code, *(t.code for t in cell.incident_types if t.parent == code)]


def list_incidents(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    filters: IncidentFilters = IncidentFilters(),
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Incident]:
    """Newest report first; ids are UUIDv7, so they order by time and serve as the cursor (`before`)."""
    query = filtered(select(Incident).where(readable(subject, Incident)), cell, filters)
    if before is not None:
        query = query.where(Incident.id < before)
    return list(session.execute(query.order_by(Incident.id.desc()).limit(limit)).scalars())


def filtered(query: Select, cell: CellDefinition, filters: IncidentFilters) -> Select:
    """The query narrowed to what every filter given asks."""
    if filters.status is not None:
        query = query.where(Incident.status == str(filters.status))
    if filters.stage is not None:
        query = query.where(Incident.stage == str(filters.stage))
    if filters.type is not None:
        query = query.where(Incident.type.in_(type_codes(cell, filters.type)))
    if filters.party is not None:
        query = query.where(Incident.origin_party == filters.party)
    if filters.actor is not None:
        query = query.where(Incident.actor_party == filters.actor)
    if filters.zone is not None:
        query = query.where(party_in(Incident.zones, filters.zone))
    if filters.since is not None:
        query = query.where(Incident.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(Incident.occurred_at < filters.until)
    return query


# What the map draws of an incident; the rest (account, zones, violations) is fetched when its popup opens.
MAP_COLUMNS = (
    Incident.id,
    Incident.version,
    Incident.origin_party,
    Incident.status,
    Incident.stage,
    Incident.type,
    Incident.severity,
    Incident.occurred_at,
    Incident.lat,
    Incident.lon,
    Incident.location,
)


def map_points(
    session: Session, *, cell: CellDefinition, subject: Subject, filters: IncidentFilters, limit: int
) -> list[Row]:
    """The map's columns of the incidents the caller may read, newest first: one query, no rows loaded whole."""
    query = filtered(select(*MAP_COLUMNS).where(readable(subject, Incident)), cell, filters)
    return list(session.execute(query.order_by(Incident.id.desc()).limit(limit)))


def list_incident_escalations(
    session: Session, *, subject: Subject, before: uuid.UUID | None = None, limit: int = 50
) -> list[IncidentEscalation]:
    """Newest first. They are the mediator's records: every other party's list is empty."""
    query = select(IncidentEscalation).where(readable(subject, IncidentEscalation))
    if before is not None:
        query = query.where(IncidentEscalation.id < before)
    return list(session.execute(query.order_by(IncidentEscalation.id.desc()).limit(limit)).scalars())


def readable_incident_escalation(session: Session, *, subject: Subject, escalation_id: uuid.UUID) -> IncidentEscalation:
    escalation = session.execute(
        select(IncidentEscalation).where(IncidentEscalation.id == escalation_id, readable(subject, IncidentEscalation))
    ).scalar_one_or_none()
    if escalation is None:
        raise NotFound()
    return escalation
