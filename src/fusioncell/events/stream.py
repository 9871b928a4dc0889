"""The body of one `text/event-stream` response: replay what was missed, then go on live."""

import asyncio
import time
from collections.abc import AsyncIterator

from fusioncell.access.subjects import Subject
from fusioncell.events.changes import frames_for, replay_page
from fusioncell.events.tail import LedgerTail

RETRY_MILLISECONDS = 2000


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
