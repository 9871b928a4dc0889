"""The commitments register: what a party undertook (in a statement or a meeting), by when, and how it went.

A commitment's own lifecycle (proposed ... done, breached, withdrawn) is its `state`; the envelope's `status`
stays the releasability state every record has. Each state change is kept in `history` with its time, so the
board's chart and any later reading can replay the register week by week. Notes and contests are records of
their own (their writers are not the commitment's origin), each carrying the envelope.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import UTCDateTime


class State(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BREACHED = "breached"
    WITHDRAWN = "withdrawn"


# Still owed: an overdue one of these waits on its responsible party. A proposal binds nobody yet.
OPEN_STATES = (State.AGREED, State.IN_PROGRESS)
CLAIMABLE = (State.IN_PROGRESS, State.DONE)  # what the responsible party may claim
FINAL = (State.DONE, State.BREACHED, State.WITHDRAWN)


class SourceKind(StrEnum):
    STATEMENT = "statement"
    MEETING = "meeting"
    OTHER = "other"


class Outcome(StrEnum):
    UPHELD = "upheld"  # the contest is right: the claim is undone (or the ruling sets the state)
    DISMISSED = "dismissed"  # the claim stands


class Commitment(Base, Envelope):
    __tablename__ = "commitments"
    __table_args__ = (Index("ix_commitments_due", "state", "due_at"),)
    record_kind = "commitment"

    text: Mapped[str] = mapped_column(Text)
    responsible_party: Mapped[str] = mapped_column(String(16), index=True)
    # Statements and meetings are other modules' records: referenced by kind and id, no foreign key.
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(64), default=None)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default=State.PROPOSED)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # [{state, at, by, party, reason}] oldest first: every change of state, reverts included.
    history: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # [{kind, id, added_by, added_party, added_at}]: links shown only to who may read the linked record.
    evidence: Mapped[list[dict]] = mapped_column(JSON, default=list)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "text": self.text,
            "responsible_party": self.responsible_party,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "made_at": iso(self.made_at),
            "due_at": iso(self.due_at),
            "state": self.state,
            "state_changed_at": iso(self.state_changed_at),
            "history": self.history,
            "evidence": self.evidence,
        }


class CommitmentNote(Base, Envelope):
    """A progress note by the responsible party; with a claimed state when the note claims one."""

    __tablename__ = "commitment_notes"
    record_kind = "commitment-note"

    commitment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commitments.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    claimed_state: Mapped[str | None] = mapped_column(String(16), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "commitment_id": str(self.commitment_id),
            "body": self.body,
            "claimed_state": self.claimed_state,
        }


class CommitmentContest(Base, Envelope):
    """Another party disputes the responsible party's claim; the mediator rules on it."""

    __tablename__ = "commitment_contests"
    record_kind = "commitment-contest"

    commitment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("commitments.id"), index=True)
    claimed_state: Mapped[str] = mapped_column(String(16))  # the claim contested
    prior_state: Mapped[str] = mapped_column(String(16))  # what the claim replaced: restored if upheld
    reasons: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    ruled_by: Mapped[str | None] = mapped_column(String(64), default=None)
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ruling: Mapped[str | None] = mapped_column(Text, default=None)
    ruled_state: Mapped[str | None] = mapped_column(String(16), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "commitment_id": str(self.commitment_id),
            "claimed_state": self.claimed_state,
            "prior_state": self.prior_state,
            "reasons": self.reasons,
            "outcome": self.outcome,
            "ruled_by": self.ruled_by,
            "ruled_at": iso(self.ruled_at),
            "ruling": self.ruling,
            "ruled_state": self.ruled_state,
        }
