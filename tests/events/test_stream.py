"""GET /api/v1/stream against a real server: what each party's stream carries, as it happens, and
resuming with Last-Event-ID after a disconnect without loss or duplicates."""

import threading
import time
import uuid

import httpx
import pytest

pytestmark = pytest.mark.slow


def tag() -> str:
    return uuid.uuid4().hex[:8]


def test_without_credentials_the_stream_answers_401(live):
    base = live.server().base
    response = httpx.get(f"{base}/api/v1/stream", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = httpx.get(f"{base}/api/v1/stream", headers={"Authorization": "Bearer fct_nope"}, timeout=10)
    assert bad.status_code == 401


def test_a_flash_from_isr_reaches_a_connected_syr_stream_with_syr_s_view(live):
    syr = live.stream("SYR")
    try:
        headers = syr.response_headers
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-store" and headers["x-accel-buffering"] == "no"
        assert syr.last_id is not None  # a fresh stream tells the client where it starts
        posted_at = time.monotonic()
        message = live.send("ISR", "hotline", f"Drone over **Quneitra** {tag()}", precedence="flash")
        event = syr.wait_for_record(message["id"])
        latency = event.received_at - posted_at
        assert event.event == "message" and event.id == str(message["ledger_index"])
        assert event.data["index"] == message["ledger_index"]
        assert event.data["kind"] == "message" and event.data["action"] == "message-sent"
        assert event.data["version"] == 1
        record = event.data["record"]
        assert record["body"] == message["body"] and record["precedence"] == "flash"
        assert record["releasable_to"] == ["SYR", "USA"] and record["ack_parties"] == ["SYR"]
        # The very view SYR gets from the API (receipts are records of their own in the stream).
        assert record == live.get("SYR", f"/api/v1/messages/{message['id']}").json() | {"receipts": []}
        assert latency < 2.0, f"post to delivery took {latency:.3f} s"
    finally:
        syr.close()


def test_drafts_and_the_isr_usa_bilateral_never_reach_syr_or_fra(live):
    streams = {party: live.stream(party) for party in ("ISR", "SYR", "USA", "FRA")}
    try:
        upload = live.post(
            "ISR", "/api/v1/attachments", files={"file": ("note.txt", b"draft note " + tag().encode(), "text/plain")}
        )
        assert upload.status_code == 201, upload.text
        draft = upload.json()
        assert draft["status"] == "draft"
        bilateral = live.send("ISR", "usa-isr", f"For the mediator only {tag()}")
        # Sentinels after them: a stream delivers in ledger order, so once a sentinel has arrived,
        # anything before it that was going to arrive has.
        plenary = live.send("USA", "plenary", f"sentinel {tag()}")
        observers = live.send("USA", "observers", f"sentinel {tag()}")
        for party in ("ISR", "SYR", "USA"):
            streams[party].wait_for_record(plenary["id"])
        for party in ("USA", "FRA"):
            streams[party].wait_for_record(observers["id"])

        assert streams["ISR"].find(draft["id"]).event == "attachment"
        for party in ("SYR", "USA", "FRA"):
            assert streams[party].find(draft["id"]) is None, f"{party} received ISR's draft"
        assert streams["USA"].find(bilateral["id"]).data["record"]["body"] == bilateral["body"]
        assert streams["ISR"].find(bilateral["id"]) is not None
        for party in ("SYR", "FRA"):
            assert streams[party].find(bilateral["id"]) is None, f"{party} received an ISR→USA bilateral"
        assert streams["FRA"].find(plenary["id"]) is None and streams["SYR"].find(observers["id"]) is None
    finally:
        for stream in streams.values():
            stream.close()


def test_a_receipt_from_syr_reaches_isr(live):
    isr = live.stream("ISR")
    try:
        message = live.send("ISR", "hotline", f"Please acknowledge {tag()}", precedence="immediate")
        isr.wait_for_record(message["id"])
        acked = live.post("SYR", f"/api/v1/messages/{message['id']}/acknowledge")
        assert acked.status_code == 200, acked.text
        receipt = acked.json()["receipts"][0]
        event = isr.wait_for_record(receipt["id"])
        assert event.event == "receipt" and event.data["action"] == "message-acknowledged"
        assert event.data["record"]["party"] == "SYR" and event.data["record"]["message_id"] == message["id"]
        assert event.data["record"]["kind"] == "acknowledged"
    finally:
        isr.close()


def test_resume_with_last_event_id_gets_exactly_the_missed_readable_events(live):
    first = live.stream("SYR")
    before = live.send("ISR", "hotline", f"before the break {tag()}")
    first.wait_for_record(before["id"])
    resume_from = first.last_id
    assert resume_from == str(before["ledger_index"])
    first.close()

    missed = [live.send("ISR", "hotline", f"missed {n} {tag()}") for n in range(3)]
    hidden = live.send("ISR", "usa-isr", f"not for SYR {tag()}")
    missed.append(live.send("USA", "plenary", f"missed too {tag()}"))

    for resumed in (
        live.stream("SYR", last_event_id=resume_from),
        live.stream("SYR", query=f"?last_event_id={resume_from}"),
    ):
        try:
            resumed.wait_for_record(missed[-1]["id"])
            assert resumed.ids() == [m["id"] for m in missed]
            assert resumed.indices() == [m["ledger_index"] for m in missed]
            assert resumed.find(hidden["id"]) is None
            live_after = live.send("ISR", "hotline", f"after the resume {tag()}")
            resumed.wait_for_record(live_after["id"])
            assert resumed.ids() == [m["id"] for m in missed] + [live_after["id"]]
            missed.append(live_after)  # the second resume replays it as well
        finally:
            resumed.close()


def test_reconnecting_while_messages_flow_loses_none_and_repeats_none(live):
    """A writer posts without pause while the reader drops and resumes over and over: the replayed
    and the live part meet without a gap or a duplicate."""
    sent: list[dict] = []
    stop = threading.Event()
    marker = tag()

    def writer():
        with httpx.Client(base_url=live.server().base, headers=live.headers("ISR"), timeout=30) as client:
            for n in range(40):
                response = client.post("/api/v1/messages", json={"channel": "hotline", "body": f"{marker} {n}"})
                assert response.status_code == 201
                sent.append(response.json())
                time.sleep(0.02)
        stop.set()

    def ours(stream) -> list[tuple[int, str]]:
        return [(e.data["index"], e.data["id"]) for e in stream.events if marker in (e.data["record"]["body"] or "")]

    received: list[tuple[int, str]] = []
    stream = live.stream("SYR")
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            time.sleep(0.15)
            stream.close()
            received += ours(stream)
            if (stop.is_set() and len(received) >= len(sent)) or time.monotonic() > deadline:
                break
            stream = live.stream("SYR", last_event_id=stream.last_id)
    finally:
        stop.set()
        thread.join(timeout=30)
        stream.close()
    assert [index for index, _ in received] == sorted(m["ledger_index"] for m in sent)
    assert len({record_id for _, record_id in received}) == len(sent) == 40


def test_an_exit_signal_ends_open_streams_so_the_server_stops(live):
    server = live.start_server()
    try:
        from tests.events.live import EventStream

        stream = EventStream(server.base, live.token("SYR"))
        started = time.monotonic()
        server.stop(timeout=20)
        assert time.monotonic() - started < 10, "the open stream held the server up"
        assert stream.wait_for(lambda s: s.ended, timeout=5)
        assert any("shutting down" in comment for comment in stream.comments)
        stream.close()
    finally:
        server.stop()
