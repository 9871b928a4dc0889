"""PostgreSQL restarted under a write load: the server reconnects by itself, nothing acknowledged is lost,
and a client that retries what failed (with its idempotency key) creates no duplicate. The test runs its own
PostgreSQL cluster (pg_createcluster on a free port), so restarting it disturbs nothing else."""

import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest

from fusioncell.demo import DEMO_PASSWORD
from tests.events.live import base_env, free_port, run_cli, start_server

pytestmark = pytest.mark.slow


def _pg_version() -> str:
    return sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own, trust authentication on 127.0.0.1; dropped afterwards."""
    version, name, port = _pg_version(), f"fault{uuid.uuid4().hex[:8]}", free_port()
    created = subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--start", "--", "--auth=trust"],
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    try:
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        for _ in range(50):
            try:
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute("CREATE DATABASE fusioncell")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        yield version, name, url.rsplit("/", 1)[0] + "/fusioncell"
    finally:
        subprocess.run(["pg_dropcluster", version, name, "--stop"], capture_output=True)


class RetryingWriter:
    """Sends hotline messages, each with an idempotency key, retrying a failed send with the same key until it
    is acknowledged, as a careful client does."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=10)
        self.acknowledged: dict[str, str] = {}  # idempotency key -> message id
        self.failures = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _send(self, key: str) -> str:
        body = {"channel": "hotline", "body": f"under a database restart {key[:8]}", "idempotency_key": key}
        while True:
            try:
                response = self.client.post("/api/v1/messages", json=body)
                if response.status_code in (200, 201):
                    return response.json()["id"]
                assert response.status_code >= 500, response.text  # a 4xx would be the client's own mistake
            except httpx.HTTPError:
                pass
            self.failures += 1
            time.sleep(0.1)

    def _run(self) -> None:
        while not self.stop.is_set():
            key = uuid.uuid4().hex
            self.acknowledged[key] = self._send(key)


def test_the_server_rides_through_a_postgresql_restart(own_postgres, tmp_path):
    version, name, url = own_postgres
    env = base_env(tmp_path, url)
    assert run_cli(env, "init", "--demo").returncode == 0
    server = start_server(env, tmp_path / "server.log")
    try:
        credentials = {"username": "isr.liaison", "password": DEMO_PASSWORD}
        login = httpx.post(f"{server.base}/api/v1/auth/login", json=credentials)
        writer = RetryingWriter(server.base, login.json()["token"])
        writer.thread.start()
        while len(writer.acknowledged) < 20:
            time.sleep(0.05)
        restarted = subprocess.run(
            ["pg_ctlcluster", version, name, "restart", "--mode=fast"], capture_output=True, text=True
        )
        assert restarted.returncode == 0, restarted.stderr
        before = len(writer.acknowledged)
        deadline = time.monotonic() + 30
        while len(writer.acknowledged) < before + 20:  # writes resume without anyone restarting fusioncell
            assert time.monotonic() < deadline, "writes did not resume after the database came back"
            time.sleep(0.05)
        writer.stop.set()
        writer.thread.join(timeout=30)
        assert server.process.poll() is None, "the server process kept running"

        ids = list(writer.acknowledged.values())
        assert len(set(ids)) == len(ids)
        with psycopg.connect(url) as database:
            rows = database.execute(
                "SELECT idempotency_key, count(*) FROM messages WHERE idempotency_key = ANY(%s) GROUP BY 1",
                (list(writer.acknowledged),),
            ).fetchall()
        assert len(rows) == len(writer.acknowledged), "every acknowledged message is stored"
        assert all(count == 1 for _, count in rows), "a retried send never stored a second message"
        assert httpx.get(f"{server.base}/readyz").status_code == 200
    finally:
        server.stop()
    audit = run_cli(env, "ledger", "audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
