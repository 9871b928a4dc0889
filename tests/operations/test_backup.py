"""`fusioncell backup` taken while a live server takes writes, and `fusioncell restore` into an empty database:
the restored cell's audit is clean, its record has the size and root of the backup's snapshot and its signed
checkpoint, and every write acknowledged before the backup began is in it. A damaged archive or a target that
already holds a cell is refused and changes nothing. A SQLite cell restores onto PostgreSQL too."""

import io
import json
import os
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fusioncell.demo import DEMO_PASSWORD
from tests.conftest import BACKENDS, DEFAULT_POSTGRES, _postgres_database
from tests.events.live import LiveCell, base_env, initialised_cell, run_cli, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[LiveCell]:
    with initialised_cell(request.param, tmp_path_factory.mktemp(f"backup-{request.param}")) as cell:
        yield cell


@pytest.fixture
def empty_target(tmp_path) -> Iterator[dict[str, str]]:
    """An empty var directory and database of the same backend as the test asks (PostgreSQL by default)."""
    databases = _postgres_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    url = next(databases)
    try:
        yield {"postgresql": base_env(tmp_path / "pg", url), "sqlite": base_env(tmp_path / "lite", _sqlite(tmp_path))}
    finally:
        databases.close()


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lite' / 'var' / 'fusioncell.db'}"


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as opened:
        return json.loads(opened.extractfile("manifest.json").read())


class WriteLoad:
    """Hotline messages from ISR, one after another, until stopped; remembers each acknowledged id and when."""

    def __init__(self, live: LiveCell) -> None:
        self.live = live
        self.acknowledged: list[tuple[float, str]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.live.server().base, headers=self.live.headers("ISR"), timeout=30) as client:
            while not self._stop.is_set():
                body = f"load during the backup {uuid.uuid4().hex[:10]}"
                response = client.post("/api/v1/messages", json={"channel": "hotline", "body": body})
                if response.status_code == 201:
                    self.acknowledged.append((time.monotonic(), response.json()["id"]))
                else:
                    self.errors.append(response.text)

    def __enter__(self) -> "WriteLoad":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def test_a_backup_under_load_restores_to_a_verified_cell_with_the_backup_s_root(live, empty_target, tmp_path):
    archive = tmp_path / "backups" / "cell.tar.gz"
    live.server()
    with WriteLoad(live) as load:
        while len(load.acknowledged) < 20:
            time.sleep(0.05)
        started = time.monotonic()
        taken = run_cli(live.env, "backup", str(archive))
        while len(load.acknowledged) < 60 + 20:  # writes go on after the snapshot too
            time.sleep(0.05)
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert load.errors == []
    assert not list(archive.parent.glob(".backup-*")), "no partial archive is left behind"
    manifest = manifest_of(archive)
    record = manifest["record"]
    assert record["checkpoint_size"] is not None and record["checkpoint_size"] <= record["size"]

    target = empty_target[live.backend]
    restored = run_cli(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restored and verified" in restored.stdout and record["root"] in restored.stdout.replace("\n", "")
    assert run_cli(target, "ledger", "audit").returncode == 0

    server = start_server(target, tmp_path / "restored.log")
    try:
        health = httpx.get(f"{server.base}/healthz").json()
        assert health["ledger_size"] == record["size"]  # the snapshot's record, nothing lost and nothing after it
        with httpx.Client(base_url=server.base, timeout=30) as client:
            login = client.post("/api/v1/auth/login", json={"username": "syr.liaison", "password": DEMO_PASSWORD})
            client.headers["authorization"] = f"Bearer {login.json()['token']}"
            before_backup = [message_id for at, message_id in load.acknowledged if at < started]
            assert before_backup, "the load wrote before the backup began"
            for message_id in before_backup:  # every write acknowledged before the backup began is restored
                assert client.get(f"/api/v1/messages/{message_id}").status_code == 200
    finally:
        server.stop()


@pytest.mark.parametrize("live", ["sqlite"], indirect=True)  # the refusals do not depend on the backend
def test_a_damaged_archive_or_a_cell_in_the_way_is_refused_and_changes_nothing(live, empty_target, tmp_path):
    archive = tmp_path / "cell.tar.gz"
    assert run_cli(live.env, "backup", str(archive)).returncode == 0

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            payload = source.extractfile(member).read()
            if member.name == "tables/messages.jsonl":
                payload = payload.replace(b"hotline", b"hotlime", 1)
            member.size = len(payload)
            copy.addfile(member, io.BytesIO(payload))
    target = empty_target["sqlite"]
    refused = run_cli(target, "restore", str(damaged))
    assert refused.returncode == 2 and "does not match its digest" in refused.stderr
    assert not Path(target["FUSIONCELL_DATABASE_URL"].removeprefix("sqlite:///")).exists(), "nothing was written"

    in_the_way = run_cli(live.env, "restore", str(archive))
    assert in_the_way.returncode == 2 and "already holds a cell" in in_the_way.stderr


@pytest.mark.parametrize("live", ["sqlite"], indirect=True)
def test_a_sqlite_cell_restores_onto_postgresql(live, empty_target, tmp_path):
    archive = tmp_path / "cell.tar.gz"
    assert run_cli(live.env, "backup", str(archive)).returncode == 0
    restored = run_cli(empty_target["postgresql"], "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert run_cli(empty_target["postgresql"], "ledger", "audit").returncode == 0
