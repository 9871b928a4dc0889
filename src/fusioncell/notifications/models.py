"""Notifications out: a party's webhook subscriptions and their delivery log; a user's e-mail alerts.

Subscriptions and e-mail settings belong to a party (account-like, not enveloped records); their
creation and changes enter the record. Deliveries, attempts and sent mail are operational logs.
Each subscription and each e-mail setting keeps a cursor: the next ledger index to look at, so a
restart neither skips nor repeats anything.
"""

import hashlib
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Recorded, Status, iso, new_id
from fusioncell.db.types import UTCDateTime, utcnow


class Webhook(Base, Recorded):
    __tablename__ = "webhooks"
    record_kind = "webhook"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    party: Mapped[str] = mapped_column(String(16), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(256))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # record kinds; empty means all
    # Kept so it can sign; shown once at creation, never again. The record holds only its digest.
    secret: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(default=1)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # operational: not in the record

    def ledger_content(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "party": self.party,
            "url": self.url,
            "description": self.description,
            "kinds": sorted(self.kinds),
            "secret_hash": hashlib.sha256(self.secret.encode()).hexdigest(),
            "created_by": self.created_by,
            "created_at": iso(self.created_at),
            "disabled_at": iso(self.disabled_at),
            "version": self.version,
        }

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        return self.party, Status.RELEASED, frozenset()


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry
    CANCELLED = "cancelled"  # the record is no longer readable by the party, or the webhook was disabled


class Delivery(Base):
    """One ledger entry to deliver to one webhook. The body is built at each attempt from the record
    as it then stands, so a record that became unreadable is never sent."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "ledger_index", name="uq_webhook_deliveries_once"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id"), index=True)
    ledger_index: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    record_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class DeliveryAttempt(Base):
    __tablename__ = "webhook_delivery_attempts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(String(512), default=None)
    duration_ms: Mapped[int] = mapped_column(Integer)


class EmailSettings(Base, Recorded):
    """A user's alert address and the precedences that warrant an e-mail."""

    __tablename__ = "email_settings"
    record_kind = "email-settings"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), unique=True)
    party: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254), default=None)  # None: no e-mail
    precedences: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)  # operational: not in the record

    def ledger_content(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "user_id": str(self.user_id),
            "party": self.party,
            "email": self.email,
            "precedences": sorted(self.precedences),
            "updated_at": iso(self.updated_at),
            "version": self.version,
        }

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        return self.party, Status.RELEASED, frozenset()


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # handed to the SMTP server; if the process died here it is never sent again
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EmailLog(Base):
    """One alert for one user about one ledger entry: at most once, whatever restarts."""

    __tablename__ = "email_log"
    __table_args__ = (
        UniqueConstraint("user_id", "ledger_index", name="uq_email_log_once"),
        Index("ix_email_log_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    ledger_index: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(256), default=None)
    status: Mapped[str] = mapped_column(String(16), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
