"""Messages and what answers them: read receipts, acknowledgements, escalations, attachments.

Nothing here is edited in place but for lifecycle timestamps, each of which bumps the version and
enters the record: a correction is a new message, a retraction hides the body behind a reason.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.cell.definition import Precedence
from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime


class Message(Base, Envelope):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("created_by", "idempotency_key", name="uq_messages_sender_key"),
        Index("ix_messages_channel_created", "channel", "created_at"),
        Index("ix_messages_ack_due", "ack_due_at"),
    )
    record_kind = "message"

    channel: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    precedence: Mapped[str] = mapped_column(String(16), default=Precedence.ROUTINE)  # cell.definition.Precedence
    reply_to: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    corrects: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    relayed_from: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    references: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"kind": ..., "id": ...}]
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)  # attachment ids
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)
    # The parties that must acknowledge, and by when (None: no acknowledgement asked).
    ack_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    review_comment: Mapped[str | None] = mapped_column(Text, default=None)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    retraction_reason: Mapped[str | None] = mapped_column(Text, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "channel": self.channel,
            "body": self.body,
            "language": self.language,
            "precedence": self.precedence,
            "reply_to": _text(self.reply_to),
            "corrects": _text(self.corrects),
            "relayed_from": _text(self.relayed_from),
            "references": self.references,
            "attachments": self.attachments,
            "idempotency_key": self.idempotency_key,
            "ack_parties": sorted(self.ack_parties),
            "ack_due_at": iso(self.ack_due_at),
            "released_at": iso(self.released_at),
            "review_comment": self.review_comment,
            "reviewed_by": self.reviewed_by,
            "retracted_at": iso(self.retracted_at),
            "retraction_reason": self.retraction_reason,
        }


class ReceiptKind(StrEnum):
    READ = "read"
    ACKNOWLEDGED = "acknowledged"


class Receipt(Base, Envelope):
    """A party read or acknowledged a message: released to the message's origin party."""

    __tablename__ = "message_receipts"
    __table_args__ = (UniqueConstraint("message_id", "party", "kind", name="uq_message_receipts_once"),)
    record_kind = "receipt"

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {"message_id": str(self.message_id), "party": self.party, "kind": self.kind}


class Escalation(Base, Envelope):
    """A missed acknowledgement deadline, raised to the mediator's supervisors; at most one per
    message and party, so a restart or a second server process never fires it twice."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("message_id", "party", name="uq_escalations_once"),)
    record_kind = "escalation"

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))  # the party that did not acknowledge
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(64), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "message_id": str(self.message_id),
            "party": self.party,
            "due_at": iso(self.due_at),
            "resolved_at": iso(self.resolved_at),
            "resolved_by": self.resolved_by,
        }


class Attachment(Base, Envelope):
    """A content-addressed file. A draft of its uploader's party until a message carries it; then
    it takes that message's envelope, so exactly the message's readers may fetch it."""

    __tablename__ = "attachments"
    record_kind = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "sha256": self.sha256,
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "message_id": _text(self.message_id),
        }


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
