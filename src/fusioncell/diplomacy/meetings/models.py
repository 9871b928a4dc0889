"""A meeting of the cell and its minutes, kept on one row.

The minutes live with their meeting because they are approved as a whole and read by exactly the meeting's
readers; every draft, approval and the agreement is a new version of the row and a new entry in the record,
so the ledger holds each draft that was ever put to the parties and who approved which one.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime


class MinutesState(StrEnum):
    NONE = "none"  # nothing drafted yet
    DRAFT = "draft"  # put to the attending parties, awaiting approvals
    AGREED = "agreed"  # approved by every attending party: in the record, never changed again


class Meeting(Base, Envelope):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_starts_at", "starts_at"),)
    record_kind = "meeting"

    title: Mapped[str] = mapped_column(String(200))
    place_code: Mapped[str | None] = mapped_column(String(64), default=None)  # a place of the gazetteer
    venue_text: Mapped[str | None] = mapped_column(Text, default=None)  # or a venue given in words
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    participants: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{party, delegates: [names]}]
    agenda: Mapped[list[str]] = mapped_column(JSON, default=list)
    attachment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Parties whose approval makes the minutes agreed: the attending principals (sorted codes).
    approving_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    minutes_state: Mapped[MinutesState] = mapped_column(String(16), default=MinutesState.NONE)
    minutes_draft: Mapped[int] = mapped_column(Integer, default=0)  # the current draft's number; 0: none
    minutes_text: Mapped[str | None] = mapped_column(Text, default=None)
    minutes_drafted_by: Mapped[str | None] = mapped_column(String(64), default=None)
    minutes_drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Approvals of the current draft only: {party: {"by": username, "at": iso}}; a redraft empties it.
    minutes_approvals: Mapped[dict] = mapped_column(JSON, default=dict)
    minutes_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    @property
    def participant_parties(self) -> list[str]:
        return [p["party"] for p in self.participants]

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "title": self.title,
            "place_code": self.place_code,
            "venue_text": self.venue_text,
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at),
            "participants": self.participants,
            "agenda": self.agenda,
            "attachment_ids": self.attachment_ids,
            "approving_parties": sorted(self.approving_parties),
            "minutes_state": str(self.minutes_state),
            "minutes_draft": self.minutes_draft,
            "minutes_text": self.minutes_text,
            "minutes_drafted_by": self.minutes_drafted_by,
            "minutes_drafted_at": iso(self.minutes_drafted_at),
            "minutes_approvals": self.minutes_approvals,
            "minutes_agreed_at": iso(self.minutes_agreed_at),
        }
