"""Joint statements, their numbered versions, comments and signatures, and the parties' signing keys.

A statement is never edited in place: each revision is a new `StatementVersion` whose canonical text's
SHA-256 is what the parties sign. A signature belongs to one version; a newer version voids it (the flag is
set, the row stays). Every row carries the envelope and enters the record.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import PartySet, UTCDateTime


class StatementStage(StrEnum):
    DRAFTING = "drafting"  # versions, comments and signatures may be added
    PUBLISHED = "published"  # every required party signed the published version; immutable from here


class Statement(Base, Envelope):
    __tablename__ = "statements"
    record_kind = "statement"

    title: Mapped[str] = mapped_column(String(300))
    required_parties: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)
    stage: Mapped[StatementStage] = mapped_column(String(16), default=StatementStage.DRAFTING)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    published_version: Mapped[int | None] = mapped_column(Integer, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "title": self.title,
            "required_parties": sorted(self.required_parties),
            "stage": str(self.stage),
            "latest_version": self.latest_version,
            "published_at": iso(self.published_at),
            "published_version": self.published_version,
        }


class StatementVersion(Base, Envelope):
    """One numbered text of a statement, in every language it has (one statement, several languages)."""

    __tablename__ = "statement_versions"
    __table_args__ = (UniqueConstraint("statement_id", "number", name="uq_statement_versions_number"),)
    record_kind = "statement-version"

    statement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("statements.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    texts: Mapped[dict] = mapped_column(JSON)  # {language: text}
    note: Mapped[str] = mapped_column(Text, default="")
    canonical_sha256: Mapped[str] = mapped_column(String(64))  # hex; what the parties sign

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "statement_id": str(self.statement_id),
            "number": self.number,
            "texts": dict(self.texts),
            "note": self.note,
            "canonical_sha256": self.canonical_sha256,
        }


class StatementSignature(Base, Envelope):
    """A party's approval of one exact version: Ed25519 over the version's canonical digest."""

    __tablename__ = "statement_signatures"
    __table_args__ = (UniqueConstraint("statement_id", "version_number", "party", name="uq_statement_signatures_once"),)
    record_kind = "statement-signature"

    statement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("statements.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    party: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the 64-byte Ed25519 signature
    signed_by: Mapped[str] = mapped_column(String(64))
    void: Mapped[bool] = mapped_column(Boolean, default=False)  # a newer version voided it

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "statement_id": str(self.statement_id),
            "version_number": self.version_number,
            "party": self.party,
            "key_id": self.key_id,
            "signature": self.signature,
            "signed_by": self.signed_by,
            "void": self.void,
        }


class StatementComment(Base, Envelope):
    __tablename__ = "statement_comments"
    record_kind = "statement-comment"

    statement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("statements.id"), index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer)  # 1-based
    text: Mapped[str] = mapped_column(Text)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "statement_id": str(self.statement_id),
            "version_number": self.version_number,
            "paragraph": self.paragraph,
            "text": self.text,
        }


class PartyKey(Base, Envelope):
    """A party's Ed25519 statement-signing key. The public half is every member's to read (it verifies
    signatures); the private half, when the party keeps it in the cell for web signing, is encrypted at rest
    with the cell's key-encryption key (diplomacy/signing.py) and never leaves the server."""

    __tablename__ = "party_keys"
    __table_args__ = (UniqueConstraint("key_id", name="uq_party_keys_key_id"),)
    record_kind = "party-key"

    party: Mapped[str] = mapped_column(String(16), index=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32 bytes
    key_id: Mapped[str] = mapped_column(String(16))  # hex: the first 8 bytes of SHA-256(public key)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sealed_private_key: Mapped[str | None] = mapped_column(Text, default=None)  # base64(nonce || AES-GCM)

    def ledger_content(self) -> dict[str, Any]:
        # The sealed private key is digested, never shown: a swap behind the application's back is seen.
        return self.envelope_content() | {
            "party": self.party,
            "public_key": self.public_key,
            "key_id": self.key_id,
            "revoked_at": iso(self.revoked_at),
            "stored_private_key": self.sealed_private_key is not None,
            "sealed_private_key": self.sealed_private_key,
        }

    @property
    def stored(self) -> bool:
        return self.sealed_private_key is not None
