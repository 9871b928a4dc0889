"""Accounts: users, their API tokens and web sessions, and the account events the record keeps."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, Recorded, Status, iso, new_id
from fusioncell.db.types import UTCDateTime, utcnow


class User(Base, Recorded):
    __tablename__ = "users"
    record_kind = "user"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    party: Mapped[str] = mapped_column(String(16), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(default=1)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The interface language the account chose (en, ar, he); None follows the browser. A preference of the
    # account's own, not a fact of the cell: outside the recorded content, so choosing one writes no entry.
    language: Mapped[str | None] = mapped_column(String(8), default=None)

    def ledger_content(self) -> dict[str, Any]:
        # The password hash is digested too: a hash swapped in the database shows up in the audit.
        return {
            "id": str(self.id),
            "username": self.username,
            "display_name": self.display_name,
            "party": self.party,
            "roles": sorted(self.roles),
            "password_hash": self.password_hash,
            "created_at": iso(self.created_at),
            "disabled_at": iso(self.disabled_at),
            "version": self.version,
        }

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        return self.party, Status.RELEASED, frozenset()


class ApiToken(Base, Recorded):
    __tablename__ = "api_tokens"
    record_kind = "api-token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    # SHA-256 of the secret: the secret itself is shown once and never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(default=1)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "user_id": str(self.user_id),
            "party": self.party,
            "name": self.name,
            "secret_hash": self.secret_hash,
            "created_at": iso(self.created_at),
            "revoked_at": iso(self.revoked_at),
            "version": self.version,
        }

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        return self.party, Status.RELEASED, frozenset()


class WebSession(Base):
    """A browser session; short-lived, so not in the record (the login event is)."""

    __tablename__ = "web_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class AccountEvent(Base, Envelope):
    """A login, a failed login, a logout, a token or account change: each one enters the record."""

    __tablename__ = "account_events"
    record_kind = "account-event"

    action: Mapped[str] = mapped_column(String(32), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    client: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[str | None] = mapped_column(String(256), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "action": self.action,
            "username": self.username,
            "user_id": None if self.user_id is None else str(self.user_id),
            "client": self.client,
            "detail": self.detail,
        }
