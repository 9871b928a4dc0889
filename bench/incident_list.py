"""The list stage of bench/incidents.py: a million stored incidents, listed a page of 50 at a time by each
kind of reader with each filter, every page checked against the releasability rule worked out here apart
from the application's (access/rule.py)."""

import argparse
import gc
import math
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from incident_reports import END
from incident_store import FILTER_STAGE, FILTER_ZONE, Store, fill, loading
from rich.console import Console
from sqlalchemy import event, text

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.incidents.models import Stage
from fusioncell.incidents.queries import IncidentFilters, list_incidents, type_codes

TARGET_LIST_P99_MS = 50.0  # one page of 50

LIST_SUBJECTS = {  # party: (username, roles) of the demo accounts
    "ISR": ("isr.liaison", ("liaison",)),
    "SYR": ("syr.liaison", ("liaison",)),
    "USA": ("usa.mediator", ("liaison", "admin")),
    "UNDOF": ("undof.observer", ("observer",)),
}
# The filters (type, zone, since), and two more the list takes (stage, reporting party).
LIST_FILTERS = ("none", "type", "zone", "since", "stage", "party")
FILTER_TYPE = "explosions-remote-violence"  # an event type: it and its sub-types
FILTER_PARTY = "SYR"  # FILTER_ZONE and FILTER_STAGE come with the rows (incident_store.py)

console = Console(stderr=True)


@contextmanager
def sqlite_database(directory: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{directory / 'incidents.db'}")
    try:
        migrate.upgrade(database.engine)
        yield database
    finally:
        database.dispose()


@contextmanager
def postgres_database(url: str) -> Iterator[Database]:
    """A fresh database fusioncell_bench_incidents_<pid> on the server of `url`, dropped at the end."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = f"fusioncell_bench_incidents_{os.getpid()}"
    admin = psycopg.connect(plain, autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        database = Database(plain.rsplit("/", 1)[0] + "/" + name)
        try:
            migrate.upgrade(database.engine)
            yield database
        finally:
            database.dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def subject_of(cell: CellDefinition, party: str) -> Subject:
    username, roles = LIST_SUBJECTS[party]
    role = str(cell.party(party).role)
    return Subject(uuid.uuid5(uuid.NAMESPACE_DNS, username), username, username, party, role, frozenset(roles))


def readable_mask(store: Store, a: dict[str, np.ndarray], subject: Subject) -> np.ndarray:
    """access/rule.py's rule over the arrays: own, or (mediator) not a draft, or released to the party."""
    own = a["origin"] == store.parties.index(subject.party)
    draft = a["status"] == store.status_codes.index("draft")
    if subject.is_mediator:
        return own | ~draft
    shown = np.isin(a["status"], [store.status_codes.index(s) for s in ("released", "retracted")])
    return own | (shown & ((a["release"] & store.bit[subject.party]) != 0))


def may_read(subject: Subject, origin: str, status: str, releasable_to: frozenset[str]) -> bool:
    """The same rule for one record (the map counts the demo's own incidents with it)."""
    if origin == subject.party:
        return True
    if subject.is_mediator:
        return status != "draft"
    return status in ("released", "retracted") and subject.party in releasable_to


def filter_of(cell: CellDefinition, store: Store, a: dict, name: str, since: datetime):
    """(IncidentFilters, the same as a mask over the arrays)."""
    if name == "type":
        codes = [store.type_codes.index(c) for c in type_codes(cell, FILTER_TYPE)]
        return IncidentFilters(type=FILTER_TYPE), np.isin(a["type"], codes)
    if name == "zone":
        return IncidentFilters(zone=FILTER_ZONE), a["zone"]
    if name == "since":
        return IncidentFilters(since=since), a["occurred"] >= since.timestamp()
    if name == "stage":
        return IncidentFilters(stage=Stage(FILTER_STAGE)), a["reported"]
    if name == "party":
        return IncidentFilters(party=FILTER_PARTY), a["origin"] == store.parties.index(FILTER_PARTY)
    return IncidentFilters(), np.ones(len(a["type"]), dtype=bool)


class Statements:
    """The last SQL statement the engine ran, with its parameters: to EXPLAIN the slowest page."""

    def __init__(self, database: Database) -> None:
        self.last: tuple[str, Any] | None = None
        self.engine = database.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.last = (statement, parameters)


class FullCollections:
    """The collector's full (generation 2) passes while pages are timed: a page slowed by one is the bench's
    heap, not the query."""

    def __init__(self) -> None:
        self.count, self.seconds, self._start = 0, 0.0, 0.0
        gc.callbacks.append(self._seen)

    def close(self) -> None:
        gc.callbacks.remove(self._seen)

    def _seen(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.count += 1
            self.seconds += time.perf_counter() - self._start


def explain(database: Database, statement: str, parameters: Any) -> list[str]:
    with database.engine.connect() as connection:
        if database.is_sqlite:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return [f"{r[0]}|{r[1]}| {r[3]}" for r in rows]
        rows = connection.exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters).all()
        return [r[0] for r in rows]


def time_pages(
    database: Database,
    cell: CellDefinition,
    store: Store,
    *,
    pages: int,
    limit: int,
    seed: int,
    combo_seconds: float,
) -> dict[str, Any]:
    """list_incidents, a fresh read session per page (as a request gets), for each reader, filter and
    kind of page: the first page, and a page after a cursor at a random depth of that reader's filtered
    list (the cursor a reader paging down would hold). Every answer is checked against the arrays."""
    ids, a = store.in_id_order()
    rng = random.Random(seed)
    since = datetime.fromtimestamp(float(a["occurred"].max()), UTC) - timedelta(days=7)
    # The bench holds millions of objects of its own (the store's ids and columns): a full pass of the
    # collector over them stalls a page for most of a second, which a server's heap would not. Measured, then
    # frozen out of later passes, as `fusioncell serve` freezes its start-up heap.
    t0 = time.perf_counter()
    gc.collect()
    full_collection_ms = (time.perf_counter() - t0) * 1000
    gc.freeze()
    collections = FullCollections()
    statements = Statements(database)
    combos, all_ms = [], []
    for party in LIST_SUBJECTS:
        subject = subject_of(cell, party)
        readable = readable_mask(store, a, subject)
        for name in LIST_FILTERS:
            filters, mask = filter_of(cell, store, a, name, since)
            listed = np.flatnonzero(readable & mask)[::-1]  # newest first: rows were stored in id order
            for kind in ("first", "deep"):
                latencies: list[float] = []
                worst: tuple[float, Any] = (-1.0, None)
                spent = 0.0
                for n in range(pages + 1):  # the first is an untimed warm-up
                    if kind == "first" or len(listed) <= limit:
                        depth = -1
                    else:
                        depth = rng.randrange(len(listed) // 10, len(listed) - 1)
                    before = None if depth < 0 else ids[listed[depth]]
                    t0 = time.perf_counter()
                    with database.reading() as session:
                        found = list_incidents(
                            session, cell=cell, subject=subject, filters=filters, before=before, limit=limit
                        )
                    elapsed = (time.perf_counter() - t0) * 1000
                    expected = [ids[i] for i in listed[depth + 1 : depth + 1 + limit]]
                    if [f.id for f in found] != expected:
                        raise SystemExit(f"{party} {name} {kind}: the page is not what the rule allows (broken bench?)")
                    if n == 0:
                        continue
                    latencies.append(elapsed)
                    if elapsed > worst[0]:
                        worst = (elapsed, statements.last)
                    spent += elapsed / 1000
                    if spent > combo_seconds:
                        break
                ms = sorted(latencies)
                combos.append(
                    {
                        "party": party,
                        "filter": name,
                        "page": kind,
                        "listed": int(len(listed)),
                        "pages": len(ms),
                        "p50_ms": statistics.median(ms),
                        "p99_ms": percentile(ms, 0.99),
                        "max_ms": ms[-1],
                        "worst_statement": worst[1],
                    }
                )
                all_ms += ms
                c = combos[-1]
                console.log(
                    f"{party:5} {name:5} {kind:5}: p50 {c['p50_ms']:7.2f} ms  p99 {c['p99_ms']:8.2f} ms "
                    f"({c['pages']} pages, {c['listed']:,} listed)"
                )
    all_ms.sort()
    slowest = max(combos, key=lambda c: c["p99_ms"])
    statements.close()
    collections.close()
    gc.unfreeze()
    for c in combos:  # the plan of each combination's slowest page (EXPLAIN ANALYZE on PostgreSQL)
        statement = c.pop("worst_statement")
        c["plan"] = explain(database, *statement) if statement else []
    return {
        "pages": len(all_ms),
        "limit": limit,
        "p50_ms": statistics.median(all_ms),
        "p99_ms": percentile(all_ms, 0.99),
        "max_ms": all_ms[-1],
        "combos": combos,
        "slowest": {k: slowest[k] for k in ("party", "filter", "page", "p99_ms")},
        "gc_full_collection_ms_before_freeze": full_collection_ms,
        "gc_full_collections_while_timing": collections.count,
        "gc_full_collections_ms_while_timing": collections.seconds * 1000,
    }


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]


def index_definitions(database: Database) -> list[str]:
    """The incidents indexes the pages were timed with, as the migrations (then the bulk load) left them."""
    if database.is_sqlite:
        found = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql NOT NULL"
    else:
        found = "SELECT indexdef FROM pg_indexes WHERE tablename = 'incidents'"
    with database.engine.connect() as connection:
        return sorted(r[0] for r in connection.exec_driver_sql(found))


def run_list(cell: CellDefinition, args: argparse.Namespace) -> dict[str, Any]:
    backend = "postgresql" if args.postgres else "sqlite"
    console.rule(f"list: {args.stored:,} incidents stored on {backend}")
    with tempfile.TemporaryDirectory(prefix="fusioncell_bench_incidents_") as directory:
        opened = postgres_database(args.postgres) if args.postgres else sqlite_database(Path(directory))
        with opened as database:
            t0 = time.perf_counter()
            with loading(database) as loader:
                store, spent = fill(loader, cell, args.stored, seed=args.seed, batch=args.insert_batch, end=END)
                t1 = time.perf_counter()
            indexing = time.perf_counter() - t1
            build = time.perf_counter() - t0
            if not database.is_sqlite:  # autovacuum would analyse it soon after such a load; do it now
                with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE incidents"))
            result = time_pages(
                database,
                cell,
                store,
                pages=args.pages,
                limit=50,
                seed=args.seed,
                combo_seconds=args.combo_seconds,
            )
            size = None
            if database.is_sqlite:
                size = (Path(directory) / "incidents.db").stat().st_size
            indexes = index_definitions(database)
    result |= {
        "indexes": indexes,
        "backend": backend,
        "stored": args.stored,
        "build_seconds": build,
        "insert_seconds": spent["insert"],
        "index_seconds": indexing,
        "inserts_per_s": args.stored / spent["insert"],
        "make_seconds": spent["make"] + spent["classify"] + spent["rows"],
        "database_bytes": size,
    }
    console.log(
        f"stored in {build:.0f} s (inserting {result['inserts_per_s']:,.0f}/s, indexes built in {indexing:.0f} s); "
        f"pages p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, max {result['max_ms']:.1f} ms; "
        f"slowest: {result['slowest']}; a full collection of the bench's heap took "
        f"{result['gc_full_collection_ms_before_freeze']:.0f} ms, {result['gc_full_collections_while_timing']} ran "
        "while timing"
    )
    shown = set()
    for c in result["combos"]:  # the plans of what misses the target, once per filter and kind of page
        if c["p99_ms"] >= TARGET_LIST_P99_MS and (c["filter"], c["page"]) not in shown:
            shown.add((c["filter"], c["page"]))
            console.log(f"plan of {c['party']}/{c['filter']}/{c['page']} (p99 {c['p99_ms']:.0f} ms):")
            console.print("  " + "\n  ".join(c["plan"]), highlight=False)
    return result
