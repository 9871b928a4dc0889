"""The live stream's engine: one tail of the ledger per process, fanned out to its subscribers.

The stream is the ledger. Every committed change appends entries in index order (the append locks the
size row until commit), so "what is new" is simply `index > the last index broadcast`. One
`LedgerTail` per process reads the new entries in batches, loads their records once (one query per
kind per batch), builds each record's view once, and hands each subscriber the entries it may read,
as ready-made Server-Sent Events frames (events/changes.py): no query and no view per subscriber
per event. The body of each stream is events/stream.py.

Readability is decided by access/rule.py only: an entry goes to a subscriber iff the entry's envelope
snapshot may be read (`can_read`) and the record as it is now may be read (`can_read_record`).

The tail wakes
  - in-process, right after a commit that appended entries (events/wakeups.py);
  - across processes on PostgreSQL, by `NOTIFY fusioncell_ledger` (sent in that same commit) on a
    dedicated LISTEN connection;
  - and every second whatever happens (the safety poll: SQLite across processes, CLI writes, a lost
    LISTEN connection), so nothing is ever missed, only at worst late by a second.
"""

import asyncio
import contextlib
import signal
import threading
import time
from typing import Any

import psycopg
import structlog
from sqlalchemy import select

from fusioncell.access.subjects import Subject
from fusioncell.db.session import Database
from fusioncell.events import wakeups
from fusioncell.events.changes import BATCH, Change, frames_for, read_after
from fusioncell.ledger.models import LedgerEntry

log = structlog.get_logger("fusioncell.events")

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the client reconnects (EventSource does by itself) with its
# Last-Event-ID: so a revoked token, a logged-out session or a disabled account stops receiving
# within this time, and the connections spread again over the processes after a restart.
MAX_STREAM_SECONDS = 300.0
# Events waiting for a subscriber that reads too slowly; beyond this it is disconnected and resumes.
MAX_PENDING = 2000
# Fan out at most this often: under a burst, the entries of several commits go to each stream in one
# write instead of one write each (a write per stream per commit is what costs most). A lone change
# after a quiet spell goes out at once.
COALESCE_SECONDS = 0.02


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
        wakeups.watch(self)
        self._tasks.append(asyncio.create_task(self._run(), name="ledger-tail"))
        self._tasks.append(asyncio.create_task(self._tick(), name="ledger-tail-tick"))
        if self.database.engine.dialect.name == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="ledger-tail-listen"))
        self._close_streams_on_exit_signals()
        return self

    async def stop(self) -> None:
        self._close_all("the server is shutting down; reconnect with your Last-Event-ID to resume")
        wakeups.unwatch(self)
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
                    await connection.execute(f"LISTEN {wakeups.CHANNEL}")
                    self._wake.set()  # whatever came while not listening
                    backoff = 0.5
                    async for notification in connection.notifies():
                        if notification.payload != wakeups.process_token():
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
