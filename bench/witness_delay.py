"""Witness delay benchmark: from a write to a checkpoint covering it that two witnesses cosigned.

Run with `.venv/bin/python bench/witness_delay.py` (`--help` for options). Not part of the test suite.
A real database (SQLite by default) takes `--rate` single-entry write transactions a second; a
checkpointer signs every `--interval` seconds (the app's timer) and a pusher pushes the newest
checkpoint every interval/10 to two real witness processes (ISR's and SYR's), as the app's timers do.
For every write the delay is the time from its commit to the moment a checkpoint holding it came
back cosigned by both. Target: p99 ≤ 2 s at 500 writes/s. Writes bench/results/witness_delay.json.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import structlog
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from fusioncell.cell.witnesses import Witness, WitnessSettings
from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.ledger.note import Signer
from fusioncell.ledger.service import EntryDraft, append_entries, checkpoint_if_due
from fusioncell.ledger.witnessing import ask, prepare, store
from fusioncell.ledger.witnessing_models import Cosignature

RESULTS = Path(__file__).resolve().parent / "results" / "witness_delay.json"
ORIGIN = "bench.fusioncell.example/ledger"
TARGET_SECONDS = 2.0
PUSHES_PER_INTERVAL = 10  # the push timer's period is checkpoint_interval_seconds / 10 (see docs/record.md)
console = Console(stderr=True)


def start_witness(directory: Path, party: str, log_vkey: str, port: int) -> tuple[subprocess.Popen, Witness]:
    name = f"witness.{party.lower()}.example"
    key = directory / f"{name}.key"
    run = [sys.executable, "-m", "fusioncell.witness"]
    vkey = subprocess.run([*run, "keygen", "--name", name, "--out", str(key)], capture_output=True, text=True)
    vkey.check_returncode()
    serve = ["serve", "--key", str(key), "--log-vkey", log_vkey, "--state", str(directory / f"{name}.state")]
    process = subprocess.Popen(
        [*run, *serve, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url, timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    return process, Witness(name=name, party=party, url=url, vkey=vkey.stdout.strip().splitlines()[-1])


def draft() -> EntryDraft:
    return EntryDraft("probe", str(uuid.uuid4()), 1, "probe", "bench", "ISR", "0" * 64, "ISR", "released", frozenset())


class FairGate:
    """A first-come first-served lock, as the app's asyncio write gate is: a writer running behind its
    schedule must not starve the checkpointer (a plain Lock lets the releasing thread win again)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next
            self._next += 1
            self._cond.wait_for(lambda: self._serving == ticket)

    def __exit__(self, *exc) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


class Run:
    """The three loops of a cell, sharing one write gate as the app's timers and requests do."""

    def __init__(self, database: Database, signer: Signer, settings: WitnessSettings, interval: float) -> None:
        self.database, self.signer, self.settings, self.interval = database, signer, settings, interval
        self.gate = FairGate()
        self.stop = threading.Event()
        self.written: dict[int, float] = {}  # index → commit time
        self.delays: list[float] = []
        self.covered = 0  # writes below this index have their delay

    def writer(self, rate: float, seconds: float) -> None:
        start = time.monotonic()
        count = 0
        while (now := time.monotonic()) - start < seconds:
            due = start + count / rate
            if now < due:
                time.sleep(due - now)
            with self.gate, self.database.writing() as session:
                [index] = append_entries(session, [draft()])
            self.written[index] = time.monotonic()
            count += 1

    def checkpointer(self) -> None:
        while not self.stop.is_set():
            with self.gate, self.database.writing() as session:
                checkpoint_if_due(session, signer=self.signer, origin=ORIGIN, interval=timedelta(seconds=self.interval))
            time.sleep(self.interval)

    def pusher(self) -> None:
        while not self.stop.is_set():
            pushing = prepare(self.database, self.settings)  # as witnessing.run_pusher does, in one thread
            if pushing is not None:
                outcomes = ask(self.database, pushing)
                with self.gate:
                    store(self.database, pushing.size, outcomes)
            self._covered_until(time.monotonic())
            time.sleep(self.interval / PUSHES_PER_INTERVAL)

    def _covered_until(self, now: float) -> None:
        """Writes below the largest size both witnesses have cosigned are covered from now."""
        both = (
            select(Cosignature.size)
            .group_by(Cosignature.size)
            .having(func.count() == len(self.settings.witnesses))
            .order_by(Cosignature.size.desc())
            .limit(1)
        )
        with self.database.reading() as session:
            size = session.execute(both).scalar() or 0
        for index in range(self.covered, size):
            if index in self.written:
                self.delays.append(now - self.written[index])
        self.covered = max(self.covered, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to write")
    parser.add_argument("--interval", type=float, default=1.0, help="checkpoint interval (the app's default)")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings and up only
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        database = Database(args.database_url or f"sqlite:///{directory / 'cell.db'}")
        migrate.upgrade(database.engine)
        signer = Signer.generate(ORIGIN)
        started = [
            start_witness(directory, party, signer.verifier_key(), 18400 + i) for i, party in enumerate(("ISR", "SYR"))
        ]
        settings = WitnessSettings(witnesses=tuple(w for _, w in started))
        run = Run(database, signer, settings, args.interval)
        loops = [threading.Thread(target=run.checkpointer), threading.Thread(target=run.pusher)]
        for loop in loops:
            loop.start()
        try:
            began = time.monotonic()
            run.writer(args.rate, args.seconds)
            achieved = len(run.written) / (time.monotonic() - began)
            time.sleep(args.interval * 3)  # let the last writes be checkpointed and cosigned
        finally:
            run.stop.set()
            for loop in loops:
                loop.join()
            for process, _ in started:
                process.terminate()
                process.wait(timeout=10)
        report(args, achieved, run)


def report(args, achieved: float, run: Run) -> None:
    delays = sorted(run.delays)
    p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]  # noqa: E731
    figures = {
        "writes_per_second": round(achieved, 1),
        "writes_measured": len(delays),
        "delay_p50_s": round(p(0.5), 3),
        "delay_p99_s": round(p(0.99), 3),
        "delay_max_s": round(delays[-1], 3),
        "delay_mean_s": round(statistics.fmean(delays), 3),
        "target_p99_s": TARGET_SECONDS,
    }
    table = Table(title=f"write → cosigned by 2 witnesses ({args.rate:g} writes/s asked, interval {args.interval:g} s)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, str(value))
    console.print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
