"""The live stream's engine: one tail of the ledger per process, fanned out to its subscribers.

The stream is the ledger. Every committed change appends entries in index order (the append locks the
size row until commit), so "what is new" is simply `index > the last index broadcast`. One
`LedgerTail` per process reads the new entries in batches, loads their records once (one query per
kind per batch), builds each record's view once, and hands each subscriber the entries it may read,
as ready-made Server-Sent Events frames: no query and no view per subscriber per event.

Readability is decided by access/rule.py only: an entry goes to a subscriber iff the entry's envelope
snapshot may be read (`can_read`) and the record as it is now may be read (`can_read_record`).

The tail wakes
  - in-process, right after a commit that appended entries (`after_commit`, below);
  - across processes on PostgreSQL, by `NOTIFY fusioncell_ledger` (sent in that same commit) on a
    dedicated LISTEN connection;
  - and every second whatever happens (the safety poll: SQLite across processes, CLI writes, a lost
    LISTEN connection), so nothing is ever missed, only at worst late by a second.
"""

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from typing import Any

import psycopg
import structlog
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read, can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Envelope
from fusioncell.db.session import Database
from fusioncell.events.representations import Representation, load, registered
from fusioncell.ledger.models import LedgerEntry

log = structlog.get_logger("fusioncell.events")

CHANNEL = "fusioncell_ledger"  # the PostgreSQL NOTIFY channel
APPENDED = "ledger_appended"  # session.info flag set by ledger.service.append_entries
BATCH = 500  # entries read per query, by the tail and by a resuming subscriber
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the client reconnects (EventSource does by itself) with its
# Last-Event-ID: so a revoked token, a logged-out session or a disabled account stops receiving
# within this time, and the connections spread again over the processes after a restart.
MAX_STREAM_SECONDS = 300.0
# Events waiting for a subscriber that reads too slowly; beyond this it is disconnected and resumes.
MAX_PENDING = 2000
RETRY_MILLISECONDS = 2000
# Fan out at most this often: under a burst, the entries of several commits go to each stream in one
# write instead of one write each (a write per stream per commit is what costs most). A lone change
# after a quiet spell goes out at once.
COALESCE_SECONDS = 0.02

_ENTRY_COLUMNS = (
    LedgerEntry.index,
    LedgerEntry.kind,
    LedgerEntry.record_id,
    LedgerEntry.record_version,
    LedgerEntry.action,
    LedgerEntry.origin_party,
    LedgerEntry.status,
    LedgerEntry.releasable_to,
)

# --- waking up: commit hooks ------------------------------------------------------------------------

_tails: set["LedgerTail"] = set()
_tails_lock = threading.Lock()


@event.listens_for(Session, "before_commit")
def _notify_other_processes(session: Session) -> None:
    """On PostgreSQL, NOTIFY inside the committing transaction: delivered on commit, never on rollback.
    The payload names this process, whose own tails are woken by `after_commit` already."""
    if session.info.get(APPENDED) and session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"NOTIFY {CHANNEL}, '{_process_token()}'")


_RANDOM = uuid.uuid4().hex[:12]


def _process_token() -> str:
    return f"{os.getpid()}.{_RANDOM}"  # the pid tells forked processes apart


@event.listens_for(Session, "after_commit")
def _wake_this_process(session: Session) -> None:
    if session.info.pop(APPENDED, False):
        with _tails_lock:
            tails = list(_tails)
        for tail in tails:
            tail.wake_threadsafe()


@event.listens_for(Session, "after_rollback")
def _forget_appended(session: Session) -> None:
    session.info.pop(APPENDED, None)


# --- one change, its view built once, its frames once per distinct trimmed view -----------------------


@dataclass(eq=False)
class Change:
    """One ledger entry of a kind with a representation, with the record as it is now."""

    index: int
    kind: str
    action: str
    record_id: str
    version: int
    origin_party: str
    status: str
    releasable_to: frozenset[str]
    record: Envelope
    view: dict[str, Any]
    representation: Representation
    _frames: dict[tuple, bytes] = field(default_factory=dict)

    def readable_by(self, subject: Subject) -> bool:
        return can_read(subject, self.origin_party, self.status, self.releasable_to) and can_read_record(
            subject, self.record
        )

    def frame_for(self, subject: Subject) -> bytes | None:
        """The SSE frame for this reader: the view trimmed for them, encoded once per distinct result.
        None (and a log line) if the kind's trim fails: one bad record must not stop the stream."""
        try:
            trimmed = self.representation.trim(subject, self.record, self.view)
        except Exception:
            log.exception("could not trim a record's view; left out for this reader", kind=self.kind)
            return None
        key = _trim_key(self.view, trimmed)
        frame = self._frames.get(key)
        if frame is None:
            data = {
                "index": self.index,
                "kind": self.kind,
                "action": self.action,
                "id": self.record_id,
                "version": self.version,
                "record": trimmed,
            }
            frame = f"id: {self.index}\nevent: {self.kind}\ndata: {_json(data)}\n\n".encode()
            self._frames[key] = frame
        return frame


def _trim_key(view: dict[str, Any], trimmed: dict[str, Any]) -> tuple:
    """What a trim changed: two readers whose trims changed the same things get the same bytes.

    A value the trim left as it was is the very same object as the view's; any other value is told
    by its repr (exact for what JSON can hold). The common case, `view | {one field}`, keeps the
    view's keys in their order and is compared without a Python-level loop over every field."""
    if trimmed is view:
        return ()
    if len(trimmed) == len(view) and list(trimmed) == list(view):
        differing = compress(trimmed.items(), map(is_not, trimmed.values(), view.values()))
        changed = tuple((k, repr(v)) for k, v in differing)
        return ("in order", changed) if changed else ()
    changed = tuple((k, repr(v)) for k, v in trimmed.items() if view.get(k, _MISSING) is not v)
    return ("reshaped", changed, tuple(k for k in view if k not in trimmed), tuple(trimmed))


_MISSING = object()


_NOT_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(data: dict[str, Any]) -> str:
    """One line of JSON. json escapes CR, LF and the other C0 controls; the three other characters
    some line splitters break on (str.splitlines) are escaped too, so a data line stays one line."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    if "\x85" in encoded or "\u2028" in encoded or "\u2029" in encoded:
        encoded = encoded.translate(_NOT_LINE_BREAKS)
    return encoded


def load_changes(session: Session, rows: Sequence[Any]) -> list[Change]:
    """The changes of these entry rows (in their order) whose kind has a representation and whose
    record exists: records loaded with one query per kind, each record's view built once."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if registered(row.kind) is not None:
            wanted.setdefault(row.kind, set()).add(row.record_id)
    records = {kind: load(session, kind, sorted(ids)) for kind, ids in wanted.items()}
    views: dict[tuple[str, str], dict[str, Any] | None] = {}
    changes = []
    for row in rows:
        record = records.get(row.kind, {}).get(row.record_id)
        if record is None:
            continue
        representation = registered(row.kind)
        key = (row.kind, row.record_id)
        if key not in views:
            try:
                views[key] = representation.view(record)
            except Exception:
                log.exception("could not build the view of a record; it is left out of the stream", kind=row.kind)
                views[key] = None
        view = views[key]
        if view is None:
            continue
        changes.append(
            Change(
                index=row.index,
                kind=row.kind,
                action=row.action,
                record_id=row.record_id,
                version=row.record_version,
                origin_party=row.origin_party,
                status=str(row.status),
                releasable_to=frozenset(row.releasable_to),
                record=record,
                view=view,
                representation=representation,
            )
        )
    return changes


def frames_for(changes: list[Change], subject: Subject) -> list[tuple[int, bytes]]:
    """(index, frame) of each change the subject may read, in order."""
    frames = []
    for change in changes:
        if change.readable_by(subject):
            frame = change.frame_for(subject)
            if frame is not None:
                frames.append((change.index, frame))
    return frames


def read_after(session: Session, after: int, *, subject: Subject | None = None, limit: int = BATCH):
    """Up to `limit` entries after `after`, in index order (only those `subject` may read, if given).
    Returns (changes, the last index examined, how many entries were examined)."""
    query = select(*_ENTRY_COLUMNS).where(LedgerEntry.index > after)
    if subject is not None:
        query = query.where(readable(subject, LedgerEntry))
    rows = session.execute(query.order_by(LedgerEntry.index).limit(limit)).all()
    return load_changes(session, rows), (rows[-1].index if rows else after), len(rows)


def replay_page(database: Database, subject: Subject, after: int, limit: int = BATCH):
    """For a resuming subscriber: the next page of what it may read after `after` (in a thread)."""
    with database.reading() as session:
        return read_after(session, after, subject=subject, limit=limit)


# --- subscribers --------------------------------------------------------------------------------------


class Subscriber:
    """One open stream: what waits to be sent to it. Touched only on the event loop's thread."""

    def __init__(self, subject: Subject, through: int, *, max_pending: int = MAX_PENDING) -> None:
        self.subject = subject
        # Every entry up to `through` has been offered to this subscriber (if it may read it).
        self.through = through
        self.pending: list[tuple[int, bytes]] = []
        self.max_pending = max_pending
        self.ready = asyncio.Event()
        self.closed: str | None = None
        self.heartbeat_due = False
        self.opened = time.monotonic()
        self.last_sent = self.opened

    def offer(self, frames: list[tuple[int, bytes]], through: int) -> None:
        if self.closed:
            return
        if frames:
            self.pending.extend(frames)
            if len(self.pending) > self.max_pending:
                self.close("you are too far behind; reconnect with your Last-Event-ID to resume")
                return
            self.ready.set()
        self.through = through

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = reason
            self.pending.clear()
            self.ready.set()

    def take(self) -> tuple[list[tuple[int, bytes]], int]:
        frames, self.pending = self.pending, []
        return frames, self.through


# --- the tail ---------------------------------------------------------------------------------------


class LedgerTail:
    """Reads the ledger as it grows and fans each new entry out to the subscribers that may read it."""

    def __init__(
        self,
        database: Database,
        *,
        poll_seconds: float = POLL_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        max_stream_seconds: float = MAX_STREAM_SECONDS,
        max_pending: int = MAX_PENDING,
        batch: int = BATCH,
        coalesce_seconds: float = COALESCE_SECONDS,
    ) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.max_stream_seconds = max_stream_seconds
        self.max_pending = max_pending
        self.batch = batch
        self.coalesce_seconds = coalesce_seconds
        self._fanned_out_at = 0.0
        self.last = -1  # the last index broadcast
        self.subscribers: set[Subscriber] = set()
        self.closing = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []
        self._signals: dict[int, tuple[Any, Any]] = {}

    # lifecycle

    async def start(self) -> "LedgerTail":
        self._loop = asyncio.get_running_loop()
        self.last = await asyncio.to_thread(self._tip)
        with _tails_lock:
            _tails.add(self)
        self._tasks.append(asyncio.create_task(self._run(), name="ledger-tail"))
        self._tasks.append(asyncio.create_task(self._tick(), name="ledger-tail-tick"))
        if self.database.engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="ledger-tail-listen"))
        self._close_streams_on_exit_signals()
        return self

    async def stop(self) -> None:
        self._close_all("the server is shutting down; reconnect with your Last-Event-ID to resume")
        with _tails_lock:
            _tails.discard(self)
        for sig, (ours, previous) in self._signals.items():
            if signal.getsignal(sig) is ours:  # put the server's handler back, unless it took over already
                with contextlib.suppress(ValueError, TypeError):
                    signal.signal(sig, previous)
        self._signals.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    @property
    def running(self) -> bool:
        """Started and not stopped. While the server shuts down, a new stream still opens, and ends
        at once with a comment, so that EventSource reconnects (an error status would stop it)."""
        return bool(self._tasks)

    def _close_streams_on_exit_signals(self) -> None:
        """A server waits for open responses to finish before it shuts down (uvicorn does), and a
        stream never finishes by itself: so on the server's exit signal, end every stream first.
        The server's own handler is chained, never replaced; nothing is done where none is set."""
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if not callable(previous) or previous is signal.default_int_handler:
                continue

            def handler(signum, frame, previous=previous):
                self._loop.call_soon_threadsafe(self._close_all, "the server is shutting down; reconnect to resume")
                previous(signum, frame)

            signal.signal(sig, handler)
            self._signals[sig] = (handler, previous)

    def _close_all(self, reason: str) -> None:
        self.closing = True
        for subscriber in self.subscribers:
            subscriber.close(reason)

    # subscribers

    def subscribe(self, subject: Subject) -> Subscriber:
        """From the next entry the tail has not yet broadcast on."""
        subscriber = Subscriber(subject, self.last, max_pending=self.max_pending)
        if self.closing:
            subscriber.close("the server is shutting down; reconnect to resume")
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    # waking

    def wake(self) -> None:
        self._wake.set()

    def wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake.set)

    async def _tick(self) -> None:
        """The safety poll, heartbeats and the streams' age limit."""
        while True:
            await asyncio.sleep(self.poll_seconds)
            self._wake.set()
            now = time.monotonic()
            for subscriber in self.subscribers:
                if now - subscriber.opened > self.max_stream_seconds:
                    subscriber.close("this stream has run its time; reconnect with your Last-Event-ID")
                elif now - subscriber.last_sent >= self.heartbeat_seconds:
                    subscriber.heartbeat_due = True
                    subscriber.ready.set()

    async def _listen(self) -> None:
        """PostgreSQL: LISTEN on a connection of its own; every notification wakes the tail."""
        args, params = self.database.engine.dialect.create_connect_args(self.database.engine.url)
        params = {k: v for k, v in params.items() if k != "context"}
        backoff = 0.5
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(*args, autocommit=True, **params)
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._wake.set()  # whatever came while not listening
                    backoff = 0.5
                    async for notification in connection.notifies():
                        if notification.payload != _process_token():
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN connection lost; the safety poll covers until it is back", error=str(exc))
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    # reading and fanning out

    def _tip(self) -> int:
        with self.database.reading() as session:
            last = session.execute(select(LedgerEntry.index).order_by(LedgerEntry.index.desc()).limit(1)).scalar()
        return -1 if last is None else last

    def _read(self, after: int):
        with self.database.reading() as session:
            return read_after(session, after, limit=self.batch)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            since = time.monotonic() - self._fanned_out_at
            if since < self.coalesce_seconds:
                await asyncio.sleep(self.coalesce_seconds - since)
            self._wake.clear()
            try:
                await self._catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the ledger tail could not read; retrying")
                await asyncio.sleep(self.poll_seconds)
                self._wake.set()

    async def _catch_up(self) -> None:
        while True:
            if not self.subscribers:
                # Nobody to tell: only keep up with the tip, so a new stream starts from now.
                tip = await asyncio.to_thread(self._tip)
                if not self.subscribers:  # (one who came meanwhile is served from self.last below)
                    self.last = max(self.last, tip)
                    return
            changes, through, examined = await asyncio.to_thread(self._read, self.last)
            if examined == 0:
                return
            self._fan_out(changes, through)
            self.last = through
            if examined < self.batch:
                return

    def _fan_out(self, changes: list[Change], through: int) -> None:
        """Each distinct caller's frames are worked out once: many streams of one user (open pages,
        tabs, a party's systems) share them. A Subject is immutable and decides readability alone."""
        self._fanned_out_at = time.monotonic()
        frames_of: dict[Subject, list[tuple[int, bytes]]] = {}
        for subscriber in self.subscribers:
            frames = frames_of.get(subscriber.subject)
            if frames is None:
                frames = frames_of[subscriber.subject] = frames_for(changes, subscriber.subject)
            subscriber.offer(frames, through)


# --- one stream ---------------------------------------------------------------------------------------


async def stream_events(tail: LedgerTail, subject: Subject, after: int | None) -> AsyncIterator[bytes]:
    """The body of one `text/event-stream` response.

    Registers first, then replays from the database what the subject may read after `after` (the
    client's Last-Event-ID), then goes on live; the overlap is dropped by index, so nothing is lost
    and nothing comes twice. The client's position advances with every event it receives; when
    nothing readable arrives for a while, a keepalive carries an `id:` line alone (an event with no
    data, which EventSource does not dispatch) so a reconnecting client resumes from there."""
    subscriber = tail.subscribe(subject)
    try:
        fresh = after is None
        position = subscriber.through if fresh else after  # the last index the client holds
        opening = f"retry: {RETRY_MILLISECONDS}\n"
        opening += f"id: {position}\n: live from here\n\n" if fresh else f": resuming after {position}\n\n"
        yield opening.encode()
        subscriber.last_sent = time.monotonic()
        if not fresh:
            cursor = after
            while not subscriber.closed:
                changes, cursor, examined = await asyncio.to_thread(replay_page, tail.database, subject, cursor)
                frames = [(index, frame) for index, frame in frames_for(changes, subject) if index > position]
                if frames:
                    position = frames[-1][0]
                    yield b"".join(frame for _, frame in frames)
                    subscriber.last_sent = time.monotonic()
                if examined < tail.batch:
                    break
        while True:
            if subscriber.closed:
                yield f": {subscriber.closed}\n\n".encode()
                return
            if not subscriber.pending and not subscriber.heartbeat_due:
                subscriber.ready.clear()
                await subscriber.ready.wait()
                continue
            frames, through = subscriber.take()
            out = [frame for index, frame in frames if index > position]
            if out:
                position = max(index for index, _ in frames)
            if subscriber.heartbeat_due:
                subscriber.heartbeat_due = False
                out.append(b": keepalive\n")
                if through > position:
                    position = through
                    out.append(f"id: {position}\n".encode())
                out.append(b"\n")
            if out:
                yield b"".join(out)
                subscriber.last_sent = time.monotonic()
    finally:
        tail.unsubscribe(subscriber)
