"""Two `fusioncell serve` processes on one database: a stream on one receives what is posted on the
other. PostgreSQL wakes the other process by NOTIFY at once; SQLite has only the safety poll (1 s)."""

import time
import uuid

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("listen_on", "post_on"), [(0, 1), (1, 0)])
def test_a_stream_on_one_process_receives_what_another_process_commits(live, listen_on, post_on):
    live.server(1)  # both processes up before the clock starts
    syr = live.stream("SYR", server=listen_on)
    isr = live.stream("ISR", server=listen_on)
    try:
        latencies = []
        for n in range(5):
            posted_at = time.monotonic()
            message = live.send("ISR", "hotline", f"across processes {n} {uuid.uuid4().hex[:8]}", server=post_on)
            event = syr.wait_for_record(message["id"], timeout=5)
            latencies.append(event.received_at - posted_at)
            assert event.data["record"]["body"] == message["body"]
        bilateral = live.send("ISR", "usa-isr", f"not for SYR {uuid.uuid4().hex[:8]}", server=post_on)
        isr.wait_for_record(bilateral["id"], timeout=5)
        assert syr.find(bilateral["id"]) is None
        # Within about a second: NOTIFY makes PostgreSQL much faster, the poll bounds SQLite.
        bound = 1.0 if live.backend == "postgresql" else 1.6
        assert max(latencies) < bound, f"delivery across processes took {max(latencies):.3f} s"
    finally:
        syr.close()
        isr.close()
