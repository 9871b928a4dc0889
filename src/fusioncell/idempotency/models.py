"""One row per (caller account, Idempotency-Key): the write it guarded, and its answer once known.

The row is inserted in the write's own transaction, so a crash never leaves a write without its key or a key
without its write. The answer is only known once that transaction has committed, so it is stored afterwards
in a second, short transaction: a row with no `status_code` is a write that committed but whose answer was
never stored (the server died in between). It is bookkeeping, not a record: it does not enter the ledger.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base
from fusioncell.db.types import UTCDateTime, utcnow


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(1024))
    request_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, query and body
    # The server process that ran the write (host:pid:random): a retry in another process, finding no answer,
    # says so at once rather than waiting for an answer its process may never store (it was killed).
    claimed_by: Mapped[str] = mapped_column(String(128))
    # What the write recorded: its first ledger entry (kind, record id, index), if it recorded anything.
    record_kind: Mapped[str | None] = mapped_column(String(32), default=None)
    record_id: Mapped[str | None] = mapped_column(String(64), default=None)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The answer, stored after the commit; None while unknown.
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    media_type: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
