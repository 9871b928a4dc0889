"""SIGKILL the server in the middle of a stream of writes: no acknowledged write is lost, and the
ledger and the tables stay consistent (`fusioncell ledger audit` is clean) after every restart."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from fusioncell.demo import DEMO_PASSWORD

pytestmark = pytest.mark.slow
FUSIONCELL = [sys.executable, "-m", "fusioncell"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(FUSIONCELL + list(args), env=env, capture_output=True, text=True, timeout=120)


def start_server(env, port, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")
    process = subprocess.Popen(FUSIONCELL + ["serve", "--port", str(port)], env=env, stdout=handle, stderr=handle)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


def writer(base: str, token: str, stop: threading.Event, acknowledged: list[str], prefix: str) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=5) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                response = client.post("/api/v1/tokens", json={"name": f"{prefix}-{n}"})
            except httpx.HTTPError:
                continue  # the server died under us: this one was never acknowledged
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])


def test_sigkill_during_writes_loses_no_acknowledged_write(fresh_url, tmp_path):
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(tmp_path / "var"), "FUSIONCELL_DATABASE_URL": fresh_url}
    assert run_cli(env, "init", "--demo").returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    log = tmp_path / "server.log"
    for round_number in range(3):
        server = start_server(env, port, log)
        token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD})
        token = token.json()["token"]
        stop = threading.Event()
        threads = [
            threading.Thread(target=writer, args=(base, token, stop, acknowledged, f"r{round_number}w{i}"))
            for i in range(3)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # writes in flight
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        audit = run_cli(env, "ledger", "audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
    assert len(acknowledged) > 20, "the load did not get going; the test proves nothing"

    server = start_server(env, port, log)
    try:
        token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "isr.liaison", "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        stored = {t["id"] for t in httpx.get(f"{base}/api/v1/tokens", headers=headers).json()["items"]}
        lost = set(acknowledged) - stored
        assert not lost, f"{len(lost)} acknowledged writes lost"
        time.sleep(1.2)  # let the checkpointer sign the current tree
        vkey = run_cli(env, "key").stdout.strip()
        verify = run_cli(
            env, "ledger", "verify", "--url", base, "--vkey", vkey, "--token", token.json()["token"], "--proofs", "50"
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
