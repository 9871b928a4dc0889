"""Deconfliction notices and their acknowledgements.

A notice is never edited: its findings about the ground are computed once, when it is given, and kept
with it (they enter the record); a retraction hides what it announced behind a reason. Overlaps with
other parties' notices are not stored: they depend on who looks (deconfliction/findings.py).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime


class Notice(Base, Envelope):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_window", "starts_at", "ends_at"),
        Index("ix_notices_ends_at", "ends_at"),
    )
    record_kind = "notice"

    activity: Mapped[str] = mapped_column(String(32))  # cell.deconfliction.Activity
    area: Mapped[dict] = mapped_column(JSON)  # a GeoJSON Polygon, lon/lat; a circle's too, drawn
    # The circle the area was given as, if it was: what the notifying party actually said.
    circle_lat: Mapped[float | None] = mapped_column(Float, default=None)
    circle_lon: Mapped[float | None] = mapped_column(Float, default=None)
    circle_radius_km: Mapped[float | None] = mapped_column(Float, default=None)
    # The area's bounding box, so the search for overlapping notices starts in SQL, not in Python.
    west: Mapped[float] = mapped_column(Float)
    south: Mapped[float] = mapped_column(Float)
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    altitude_min_m: Mapped[int | None] = mapped_column(Integer, default=None)  # above mean sea level
    altitude_max_m: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{code, severity, message, details}]
    ack_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retraction_reason: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def circle(self) -> dict[str, float] | None:
        if self.circle_radius_km is None:
            return None
        return {"lat": self.circle_lat, "lon": self.circle_lon, "radius_km": self.circle_radius_km}

    @property
    def altitude(self) -> dict[str, int] | None:
        if self.altitude_min_m is None:
            return None
        return {"min_m": self.altitude_min_m, "max_m": self.altitude_max_m}

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "activity": self.activity,
            "area": self.area,
            "circle": self.circle,
            "bounds": [self.west, self.south, self.east, self.north],
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at),
            "altitude": self.altitude,
            "description": self.description,
            "findings": self.findings,
            "ack_parties": sorted(self.ack_parties),
            "released_at": iso(self.released_at),
            "retracted_at": iso(self.retracted_at),
            "retraction_reason": self.retraction_reason,
        }


class NoticeAcknowledgement(Base, Envelope):
    """A party acknowledged a notice: released to the notice's origin party (the mediator sees it too)."""

    __tablename__ = "notice_acknowledgements"
    __table_args__ = (UniqueConstraint("notice_id", "party", name="uq_notice_acknowledgements_once"),)
    record_kind = "notice-acknowledgement"

    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {"notice_id": str(self.notice_id), "party": self.party}
