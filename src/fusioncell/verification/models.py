"""The verification part of the de-escalation desk: force-posture declarations, inspection reports and the
withdrawal tracker's positions.

A declaration and an inspection are never changed once filed: what the server finds against the 1974
limits (verification/limits.py) is computed once, against the cell definition in force then, and kept with
them. A position moves through its stages (occupied → scheduled → withdrawn → verified), one timestamp per
stage and one milestone each, every move bumping the version and entering the record.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime

COUNTS = ("troops", "tanks", "artillery", "heavy_artillery", "missiles")  # what is declared and observed


class Result(StrEnum):
    """An inspection's overall result."""

    COMPLIANT = "compliant"
    VIOLATION = "violation"
    INCONCLUSIVE = "inconclusive"


class PositionStage(StrEnum):
    """Where a position stands in its withdrawal, in order."""

    OCCUPIED = "occupied"
    SCHEDULED = "scheduled"
    WITHDRAWN = "withdrawn"
    VERIFIED = "verified"


class PostureDeclaration(Base, Envelope):
    """A principal's forces in one band of the Areas of Limitation (or the AOS) as of a date."""

    __tablename__ = "posture_declarations"
    __table_args__ = (Index("ix_posture_declarations_zone", "zone"),)
    record_kind = "posture-declaration"

    zone: Mapped[str] = mapped_column(String(64))  # a zone code of the cell with limits
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
    troops: Mapped[int] = mapped_column(Integer, default=0)
    tanks: Mapped[int] = mapped_column(Integer, default=0)
    artillery: Mapped[int] = mapped_column(Integer, default=0)
    heavy_artillery: Mapped[int] = mapped_column(Integer, default=0)
    missiles: Mapped[int] = mapped_column(Integer, default=0)  # surface-to-air and surface-to-surface
    remarks: Mapped[str | None] = mapped_column(Text, default=None)
    # What the server found against the zone's limits: [{limit, declared, allowed, over}].
    findings: Mapped[list[dict]] = mapped_column(JSON, default=list)
    over_limit: Mapped[bool] = mapped_column(Boolean, default=False)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "zone": self.zone,
            "as_of": iso(self.as_of),
            "counts": [getattr(self, name) for name in COUNTS],
            "remarks": self.remarks,
            "findings": self.findings,
            "over_limit": self.over_limit,
        }


class Inspection(Base, Envelope):
    """An observer's inspection of one or more zones, with its findings and overall result."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_inspected_at", "inspected_at"),)
    record_kind = "inspection"

    zones: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)  # PartySet: any set of codes
    inspected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    position_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # a position it checks
    declaration_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # a declaration it checks
    # [{zone, observed: {count: n}, compliant, remark, over: [{limit, observed, allowed}]}]; `compliant` is
    # false wherever the observed counts exceed the zone's limits, whatever the inspector said.
    findings: Mapped[list[dict]] = mapped_column(JSON, default=list)
    reported_result: Mapped[str] = mapped_column(String(16))  # Result, as the inspector said
    result: Mapped[str] = mapped_column(String(16))  # Result, violation when any finding is not compliant
    summary: Mapped[str] = mapped_column(Text)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "zones": sorted(self.zones),
            "inspected_at": iso(self.inspected_at),
            "position_id": None if self.position_id is None else str(self.position_id),
            "declaration_id": None if self.declaration_id is None else str(self.declaration_id),
            "findings": self.findings,
            "reported_result": self.reported_result,
            "result": self.result,
            "summary": self.summary,
        }


class Position(Base, Envelope):
    """A position a principal holds, tracked to its verified withdrawal."""

    __tablename__ = "positions"
    __table_args__ = (Index("ix_positions_stage", "stage"),)
    record_kind = "position"

    name: Mapped[str] = mapped_column(String(200))
    holding_party: Mapped[str] = mapped_column(String(16))
    location: Mapped[dict] = mapped_column(JSON)  # a GeoJSON Point or Polygon, lon/lat
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # Derived when registered, as for incidents (incidents/derived.py).
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    zones: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    side: Mapped[str | None] = mapped_column(String(64), default=None)
    # The withdrawal: one timestamp per stage, and every move as a milestone [{stage, at, by, party, note}].
    stage: Mapped[str] = mapped_column(String(16), default=PositionStage.OCCUPIED)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    milestones: Mapped[list[dict]] = mapped_column(JSON, default=list)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "name": self.name,
            "holding_party": self.holding_party,
            "location": self.location,
            "description": self.description,
            "lat": self.lat,
            "lon": self.lon,
            "zones": sorted(self.zones),
            "side": self.side,
            "stage": self.stage,
            "due_at": iso(self.due_at),
            "scheduled_at": iso(self.scheduled_at),
            "withdrawn_at": iso(self.withdrawn_at),
            "verified_at": iso(self.verified_at),
            "milestones": self.milestones,
        }
