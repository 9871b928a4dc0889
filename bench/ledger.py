"""Ledger benchmarks: appends, inclusion-proof latency at 10^6 entries, full-log verification speed.

Run with `make bench` (or `.venv/bin/python bench/ledger.py --help`). Not part of the test suite.
Prints a table of each figure beside its target and writes bench/results/ledger.json.
See bench/README.md for what each figure measures.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.ledger import merkle
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.service import EntryDraft, append_entries, inclusion_proof, root_at, tree_size

RESULTS = Path(__file__).resolve().parent / "results" / "ledger.json"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

TARGET_APPENDS = 20_000  # appends/s, batched
TARGET_PROOF_P99_MS = 2.0  # inclusion proof at 10^6 entries
TARGET_VERIFY_RATIO = 0.30  # full-log verification vs raw SHA-256

PARTIES = ("USA", "ISR", "SYR", "FRA", "JOR", "UNDOF")  # the default cell's
ROLES = ("liaison", "analyst", "supervisor", "mediator", "admin")
KINDS = ("message", "message", "message", "attachment", "user", "api-token", "account-event")
ACTIONS = ("create", "create", "update", "release", "approve", "retract", "login")
STATUSES = ("released", "released", "released", "draft", "pending", "retracted")
ACCENTED = ("josé", "zoë", "łukasz", "محمد", "יעל")  # some usernames are not ASCII

console = Console(stderr=True)


# --- inputs ----------------------------------------------------------------------------------------


def make_drafts(rng: random.Random, count: int) -> list[EntryDraft]:
    """Entries as the application writes them: uuid record ids, SHA-256 hex digests, party codes,
    releasable to 1-3 parties."""
    drafts = []
    for _ in range(count):
        party = rng.choice(PARTIES)
        name = rng.choice(ACCENTED) if rng.random() < 0.05 else party.lower()
        drafts.append(
            EntryDraft(
                kind=rng.choice(KINDS),
                record_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                version=rng.choice((1, 1, 1, 2, 3)),
                action=rng.choice(ACTIONS),
                actor=f"{name}.{rng.choice(ROLES)}",
                party=party,
                digest=rng.randbytes(32).hex(),
                origin_party=party,
                status=rng.choice(STATUSES),
                releasable_to=frozenset(rng.sample(PARTIES, rng.randint(1, 3))),
            )
        )
    return drafts


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="fusioncell_bench_") as directory:
        database = Database(f"sqlite:///{Path(directory) / 'ledger.db'}")
        try:
            migrate.upgrade(database.engine)
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database(base_url: str) -> Iterator[Database]:
    """A fresh database fusioncell_bench_<pid> on the server, dropped at the end whatever happens."""
    name = f"fusioncell_bench_{os.getpid()}"
    admin = psycopg.connect(base_url, autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        database = Database(base_url.rsplit("/", 1)[0] + "/" + name)
        try:
            migrate.upgrade(database.engine)
            yield database
        finally:
            database.dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


# --- 1. appends --------------------------------------------------------------------------------------


def build_log(
    database: Database,
    *,
    label: str,
    entries: int,
    batch: int,
    window: int,
    rng: random.Random,
    budget: float | None,
) -> dict[str, Any]:
    """Append `entries` in transactions of `batch` entries (one append_entries call, committed each).

    Only the transactions are timed; the drafts are made beforehand. Stops early if `budget` seconds
    of appending are spent (then `complete` is false and `entries` says how far it got)."""
    timings: list[tuple[int, float]] = []
    spent = cpu = 0.0
    done = 0
    next_report = 100_000
    while done < entries:
        drafts = make_drafts(rng, min(batch, entries - done))
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with database.writing() as session:
            append_entries(session, drafts)
        elapsed = time.perf_counter() - wall0
        cpu += time.process_time() - cpu0
        timings.append((len(drafts), elapsed))
        spent += elapsed
        done += len(drafts)
        if done >= next_report:
            console.log(f"{label}: {done:,} entries appended, {done / spent:,.0f}/s so far")
            next_report += 100_000
        if budget is not None and spent > budget and done < entries:
            console.log(f"[yellow]{label}: append budget of {budget:.0f} s spent, stopping at {done:,} entries")
            break
    first_n = first_t = 0.0
    for count, elapsed in timings:
        if first_n >= window:
            break
        first_n += count
        first_t += elapsed
    rates = [count / elapsed for count, elapsed in timings]
    return {
        "batch_size": batch,
        "entries": done,
        "complete": done >= entries,
        "seconds": spent,
        "client_cpu_seconds": cpu,
        "rate_whole_build": done / spent,
        "window_entries": int(first_n),
        "rate_first_window": first_n / first_t,
        "median_batch_rate": statistics.median(rates),
        "best_batch_rate": max(rates),
    }


def single_entry_transactions(database: Database, rng: random.Random, count: int, max_seconds: float) -> dict:
    """One entry per transaction, as record_change does for each change (commit = fsync on both)."""
    done, spent = 0, 0.0
    for draft in make_drafts(rng, count):
        t0 = time.perf_counter()
        with database.writing() as session:
            append_entries(session, [draft])
        spent += time.perf_counter() - t0
        done += 1
        if spent > max_seconds:
            break
    return {"transactions": done, "seconds": spent, "rate": done / spent}


# --- 2. inclusion proofs ------------------------------------------------------------------------------


def proof_latency(database: Database, rng: random.Random, count: int, max_seconds: float, warmup: int = 20) -> dict:
    """inclusion_proof(session, index=random, size=current) in one read session: the endpoint's work
    minus HTTP (size check, one query for the stored nodes, the proof computed from them).
    Stops early (and says so) once `max_seconds` have gone into timed proofs."""
    with database.reading() as session:
        size = tree_size(session)
        indices = [rng.randrange(size) for _ in range(count)]
        for index in indices[:warmup]:
            inclusion_proof(session, index=index, size=size)
        latencies, proofs = [], []
        clock = time.perf_counter_ns
        budget = int(max_seconds * 1e9)
        for index in indices:
            t0 = clock()
            proof = inclusion_proof(session, index=index, size=size)
            latencies.append(clock() - t0)
            proofs.append(proof)
            budget -= latencies[-1]
            if budget < 0:
                console.log(f"[yellow]proof budget of {max_seconds:.0f} s spent after {len(latencies):,} proofs")
                break
        requested, count = count, len(latencies)
        indices = indices[:count]
        # Not timed: the proofs really prove (a sample of them, against the stored leaves).
        root = root_at(session, size)
        sample = rng.sample(range(count), min(50, count))
        leaves = dict(
            session.execute(
                select(LedgerEntry.index, LedgerEntry.leaf).where(LedgerEntry.index.in_([indices[i] for i in sample]))
            ).all()
        )
        for i in sample:
            merkle.verify_inclusion(indices[i], size, merkle.leaf_hash(leaves[indices[i]]), proofs[i], root)
    ms = sorted(ns / 1e6 for ns in latencies)
    return {
        "size": size,
        "proofs": count,
        "requested": requested,
        "complete": count == requested,
        "warmup": warmup,
        "verified_sample": len(sample),
        "p50_ms": statistics.median(ms),
        "p90_ms": ms[int(0.90 * (len(ms) - 1))],
        "p99_ms": statistics.quantiles(ms, n=100, method="inclusive")[98],
        "max_ms": ms[-1],
        "mean_ms": statistics.fmean(ms),
    }


# --- 3. full-log verification vs raw SHA-256 --------------------------------------------------------


def verify_full_log(leaves: list[bytes], expected_root: bytes) -> float:
    """What a verifier does with every downloaded leaf: leaf hashes, then the root. Returns seconds."""
    t0 = time.perf_counter()
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    root = merkle.root_from_leaf_hashes(hashes)
    elapsed = time.perf_counter() - t0
    if root != expected_root:
        raise SystemExit("full-log verification computed a different root than root_at: the benchmark is broken")
    return elapsed


def raw_sha256_global(count: int, message: bytes) -> float:
    """hashlib.sha256(m).digest() as written: a global and an attribute lookup per hash."""
    t0 = time.perf_counter()
    for _ in range(count):
        hashlib.sha256(message).digest()
    return time.perf_counter() - t0


def raw_sha256_local(count: int, message: bytes) -> float:
    """The same with hashlib.sha256 bound to a local name, as merkle.root_from_leaf_hashes does."""
    sha256 = hashlib.sha256
    t0 = time.perf_counter()
    for _ in range(count):
        sha256(message).digest()
    return time.perf_counter() - t0


def hashing_speed(leaves: list[bytes], expected_root: bytes, rounds: int) -> dict:
    n = len(leaves)
    verify_hashes = 2 * n - 1  # n leaf hashes and n - 1 inner nodes
    raw_count = max(verify_hashes, 1_000_000)
    message = bytes(range(65))  # the size of an inner node's input: 0x01 || left || right
    best: dict[str, float] = {"verify": 0.0, "raw_global": 0.0, "raw_local": 0.0}
    runs: dict[str, list[float]] = {key: [] for key in best}
    for _ in range(rounds):  # interleaved, best of `rounds`: the least disturbed by other load
        for key, run, hashes in (
            ("raw_global", lambda: raw_sha256_global(raw_count, message), raw_count),
            ("verify", lambda: verify_full_log(leaves, expected_root), verify_hashes),
            ("raw_local", lambda: raw_sha256_local(raw_count, message), raw_count),
        ):
            rate = hashes / run()
            runs[key].append(rate)
            best[key] = max(best[key], rate)
    raw_key = max(("raw_global", "raw_local"), key=lambda key: best[key])
    return {
        "leaves": n,
        "verification_hashes": verify_hashes,
        "raw_hashes_per_run": raw_count,
        "raw_message_bytes": len(message),
        "rounds": rounds,
        "verify_hashes_per_s": best["verify"],
        "raw_global_hashes_per_s": best["raw_global"],
        "raw_local_hashes_per_s": best["raw_local"],
        "raw_used_for_ratio": raw_key,
        "ratio": best["verify"] / best[raw_key],
        "all_runs_hashes_per_s": runs,
    }


# --- driver -------------------------------------------------------------------------------------------


def run_backend(
    name: str, database: Database, args: argparse.Namespace, budget: float | None, rng: random.Random
) -> dict[str, Any]:
    console.rule(f"{name}: building a log of {args.entries:,} entries, {args.batch:,} per transaction")
    result: dict[str, Any] = {"url": database.engine.url.render_as_string(hide_password=True)}
    result["appends"] = build_log(
        database,
        label=name,
        entries=args.entries,
        batch=args.batch,
        window=args.window,
        rng=rng,
        budget=budget,
    )
    console.log(f"{name}: {args.singles} single-entry transactions")
    result["single"] = single_entry_transactions(database, rng, args.singles, max_seconds=args.single_seconds)
    console.log(f"{name}: {args.proofs:,} inclusion proofs")
    result["proofs"] = proof_latency(database, rng, args.proofs, args.proof_seconds)
    return result


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "openssl": ssl.OPENSSL_VERSION,
    }


def check(name: str, backend: str, value: float, unit: str, target: str, met: bool | None) -> dict[str, Any]:
    return {"benchmark": name, "backend": backend, "value": value, "unit": unit, "target": target, "met": met}


def summarise(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for backend in ("sqlite", "postgresql"):
        res = results["backends"].get(backend)
        if res is None:
            continue
        a, s, p = res["appends"], res["single"], res["proofs"]
        proofs = f"{p['proofs']:,} proofs" if p["complete"] else f"{p['proofs']:,} of {p['requested']:,}, time cap"
        build = f"{a['entries']:,}" if a["complete"] else f"{a['entries']:,}, budget hit"
        rows.append(
            check(
                f"appends/s, batched ({a['batch_size']:,}/txn), first {a['window_entries']:,}",
                backend,
                a["rate_first_window"],
                "appends/s",
                f">= {TARGET_APPENDS:,}",
                a["rate_first_window"] >= TARGET_APPENDS,
            )
        )
        rows.append(
            check(
                f"appends/s, batched ({a['batch_size']:,}/txn), whole build to {build}",
                backend,
                a["rate_whole_build"],
                "appends/s",
                f">= {TARGET_APPENDS:,}",
                a["rate_whole_build"] >= TARGET_APPENDS,
            )
        )
        rows.append(check("single-entry transactions/s", backend, s["rate"], "txn/s", "(informational)", None))
        for key in ("p50_ms", "p99_ms", "max_ms"):
            rows.append(
                check(
                    f"inclusion proof {key[:-3]} at {p['size']:,} entries ({proofs})",
                    backend,
                    p[key],
                    "ms",
                    f"< {TARGET_PROOF_P99_MS} ms" if key == "p99_ms" else "(informational)",
                    p[key] < TARGET_PROOF_P99_MS if key == "p99_ms" else None,
                )
            )
    h = results.get("hashing")
    if h:
        rows.append(
            check(
                f"full-log verification, {h['leaves']:,} leaves",
                h["leaves_from"],
                h["verify_hashes_per_s"],
                "hashes/s",
                "",
                None,
            )
        )
        rows.append(
            check("raw SHA-256, hashlib.sha256(m) (65 B)", "-", h["raw_global_hashes_per_s"], "hashes/s", "", None)
        )
        rows.append(
            check("raw SHA-256, local sha256(m) (65 B)", "-", h["raw_local_hashes_per_s"], "hashes/s", "", None)
        )
        rows.append(
            check(
                f"verification / raw ({h['raw_used_for_ratio'].replace('raw_', '')}, the faster)",
                "-",
                h["ratio"] * 100,
                "%",
                f">= {TARGET_VERIFY_RATIO:.0%}",
                h["ratio"] >= TARGET_VERIFY_RATIO,
            )
        )
    return rows


def render(rows: list[dict[str, Any]], results: dict[str, Any]) -> Table:
    env = results["environment"]
    load = results["load_average"]
    table = Table(
        title="fusioncell ledger benchmarks",
        caption=(
            f"{env['cpus']} CPUs, load average {load['start'][0]:.2f} at start, {load['end'][0]:.2f} at end. "
            "The machine may be shared: figures vary with load from run to run.\n"
            f"Python {env['python']}, SQLite {env['sqlite']}, PostgreSQL {env.get('postgresql', 'not run')}. "
            f"JSON: {results['parameters']['output']}"
        ),
    )
    table.add_column("Benchmark")
    table.add_column("Backend")
    table.add_column("Measured", justify="right")
    table.add_column("Target", justify="right")
    table.add_column("Met", justify="center")
    for row in rows:
        value = row["value"]
        text = f"{value:,.3f} {row['unit']}" if row["unit"] == "ms" else f"{value:,.0f} {row['unit']}"
        if row["unit"] == "%":
            text = f"{value:.1f} %"
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: "-"}[row["met"]]
        table.add_row(row["benchmark"], row["backend"], text, row["target"], met)
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000, help="log size to build (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="a fast try: 50,000 entries, fewer samples")
    parser.add_argument("--batch", type=int, default=1000, help="entries per append_entries call/transaction")
    parser.add_argument("--window", type=int, default=50_000, help="entries in the 'first N' append figure")
    parser.add_argument("--singles", type=int, default=300, help="single-entry transactions to time")
    parser.add_argument("--single-seconds", type=float, default=10.0, help="stop single-entry runs after this")
    parser.add_argument("--proofs", type=int, default=2000, help="random inclusion proofs to time")
    parser.add_argument(
        "--proof-seconds", type=float, default=60.0, help="stop timing proofs after this much time in them"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of verification/raw hashing (best kept)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("FUSIONCELL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="server to create the throwaway database fusioncell_bench_<pid> on",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--postgres-budget",
        type=float,
        default=180.0,
        help="seconds of appending allowed for the PostgreSQL build; past it the build stops and the proofs "
        "are timed at the size reached (default 180)",
    )
    parser.add_argument("--seed", type=int, default=9162)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.quick:
        args.entries = min(args.entries, 50_000)
        args.singles = min(args.singles, 100)
        args.rounds = min(args.rounds, 2)
    args.window = min(args.window, args.entries)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "load_average": {"start": os.getloadavg()},
        "targets": {
            "appends_per_s": TARGET_APPENDS,
            "inclusion_proof_p99_ms": TARGET_PROOF_P99_MS,
            "verification_vs_raw_ratio": TARGET_VERIFY_RATIO,
        },
        "backends": {},
        "notes": [
            "Figures vary with machine load; the machine may be shared with other work.",
            "Appends: only append_entries transactions are timed (draft creation is not).",
            "Hashing: best of interleaved rounds; ratio uses the faster raw variant.",
        ],
    }
    results["environment"] = environment()
    rng = random.Random(args.seed)

    with sqlite_database() as sqlite_db:
        results["backends"]["sqlite"] = run_backend("sqlite", sqlite_db, args, None, rng)
        console.log("sqlite: downloading every leaf for the full-log verification (not timed)")
        with sqlite_db.reading() as session:
            size = tree_size(session)
            leaves = list(session.execute(select(LedgerEntry.leaf).order_by(LedgerEntry.index)).scalars())
            expected_root = root_at(session, size)
    console.rule(f"hashing: verifying {len(leaves):,} leaves vs raw SHA-256, best of {args.rounds}")
    results["hashing"] = hashing_speed(leaves, expected_root, args.rounds) | {"leaves_from": "sqlite"}
    del leaves

    if not args.no_postgres:
        try:
            with postgres_database(args.postgres_url) as pg_db:
                with pg_db.engine.connect() as connection:
                    version = connection.exec_driver_sql("SHOW server_version").scalar()
                results["environment"]["postgresql"] = version
                results["backends"]["postgresql"] = run_backend("postgresql", pg_db, args, args.postgres_budget, rng)
        except psycopg.OperationalError as exc:
            console.log(f"[red]PostgreSQL not reachable at {args.postgres_url}: {exc}; skipped")
            results["notes"].append(f"PostgreSQL skipped: {exc}")

    results["load_average"]["end"] = os.getloadavg()
    results["total_seconds"] = time.perf_counter() - started
    rows = summarise(results)
    results["summary"] = rows

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    Console(width=max(Console().width, 130)).print(render(rows, results))
    console.log(f"done in {results['total_seconds']:.0f} s; results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
