"""The Idempotency-Key of API writes: validate a key, claim it inside the write's transaction, store the
answer after the commit, find it again for a retry, purge old keys. Plain functions; the middleware
(idempotency/middleware.py) is the HTTP side.

A key belongs to the caller's account: (username, key) is the table's primary key, so two requests with the
same key can never both commit, whatever the timing — the second one's insert fails (PostgreSQL: it waits
for the first to commit) and it answers as a retry does.
"""

import hashlib
import os
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, FusionError, Invalid
from fusioncell.i18n import N_
from fusioncell.idempotency.models import IdempotencyKey
from fusioncell.ledger.service import FIRST_ENTRY

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
KEY_PATTERN = r"^[\x21-\x7e]{8,128}$"  # 8 to 128 visible ASCII characters
_KEY = re.compile(KEY_PATTERN)
KEEP = timedelta(days=7)  # keys older than this may be purged (scheduled.py)


_process: tuple[int, str] | None = None


def process_id() -> str:
    """This server process, distinct from every other (a forked worker gets its own)."""
    global _process
    if _process is None or _process[0] != os.getpid():
        _process = (os.getpid(), f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:12]}")
    return _process[1]


def valid_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def request_digest(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of what identifies a request: method, path, query string and body, each length-prefixed."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    media_type: str | None


@dataclass
class Attempt:
    """A keyed API write in flight, as the middleware saw it; what the claim found is noted back on it."""

    key: str
    digest: str
    method: str
    path: str
    outcome: str | None = None  # CLAIMED, REPLAY, PENDING or MISMATCH once the caller is known
    username: str | None = None
    answer: Answer | None = None  # REPLAY: the answer stored for the key
    in_this_process: bool = False  # PENDING: the key's write ran in this process (it may still be running)


CLAIMED = "claimed"  # this request inserted the key, in its own transaction
REPLAY = "replay"  # the key's write committed and its answer is stored: answer that
PENDING = "pending"  # the key's write committed (or is committing) but its answer is not stored
MISMATCH = "mismatch"  # the key was used for another request


class Replayed(FusionError):
    """Raised to end a retried request before its endpoint runs; the middleware answers the stored answer.
    (Rendered by the error handler only if no middleware is there to replace it.)"""

    status_code = 409
    code = "idempotent_replay"


class AnswerUnknown(Conflict):
    """The crash window: the key's write committed, its answer was never stored (or is not yet)."""

    code = "idempotent_answer_unknown"


def claim(session: Session, attempt: Attempt | None, *, username: str) -> None:
    """Called in the request's transaction once the caller is known, before the endpoint writes: insert the
    key row (it commits with the write or not at all), or end the request as a retry of an earlier one."""
    if attempt is None or attempt.outcome is not None:
        return
    attempt.username = username
    row = _row(session, username, attempt.key)
    if row is None:
        row = IdempotencyKey(
            username=username,
            key=attempt.key,
            method=attempt.method,
            path=attempt.path[:1024],
            request_digest=attempt.digest,
            claimed_by=process_id(),
            created_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = _row(session, username, attempt.key)  # a concurrent duplicate committed it meanwhile
            if row is None:
                raise
        else:
            attempt.outcome = CLAIMED
            event.listen(session, "before_commit", lambda s: _note_record(s, row), once=True)
            return
    _answer_as_retry(row, attempt)


def _row(session: Session, username: str, key: str) -> IdempotencyKey | None:
    query = select(IdempotencyKey).where(IdempotencyKey.username == username, IdempotencyKey.key == key)
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _note_record(session: Session, row: IdempotencyKey) -> None:
    """Before the write commits: what it recorded first in the ledger goes into its key row, so even a key
    whose answer was lost names the record it made."""
    first = session.info.get(FIRST_ENTRY)
    if first is not None and row.record_kind is None:
        row.record_kind, row.record_id, row.ledger_index = first


def _answer_as_retry(row: IdempotencyKey, attempt: Attempt) -> None:
    if row.request_digest != attempt.digest:
        attempt.outcome = MISMATCH
        raise Invalid(
            N_(
                "This Idempotency-Key was used for a different request ({method} {path}); nothing was stored. "
                "Use a new key for a new request."
            ),
            details={"idempotency_key": attempt.key},
            method=row.method,
            path=row.path,
        )
    if row.status_code is None:
        attempt.outcome = PENDING
        attempt.in_this_process = row.claimed_by == process_id()
        raise unknown_answer(row)
    attempt.outcome = REPLAY
    attempt.answer = Answer(row.status_code, row.response_body or b"", row.media_type)
    raise Replayed(N_("This request was already answered; the answer is replayed."))


def unknown_answer(row: IdempotencyKey) -> AnswerUnknown:
    details: dict[str, Any] = {
        "idempotency_key": row.key,
        "record_kind": row.record_kind,
        "record_id": row.record_id,
        "ledger_index": row.ledger_index,
        "created_at": row.created_at.isoformat(),
    }
    if row.record_kind is None:
        return AnswerUnknown(
            N_(
                "The write sent with this Idempotency-Key was stored, but its answer was lost or is not ready yet; "
                "it was not stored again. Read the record rather than sending it again."
            ),
            details=details,
        )
    return AnswerUnknown(
        N_(
            "The write sent with this Idempotency-Key was stored ({kind} {id}), but its answer was lost or is not "
            "ready yet; it was not stored again. Read that record rather than sending it again."
        ),
        details=details,
        kind=row.record_kind,
        id=row.record_id,
    )


def store_answer(session: Session, *, username: str, key: str, answer: Answer) -> None:
    """After the write committed: its answer, for the retries to come."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.username == username, IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None))
        .values(
            status_code=answer.status_code,
            response_body=answer.body,
            media_type=answer.media_type,
            responded_at=utcnow(),
        )
    )


def release(session: Session, *, username: str, key: str) -> None:
    """A request that failed keeps no key (it was rolled back with it, unless its endpoint committed a refusal
    on record): the client may send it again."""
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.username == username, IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None)
        )
    )


def stored(session: Session, *, username: str, key: str) -> IdempotencyKey | None:
    return _row(session, username, key)


def purge_older_than(session: Session, *, before: datetime) -> int:
    """Forget keys created before `before`; returns how many."""
    return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before)).rowcount
