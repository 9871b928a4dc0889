"""Correlation at 100,000 reports: how long one report's correlations take for each kind of reader.

Run with `.venv/bin/python bench/intel_correlation.py` (`--help` for options). Not part of the test suite.
A throwaway SQLite file (or, with `--postgres URL`, a fresh database on that server, dropped at the end)
gets `--reports` (100,000) reports with their keys, inserted directly (no ledger: this measures the
query, not the write path). Each report carries 1-3 observable values drawn with a long tail (a few
values sit in thousands of reports: over the cap), one threat actor of 500, and a place within 60 km of
Quneitra over 90 days. Envelopes: every party authors; 5% drafts, 5% pending, the rest released (some
retracted) to 0-3 other parties. Then `correlations_for` is timed for `--samples` (200) random reports
per reader (ISR, SYR, the mediator USA, the observer UNDOF), each on a report that reader may read, and
every link checked against the releasability rule written out here. Target: p99 < 100 ms per call.
The workload is dense on purpose (100,000 places in a 120 km square over 90 days): most of a call is the
place query, answered from the index over (kind, lat, lon, at, report_id) without reading the table.
Results go to bench/results/intel_correlation.json.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select

from fusioncell.access.subjects import Subject
from fusioncell.cell.loader import default_cell
from fusioncell.db import migrate
from fusioncell.db.base import new_id
from fusioncell.db.session import Database
from fusioncell.intel.correlation import correlations_for
from fusioncell.intel.models import IntelKey, IntelReport, KeyKind

RESULTS = Path(__file__).resolve().parent / "results" / "intel_correlation.json"
TARGET_P99_MS = 100.0
PARTIES = ("ISR", "SYR", "USA", "FRA", "JOR", "UNDOF")
READERS = ("ISR", "SYR", "USA", "UNDOF")
START = datetime(2026, 8, 1, tzinfo=UTC)
console = Console(stderr=True)


@contextmanager
def database_at(postgres: str | None):
    if postgres is None:
        with tempfile.TemporaryDirectory() as directory:
            database = Database(f"sqlite:///{Path(directory) / 'intel.db'}")
            migrate.upgrade(database.engine)
            yield database
            database.dispose()
        return
    plain = postgres.replace("postgresql+psycopg://", "postgresql://")
    name = f"fusioncell_bench_correlation_{os.getpid()}"
    admin = psycopg.connect(plain, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database = Database(plain.rsplit("/", 1)[0] + "/" + name)
        migrate.upgrade(database.engine)
        yield database
        database.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def envelope(rng: random.Random) -> dict:
    origin = rng.choice(PARTIES)
    roll = rng.random()
    status = "draft" if roll < 0.05 else "pending" if roll < 0.10 else "retracted" if roll < 0.12 else "released"
    others = [p for p in PARTIES if p != origin]
    return {"origin_party": origin, "status": status, "releasable_to": frozenset(rng.sample(others, rng.randint(0, 3)))}


def _value(rng: random.Random, values: list[str]) -> str:
    """A long tail: nine in ten values are rare, the tenth comes from a few in thousands of reports."""
    if rng.random() < 0.9:
        return rng.choice(values)
    return values[min(int(rng.paretovariate(1.0)) - 1, len(values) - 1)]


def fill(database: Database, count: int, seed: int) -> None:
    rng = random.Random(seed)
    values = [f"ipv4-addr:10.{n // 65536}.{n // 256 % 256}.{n % 256}" for n in range(count)]
    batch = 5000
    for start in range(0, count, batch):
        reports, keys = [], []
        for _ in range(min(batch, count - start)):
            rid, at = new_id(), START + timedelta(seconds=rng.randrange(90 * 86400))
            reports.append(envelope(rng) | {"id": rid, "kind": "report", "title": "bench", "created_by": "bench"})
            reports[-1]["created_at"] = at
            for value in {_value(rng, values) for _ in range(rng.randint(1, 3))}:
                keys.append({"report_id": rid, "kind": KeyKind.VALUE, "key": value, "at": at})
            keys.append({"report_id": rid, "kind": KeyKind.ACTOR, "key": f"actor {rng.randrange(500)}", "at": at})
            lat, lon = 33.125 + rng.uniform(-0.55, 0.55), 35.824 + rng.uniform(-0.65, 0.65)
            keys.append({"report_id": rid, "kind": KeyKind.PLACE, "key": "", "lat": lat, "lon": lon, "at": at})
        with database.writing() as session:
            session.execute(insert(IntelReport), reports)
            session.execute(insert(IntelKey), [{"lat": None, "lon": None} | k for k in keys])


def may_read(party: str, origin: str, status: str, releasable_to: frozenset[str]) -> bool:
    """The rule as DESIGN.md states it, apart from the application's."""
    if party == origin:
        return True
    if status == "draft":
        return False
    return party == "USA" or (status in ("released", "retracted") and party in releasable_to)


def subject_of(cell, party: str) -> Subject:
    role = str(cell.party(party).role)
    return Subject(uuid.uuid4(), party.lower(), party, party, role, frozenset({"liaison"}))


def measure(database: Database, cell, samples: int, seed: int) -> dict:
    rng = random.Random(seed)
    with database.reading() as session:
        rows = session.execute(select(IntelReport)).scalars().all()
        envelopes = {r.id: (r.origin_party, r.status, frozenset(r.releasable_to)) for r in rows}
        out = {}
        for party in READERS:
            subject = subject_of(cell, party)
            mine = [r for r in rows if may_read(party, *envelopes[r.id])]
            timings, links, flagged = [], 0, 0
            for report in rng.sample(mine, min(samples, len(mine))):
                began = time.perf_counter()
                found = correlations_for(session, cell=cell, subject=subject, report=report)
                timings.append((time.perf_counter() - began) * 1000)
                links, flagged = links + len(found.links), flagged + len(found.common)
                bad = [link.report_id for link in found.links if not may_read(party, *envelopes[link.report_id])]
                assert not bad, f"{party} was shown reports it may not read: {bad[:3]}"
            timings.sort()
            out[party] = {
                "calls": len(timings),
                "p50_ms": statistics.median(timings),
                "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
                "links_per_call": links / len(timings),
                "common_per_call": flagged / len(timings),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL at this server instead of SQLite")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cell = default_cell()
    backend = "postgresql" if args.postgres else "sqlite"
    with database_at(args.postgres) as database:
        began = time.perf_counter()
        fill(database, args.reports, args.seed)
        console.print(f"{args.reports:,} reports stored in {time.perf_counter() - began:.1f} s ({backend})")
        figures = measure(database, cell, args.samples, args.seed)
    table = Table(title=f"correlations_for at {args.reports:,} reports ({backend}, {os.cpu_count()} cores)")
    for column in ("reader", "calls", "p50 ms", "p99 ms", "target p99", "links/call", "common/call"):
        table.add_column(column)
    for party, f in figures.items():
        ok = "[green]" if f["p99_ms"] < TARGET_P99_MS else "[red]"
        table.add_row(
            party,
            str(f["calls"]),
            f"{f['p50_ms']:.1f}",
            f"{ok}{f['p99_ms']:.1f}",
            f"< {TARGET_P99_MS:.0f}",
            f"{f['links_per_call']:.1f}",
            f"{f['common_per_call']:.1f}",
        )
    Console().print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"backend": backend, "reports": args.reports, "readers": figures}, indent=2))


if __name__ == "__main__":
    main()
