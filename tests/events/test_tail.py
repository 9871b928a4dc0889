"""The tail and one stream's body, driven in this process against the live cell's database: waking
on commit, keepalives that move the resume point, a subscriber too far behind, the streams' age
limit, and shutdown."""

import asyncio
import re
import threading
import time
import uuid

import pytest

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.loader import default_cell
from fusioncell.db.session import Database
from fusioncell.events.stream import stream_events
from fusioncell.events.tail import LedgerTail
from fusioncell.hotline.service import Draft, send_message
from tests.events.live import PARTY_ACCOUNTS


@pytest.fixture
def database(live):
    database = Database(live.url)
    yield database
    database.dispose()


def subject(database: Database, party: str):
    with database.reading() as session:
        return subject_for(user_by_name(session, PARTY_ACCOUNTS[party]), default_cell())


def send(database: Database, party: str, channel: str, body: str = "") -> tuple[str, int]:
    with database.writing() as session:
        message, _ = send_message(
            session,
            cell=default_cell(),
            subject=subject(database, party),
            draft=Draft(channel=channel, body=body or f"tail test {uuid.uuid4().hex[:8]}"),
        )
    return str(message.id), message.ledger_index


def ids_of(frame: bytes) -> list[int]:
    return [int(i) for i in re.findall(rb"^id: (-?\d+)$", frame, flags=re.M)]


async def next_frame(body, timeout: float = 5) -> bytes:
    return await asyncio.wait_for(body.__anext__(), timeout)


def run(coroutine) -> None:
    """In a thread of its own: another test's event loop (Playwright's) may still run in this one."""
    failure: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(asyncio.wait_for(coroutine, 60))
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(timeout=90)
    assert not thread.is_alive(), "the scenario hung"
    if failure:
        raise failure[0]


def test_a_commit_in_this_process_wakes_the_tail_at_once(database):
    async def scenario():
        # The safety poll is made slow, so only the after-commit wake-up (or NOTIFY) can be quick.
        tail = await LedgerTail(database, poll_seconds=30).start()
        try:
            body = stream_events(tail, subject(database, "SYR"), None)
            opening = await next_frame(body)
            assert opening.startswith(b"retry: ") and ids_of(opening) == [tail.last]
            started = time.monotonic()
            record_id, index = await asyncio.to_thread(send, database, "ISR", "hotline")
            frame = await next_frame(body, timeout=2)
            assert ids_of(frame) == [index] and record_id.encode() in frame
            assert time.monotonic() - started < 1.0
            await body.aclose()
            assert not tail.subscribers
        finally:
            await tail.stop()

    run(scenario())


def test_keepalives_move_the_resume_point_past_what_the_reader_may_not_read(database):
    async def scenario():
        tail = await LedgerTail(database, poll_seconds=0.05, heartbeat_seconds=0.2).start()
        try:
            body = stream_events(tail, subject(database, "FRA"), None)
            start = ids_of(await next_frame(body))[0]
            _, hidden = await asyncio.to_thread(send, database, "ISR", "usa-isr")
            while True:  # nothing FRA may read arrives; a keepalive says how far the stream has got
                frame = await next_frame(body)
                assert b"event:" not in frame
                if ids_of(frame):
                    break
            assert frame.startswith(b": keepalive\n")
            assert ids_of(frame)[0] >= hidden > start
        finally:
            await tail.stop()

    run(scenario())


def test_a_reader_too_far_behind_is_disconnected_and_resumes_from_its_last_event(database):
    async def scenario():
        tail = await LedgerTail(database, poll_seconds=0.05, max_pending=3).start()
        try:
            reader = subject(database, "SYR")
            body = stream_events(tail, reader, None)
            start = ids_of(await next_frame(body))[0]
            sent = [await asyncio.to_thread(send, database, "ISR", "hotline") for _ in range(5)]
            while tail.last < sent[-1][1]:
                await asyncio.sleep(0.05)
            closing = await next_frame(body)
            assert b"too far behind" in closing and b"event:" not in closing
            with pytest.raises(StopAsyncIteration):
                await next_frame(body)
            assert not tail.subscribers
            resumed = stream_events(tail, reader, start)
            await next_frame(resumed)  # the opening
            replayed = await next_frame(resumed)
            assert ids_of(replayed) == [index for _, index in sent]
            await resumed.aclose()
        finally:
            await tail.stop()

    run(scenario())


def test_streams_end_at_their_age_limit_and_on_shutdown(database):
    async def scenario():
        tail = await LedgerTail(database, poll_seconds=0.05, max_stream_seconds=0.2).start()
        try:
            body = stream_events(tail, subject(database, "USA"), None)
            await next_frame(body)
            assert b"run its time" in await next_frame(body)
            with pytest.raises(StopAsyncIteration):
                await next_frame(body)
        finally:
            await tail.stop()
        tail = await LedgerTail(database).start()
        body = stream_events(tail, subject(database, "USA"), None)
        await next_frame(body)
        waiting = asyncio.ensure_future(next_frame(body))
        await asyncio.sleep(0.05)
        await tail.stop()
        assert b"shutting down" in await waiting
        late = stream_events(tail, subject(database, "USA"), None)
        await next_frame(late)
        assert b"shutting down" in await next_frame(late)

    run(scenario())


def test_each_reader_gets_exactly_its_trimmed_view_while_equal_trims_share_their_bytes():
    """Frames are encoded once per distinct trim; the key that tells trims apart must never let one
    reader's view stand for another's."""
    import json
    from types import SimpleNamespace

    from fusioncell.access.subjects import Subject
    from fusioncell.events.changes import Change
    from fusioncell.events.representations import Representation

    view = {"a": 1, "b": [1, 2], "c": {"x": None}, "secret": None}

    def trim(subject, record, view):
        return {
            "same": view,
            "add": view | {"note": "for the author"},
            "change": view | {"secret": "only yours"},
            "change-again": view | {"secret": "only yours"},
            "other-change": view | {"secret": "someone else's"},
            "drop": {k: v for k, v in view.items() if k != "b"},
            "drop-other": {k: v for k, v in view.items() if k != "c"},
            "reorder": dict(reversed(view.items())),
            "equal-copy": dict(view),
        }[subject.username]

    record = SimpleNamespace(origin_party="ISR", status="released", releasable_to=frozenset({"SYR"}))
    change = Change(
        index=7,
        kind="probe",
        action="probe",
        record_id="r",
        version=1,
        origin_party="ISR",
        status="released",
        releasable_to=frozenset({"SYR"}),
        record=record,
        view=view,
        representation=Representation(model=None, view=lambda r: view, trim=trim),
    )
    names = ["same", "add", "change", "change-again", "other-change", "drop", "drop-other", "reorder", "equal-copy"]
    frames = {}
    for name in names:
        reader = Subject(uuid.uuid4(), name, name, "SYR", "principal", frozenset())
        frames[name] = change.frame_for(reader)
        data = json.loads(frames[name].decode().split("data: ", 1)[1])
        assert data["record"] == trim(reader, record, view) and list(data["record"]) == list(trim(reader, record, view))
        assert data["index"] == 7 and frames[name].startswith(b"id: 7\nevent: probe\n")
    assert frames["change"] is frames["change-again"]
    assert frames["same"] is frames["equal-copy"]
    assert len({id(f) for f in frames.values()}) == len(names) - 2
