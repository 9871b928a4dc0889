"""Two `fusioncell serve` processes on one database: a stream on one receives what is posted on the
other. PostgreSQL wakes the other process by NOTIFY at once; SQLite has only the safety poll (1 s)."""

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.events.live import EventStream, free_port, run_cli, start_server

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


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_workers_runs_several_processes_on_postgresql_and_is_refused_on_sqlite(live):
    if live.backend == "sqlite":
        refused = run_cli(live.env, "serve", "--workers", "2", "--port", str(free_port()))
        assert refused.returncode != 0
        assert "Several workers need PostgreSQL" in refused.stdout + refused.stderr
        return
    scrape_token = uuid.uuid4().hex
    env = live.env | {"FUSIONCELL_METRICS_TOKEN": scrape_token}
    server = start_server(env, live.directory / "workers.log", "--workers", "2")
    try:
        deadline = time.monotonic() + 20
        while len(_children(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_children(server.process.pid)) >= 2, "two worker processes under the server"
        syr = live.stream("SYR")  # on another server: whichever worker takes a post, NOTIFY reaches it
        try:
            for n in range(8):  # each post on a new connection: the workers share the listening socket
                response = httpx.post(
                    f"{server.base}/api/v1/messages",
                    headers=live.headers("ISR"),
                    json={"channel": "hotline", "body": f"through the workers {n} {uuid.uuid4().hex[:8]}"},
                    timeout=30,
                )
                assert response.status_code == 201, response.text
                event = syr.wait_for_record(response.json()["id"], timeout=5)
                assert event.data["record"]["body"] == response.json()["body"]
            # Whichever worker answers the scrape counts every worker's requests (Prometheus multiprocess mode).
            posted = '{method="POST",route="/api/v1/messages",status="201"}'
            for _ in range(4):
                scrape = httpx.get(f"{server.base}/metrics", headers={"authorization": f"Bearer {scrape_token}"})
                assert scrape.status_code == 200
                counted = [row for row in scrape.text.splitlines() if row.startswith("fusioncell_http_requests_total")]
                assert f"fusioncell_http_requests_total{posted} 8.0" in counted, counted
            # And a stream on the workers gets what another process records.
            on_workers = EventStream(server.base, live.token("SYR"))
            try:
                message = live.send("ISR", "hotline", f"to the workers {uuid.uuid4().hex[:8]}")
                assert on_workers.wait_for_record(message["id"], timeout=5).data["record"]["body"] == message["body"]
            finally:
                on_workers.close()
        finally:
            syr.close()
    finally:
        server.stop()
