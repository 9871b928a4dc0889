"""Helpers for the witness, receipt, monitor and tamper tests: real witness processes, a runtime whose
cell names them, an app with the witness routes, entries and checkpoints, and a forked tree."""

import contextlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from fusioncell.app import create_app
from fusioncell.cell.witnesses import Witness, WitnessPolicy, WitnessSettings
from fusioncell.ledger import merkle
from fusioncell.ledger.models import LedgerEntry, LedgerNode
from fusioncell.ledger.service import EntryDraft, append_entries, checkpoint_if_due
from fusioncell.ledger.witness_endpoints import router as witness_router
from fusioncell.runtime import Runtime
from tests.test_crash import free_port


@dataclass
class LiveWitness:
    name: str
    party: str
    key: Path
    state: Path
    log_vkey: str
    vkey: str = ""
    port: int = 0
    later_log_vkeys: tuple[str, ...] = ()  # the log's keys after a rotation, as its operator adds them
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> Witness:
        return Witness(name=self.name, party=self.party, url=self.url, vkey=self.vkey)

    def start(self, state: Path | None = None) -> "LiveWitness":
        self.state = state or self.state
        self.port = free_port()
        args = ["serve", "--key", str(self.key), "--log-vkey", self.log_vkey, "--state", str(self.state)]
        args += [option for vkey in self.later_log_vkeys for option in ("--log-vkey", vkey)]
        log = open(self.key.with_suffix(".log"), "ab")  # noqa: SIM115 (the process owns it)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fusioncell.witness", *args, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=log,
        )
        for _ in range(600):  # 30 s: two cores shared with other suites make start-up slow
            assert self.process.poll() is None, self.key.with_suffix(".log").read_text()[-2000:]
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.url, timeout=0.5)
                return self
            time.sleep(0.05)
        raise AssertionError(f"witness {self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def keygen(directory: Path, name: str) -> tuple[Path, str]:
    key = directory / f"{name}.key"
    done = subprocess.run(
        [sys.executable, "-m", "fusioncell.witness", "keygen", "--name", name, "--out", str(key)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return key, done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def two_witnesses(directory: Path, log_vkey: str) -> Iterator[list[LiveWitness]]:
    """ISR's and SYR's witnesses, each a real `python -m fusioncell.witness serve` process."""
    witnesses = []
    try:
        for party in ("ISR", "SYR"):
            name = f"witness.{party.lower()}.example"
            key, vkey = keygen(directory, name)
            witness = LiveWitness(name, party, key, directory / f"{name}.state", log_vkey, vkey)
            witnesses.append(witness.start())
        yield witnesses
    finally:
        for witness in witnesses:
            witness.stop()


def witnessed(runtime: Runtime, witnesses: list[Witness], **policy) -> Runtime:
    """The runtime with a cell that names these witnesses (the default cell names none)."""
    settings = WitnessSettings(witnesses=tuple(witnesses), policy=WitnessPolicy(**policy))
    return replace(runtime, cell=runtime.cell.model_copy(update={"witnesses": settings}))


@contextlib.contextmanager
def client_with_witness_routes(runtime: Runtime) -> Iterator[TestClient]:
    app = create_app(runtime, background=False)
    if not any(getattr(r, "path", None) == "/api/v1/ledger/witnesses" for r in app.routes):
        app.include_router(witness_router)  # until app.py includes it
    with TestClient(app) as client:
        yield client


def add_entries(db, count: int = 3, *, party: str = "ISR", releasable_to=frozenset({"ISR", "USA"})) -> list[int]:
    drafts = [
        EntryDraft(
            kind="probe",
            record_id=str(uuid.uuid4()),
            version=1,
            action="probe",
            actor="test",
            party=party,
            digest="0" * 64,
            origin_party=party,
            status="released",
            releasable_to=frozenset(releasable_to),
        )
        for _ in range(count)
    ]
    indices = append_entries(db, drafts)
    db.commit()
    return indices


def sign(db, runtime: Runtime):
    checkpoint = checkpoint_if_due(db, signer=runtime.signer, origin=runtime.cell.log_origin, interval=timedelta(0))
    db.commit()
    return checkpoint


def fork_tree(db, index: int) -> None:
    """Rewrite one leaf and every stored node from it: a self-consistent tree with another history."""
    entry = db.get(LedgerEntry, index)
    entry.leaf = bytes(32 - len(b"forked")) + b"forked"
    db.flush()
    leaves = db.execute(select(LedgerEntry.leaf).order_by(LedgerEntry.index)).scalars().all()
    nodes, _ = merkle.append_leaves(0, [], [merkle.leaf_hash(leaf) for leaf in leaves])
    db.execute(delete(LedgerNode))
    db.add_all(LedgerNode(level=level, position=position, hash=h) for level, position, h in nodes)
    db.commit()
