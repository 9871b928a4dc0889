"""Fused incidents: reports of one event, from different parties or sources, held together.

A fusion is the mediator's record. While only proposed (by the desk, from matching.py) it is the mediator's
alone; once the mediator merges it, it is released to the parties the mediator names, usually those whose
reports it holds. Its members are the source reports, each kept whole and read under its own envelope: a
party sees the other party's report in a fusion only where that report was released to it.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fusioncell.db.base import Base, Envelope, iso, new_id
from fusioncell.db.types import UTCDateTime


class FusionStage(StrEnum):
    PROPOSED = "proposed"  # put before the mediator by the desk; the mediator's alone
    MERGED = "merged"  # the mediator holds these reports to be one event
    DISMISSED = "dismissed"  # the mediator holds the proposal wrong; it stays the mediator's alone
    SPLIT = "split"  # once merged, split until fewer than two reports were left together


class MemberState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    SPLIT = "split"  # taken out by the mediator, with the fusion's reason; kept so the record shows it


class Fusion(Base, Envelope):
    __tablename__ = "fusions"
    record_kind = "fusion"

    stage: Mapped[str] = mapped_column(String(16), index=True)
    # A proposal to add reports to a fusion already merged: confirming it extends that fusion.
    extends_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("fusions.id"), default=None)
    # What the members say together, recomputed from the members in the fusion (never from those split off).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    type: Mapped[str] = mapped_column(String(64))  # the members' type, or their event type where they differ
    severity: Mapped[int] = mapped_column(Integer)  # the gravest member's
    score: Mapped[float] = mapped_column(Float)  # matching.py's, of the closest pair; 1 for a fusion by hand
    description: Mapped[str | None] = mapped_column(Text, default=None)  # the mediator's own summary
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)  # of a dismissal or the last split

    members: Mapped[list["FusionMember"]] = relationship(
        back_populates="fusion", lazy="selectin", order_by="FusionMember.id", cascade="all, delete-orphan"
    )

    def in_fusion(self) -> list["FusionMember"]:
        """The members still held together (a split-off member is kept only as history)."""
        return [m for m in self.members if m.state != MemberState.SPLIT]

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "stage": self.stage,
            "extends_id": None if self.extends_id is None else str(self.extends_id),
            "occurred_at": iso(self.occurred_at),
            "occurred_until": iso(self.occurred_until),
            "lat": self.lat,
            "lon": self.lon,
            "type": self.type,
            "severity": self.severity,
            "score": self.score,
            "description": self.description,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at),
            "reason": self.reason,
            "members": [m.ledger_content() for m in sorted(self.members, key=lambda m: str(m.incident_id))],
        }


class FusionMember(Base):
    """One source report in a fusion: which, whose, how close to the others, and whether it is still in."""

    __tablename__ = "fusion_members"
    __table_args__ = (UniqueConstraint("fusion_id", "incident_id", name="uq_fusion_members_once"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    fusion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fusions.id"), index=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    origin_party: Mapped[str] = mapped_column(String(16))  # the report's, so "who said what" needs no join
    state: Mapped[str] = mapped_column(String(16))
    # To the closest other member when it joined; None where it was fused by hand beyond the thresholds.
    minutes_apart: Mapped[float | None] = mapped_column(Float, default=None)
    km_apart: Mapped[float | None] = mapped_column(Float, default=None)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())

    fusion: Mapped[Fusion] = relationship(back_populates="members")

    def ledger_content(self) -> dict[str, Any]:
        return {
            "incident_id": str(self.incident_id),
            "origin_party": self.origin_party,
            "state": self.state,
            "minutes_apart": self.minutes_apart,
            "km_apart": self.km_apart,
            "added_at": iso(self.added_at),
        }
