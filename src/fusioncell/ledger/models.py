"""The record's tables: its entries (blinded leaves), the stored Merkle nodes, and signed checkpoints."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, Releasable
from fusioncell.db.types import UTCDateTime, utcnow


class LedgerState(Base):
    """One row: the tree size. Appends lock it, so indices are handed out one writer at a time."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerEntry(Base, Releasable):
    """One leaf. Its envelope is the record's at the time of the change, so the releasability rule
    decides who may read the body and salt; the leaf itself is public to every member."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_record", "kind", "record_id", "record_version"),)

    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[bytes] = mapped_column(LargeBinary(32))  # SHA-256(salt || body)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    body: Mapped[str] = mapped_column(Text)  # RFC 8785 canonical JSON
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    record_version: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LedgerNode(Base):
    """A perfect subtree's hash: level 0 holds the Merkle leaf hashes, level L covers 2^L leaves.
    Any proof needs O(log n) of them, fetched in one query."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A C2SP signed checkpoint of the tree at `size`."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SigningKeyChange(Base, Envelope):
    """A rotation of the cell's signing key, in the record itself: the key that signed until now, the key
    that signs from now on, and why. The checkpoint right after this entry (its `ledger_index` + 1) is
    signed by both keys, so whoever trusts the old key can prove the new one was handed over by it
    (ledger/key_chain.py)."""

    __tablename__ = "ledger_signing_keys"
    record_kind = "signing-key"

    previous_vkey: Mapped[str] = mapped_column(String(256))
    vkey: Mapped[str] = mapped_column(String(256), unique=True)
    reason: Mapped[str] = mapped_column(Text)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "previous_vkey": self.previous_vkey,
            "vkey": self.vkey,
            "reason": self.reason,
        }
