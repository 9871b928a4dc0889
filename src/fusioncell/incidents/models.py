"""Incidents, the escalations of their missed acknowledgements, and the complaints filed about them.

An incident is never edited in place but for its lifecycle (one timestamp per stage, each change bumping
the version and entering the record). What the server derives from where it lies (zones, side, protected
sites, violations) is computed once, when it is reported, against the cell's geography then in force.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime


class TimePrecision(StrEnum):
    """How exactly `occurred_at` is known (ACLED's time precision, in words)."""

    EXACT = "exact"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


class GeoPrecision(StrEnum):
    """How exactly the location is known (ACLED's geo precision, in words)."""

    EXACT = "exact"  # the very place
    NEAR = "near"  # near it: a village's outskirts, a road section
    REGION = "region"  # only the wider area


class Stage(StrEnum):
    """Where an incident stands in its handling, in order (its envelope `status` is another matter)."""

    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    UNDER_INVESTIGATION = "under_investigation"
    FINDING = "finding"
    CLOSED = "closed"


class Finding(StrEnum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    INCONCLUSIVE = "inconclusive"


class Incident(Base, Envelope):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_occurred_at", "occurred_at"),
        # A filtered list page walks (column, id) newest first and stops at the page's end; an index on the
        # column alone made SQLite read and sort every matching row (bench/incidents.py: 1.4 s at 10^6).
        Index("ix_incidents_type", "type", "id"),
        Index("ix_incidents_stage", "stage", "id"),
        Index("ix_incidents_origin_party", "origin_party", "id"),
        Index("ix_incidents_ack_due", "ack_due_at"),
        Index("ix_incidents_lat_lon", "lat", "lon"),
        # The CoT feed polls for incidents newer than the last ledger index it sent.
        Index("ix_incidents_ledger_index", "ledger_index"),
    )
    record_kind = "incident"
    # The envelope's column, indexed with the id above rather than alone (as the Releasable mixin would).
    origin_party: Mapped[str] = mapped_column(String(16))

    # What the reporter says.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)  # end of a time window
    time_precision: Mapped[str] = mapped_column(String(8))  # TimePrecision
    location: Mapped[dict] = mapped_column(JSON)  # a GeoJSON Point or Polygon, lon/lat
    geo_precision: Mapped[str] = mapped_column(String(8))  # GeoPrecision
    type: Mapped[str] = mapped_column(String(64))  # a code of the cell's incident_types
    actor_party: Mapped[str | None] = mapped_column(String(16), default=None)  # whose forces acted; None: unknown
    reported_severity: Mapped[int] = mapped_column(Integer)
    killed: Mapped[int] = mapped_column(Integer, default=0)  # all killed, civilians included
    injured: Mapped[int] = mapped_column(Integer, default=0)
    civilians_killed: Mapped[int] = mapped_column(Integer, default=0)
    civilians_injured: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Hotline files the reporter could read, each with its envelope as released; a released file's
    # readers never change (a retraction keeps them), so each reader is shown the files they may read.
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{id, origin_party, releasable_to}]

    # What the server derives when it is reported.
    lat: Mapped[float] = mapped_column(Float)  # the location's representative point, for indexing and maps
    lon: Mapped[float] = mapped_column(Float)
    # A set of zone codes; PartySet stores any set of codes so that `party_in` can filter on it.
    zones: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    side: Mapped[str | None] = mapped_column(String(64), default=None)
    protected_sites: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{place, distance_km}], nearest first
    violations: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{rule, names, severity}]
    severity: Mapped[int] = mapped_column(Integer)  # the reported one, raised to what the violations demand

    # The lifecycle: one timestamp per stage.
    stage: Mapped[str] = mapped_column(String(24), default=Stage.REPORTED)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ack_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    acknowledged_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    investigation_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finding: Mapped[str | None] = mapped_column(String(16), default=None)  # Finding
    finding_reasons: Mapped[str | None] = mapped_column(Text, default=None)
    finding_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    handled_by: Mapped[str | None] = mapped_column(String(64), default=None)  # the mediator's last hand on it
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retraction_reason: Mapped[str | None] = mapped_column(Text, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "occurred_at": iso(self.occurred_at),
            "occurred_until": iso(self.occurred_until),
            "time_precision": self.time_precision,
            "location": self.location,
            "geo_precision": self.geo_precision,
            "type": self.type,
            "actor_party": self.actor_party,
            "reported_severity": self.reported_severity,
            "casualties": [self.killed, self.injured, self.civilians_killed, self.civilians_injured],
            "description": self.description,
            "sources": self.sources,
            "attachments": self.attachments,
            "lat": self.lat,
            "lon": self.lon,
            "zones": sorted(self.zones),
            "side": self.side,
            "protected_sites": self.protected_sites,
            "violations": self.violations,
            "severity": self.severity,
            "stage": self.stage,
            "released_at": iso(self.released_at),
            "ack_parties": sorted(self.ack_parties),
            "acknowledged_parties": sorted(self.acknowledged_parties),
            "ack_due_at": iso(self.ack_due_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "investigation_opened_at": iso(self.investigation_opened_at),
            "finding": self.finding,
            "finding_reasons": self.finding_reasons,
            "finding_at": iso(self.finding_at),
            "closed_at": iso(self.closed_at),
            "handled_by": self.handled_by,
            "retracted_at": iso(self.retracted_at),
            "retraction_reason": self.retraction_reason,
        }


class IncidentEscalation(Base, Envelope):
    """A party missed an incident's acknowledgement deadline: the mediator's own record, at most one per
    incident and party, so a restart or a second server process never raises it twice."""

    __tablename__ = "incident_escalations"
    __table_args__ = (UniqueConstraint("incident_id", "party", name="uq_incident_escalations_once"),)
    record_kind = "incident-escalation"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))  # the party that did not acknowledge
    severity: Mapped[int] = mapped_column(Integer)  # the incident's, when it fell due
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "incident_id": str(self.incident_id),
            "party": self.party,
            "severity": self.severity,
            "due_at": iso(self.due_at),
        }


class ComplaintStage(StrEnum):
    FILED = "filed"
    ANSWERED = "answered"
    RULED = "ruled"


class Ruling(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class Complaint(Base, Envelope):
    """A party's complaint about an incident of the other party, the accused party's answer and the
    mediator's ruling. Its envelope: the complainant's, released to the accused party (and so the mediator)."""

    __tablename__ = "complaints"
    record_kind = "complaint"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    accused_party: Mapped[str] = mapped_column(String(16))
    grounds: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16), default=ComplaintStage.FILED)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    answered_by: Mapped[str | None] = mapped_column(String(64), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ruling: Mapped[str | None] = mapped_column(String(16), default=None)  # Ruling
    ruling_reasons: Mapped[str | None] = mapped_column(Text, default=None)
    ruled_by: Mapped[str | None] = mapped_column(String(64), default=None)
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "incident_id": str(self.incident_id),
            "accused_party": self.accused_party,
            "grounds": self.grounds,
            "stage": self.stage,
            "answer": self.answer,
            "answered_by": self.answered_by,
            "answered_at": iso(self.answered_at),
            "ruling": self.ruling,
            "ruling_reasons": self.ruling_reasons,
            "ruled_by": self.ruled_by,
            "ruled_at": iso(self.ruled_at),
        }
