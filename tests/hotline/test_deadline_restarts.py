"""Deadlines survive restarts: a server killed while deadlines run neither loses nor double-fires an
escalation, and two server processes on one database raise each escalation once."""

import os
import signal
import time

import httpx
import pytest
import yaml

from fusioncell.cell.loader import default_cell_path
from fusioncell.demo import DEMO_PASSWORD
from tests.test_crash import free_port, run_cli, start_server

pytestmark = pytest.mark.slow
FLASH_SECONDS = 3


@pytest.fixture
def quick_cell(tmp_path):
    """The default cell with a FLASH deadline of a few seconds, as a drill would set it."""
    definition = yaml.safe_load(default_cell_path().read_text(encoding="utf-8"))
    definition["deadlines"]["acknowledgement_minutes"]["flash"] = FLASH_SECONDS / 60
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return path


def token(base, username):
    return httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}).json()[
        "token"
    ]


def escalations(base, supervisor_token):
    headers = {"Authorization": f"Bearer {supervisor_token}"}
    return httpx.get(f"{base}/api/v1/escalations", headers=headers).json()["items"]


def test_a_killed_server_neither_loses_nor_double_fires_escalations(fresh_url, tmp_path, quick_cell):
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(tmp_path / "var"), "FUSIONCELL_DATABASE_URL": fresh_url}
    assert run_cli(env, "init", "--demo", "--cell", str(quick_cell)).returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"

    server = start_server(env, port, log)
    isr = {"Authorization": f"Bearer {token(base, 'isr.liaison')}"}
    sent = [
        httpx.post(
            f"{base}/api/v1/messages",
            json={"channel": "hotline", "body": f"flash {n}", "precedence": "flash"},
            headers=isr,
        ).json()["id"]
        for n in range(3)
    ]
    server.send_signal(signal.SIGKILL)  # before any deadline passes
    server.wait(timeout=10)
    time.sleep(FLASH_SECONDS + 1)  # the deadlines pass while no server runs

    server = start_server(env, port, log)
    try:
        supervisor = token(base, "usa.supervisor")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(escalations(base, supervisor)) < len(sent):
            time.sleep(0.3)
        raised = escalations(base, supervisor)
        assert sorted(e["message_id"] for e in raised) == sorted(sent)  # none lost
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        server = start_server(env, port, log)
        time.sleep(2.5)  # several timer ticks after a second restart
        again = escalations(base, token(base, "usa.supervisor"))
        assert sorted(e["id"] for e in again) == sorted(e["id"] for e in raised)  # none fired twice
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert run_cli(env, "ledger", "audit").returncode == 0


def test_two_server_processes_raise_each_escalation_once(fresh_url, tmp_path, quick_cell):
    env = os.environ | {
        "FUSIONCELL_VAR_DIR": str(tmp_path / "var"),
        "FUSIONCELL_DATABASE_URL": fresh_url,
        "FUSIONCELL_DEADLINE_CHECK_SECONDS": "0.2",
    }
    assert run_cli(env, "init", "--demo", "--cell", str(quick_cell)).returncode == 0
    ports = [free_port(), free_port()]
    servers = [start_server(env, port, tmp_path / f"server{port}.log") for port in ports]
    base = f"http://127.0.0.1:{ports[0]}"
    try:
        isr = {"Authorization": f"Bearer {token(base, 'isr.liaison')}"}
        for n in range(5):
            httpx.post(
                f"{base}/api/v1/messages",
                json={"channel": "hotline", "body": f"flash {n}", "precedence": "flash"},
                headers=isr,
            )
        time.sleep(FLASH_SECONDS + 3)
        raised = escalations(base, token(base, "usa.supervisor"))
        pairs = [(e["message_id"], e["party"]) for e in raised]
        assert len(pairs) == 5 and len(set(pairs)) == 5
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    assert run_cli(env, "ledger", "audit").returncode == 0
