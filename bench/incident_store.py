"""Stored incidents for bench/incidents.py: rows of the incidents table made from synthetic reports (as
report_incident and the lifecycle leave them), and the bulk load that puts a million of them in a database.
"""

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from incident_reports import Report, Reporter, derive_all, pick
from rich.console import Console
from sqlalchemy import event, insert

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.session import Database
from fusioncell.incidents.derived import Derived
from fusioncell.incidents.models import Incident
from fusioncell.incidents.service import default_recipients, parties_to_acknowledge

# The stored envelopes: status, and whom a report is released to beyond the plenary default.
STATUSES = {"released": 0.80, "draft": 0.09, "pending": 0.08, "retracted": 0.03}
RELEASES = (  # (share, extra parties): the default plenary, or it and observers, or the mediator alone
    (0.55, ()),
    (0.20, ("UNDOF",)),
    (0.10, ("UNDOF", "FRA", "JOR")),
    (0.15, None),
)
STAGES = {"reported": 0.30, "acknowledged": 0.40, "under_investigation": 0.15, "finding": 0.05, "closed": 0.10}
# Two of the list's filters (incident_list.py), noted per row so that every page can be checked.
FILTER_ZONE = "aos"
FILTER_STAGE = "reported"

console = Console(stderr=True)


def uuid7_at(moment: datetime, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 for a time in the past (the application's new_id() only makes them for now)."""
    ms = int(moment.timestamp() * 1000)
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return uuid.UUID(int=value)


class Store:
    """Rows of the incidents table made from synthetic reports, and what each reader may list of them,
    kept alongside as arrays (to pick realistic cursors and check every page's answer)."""

    def __init__(self, cell: CellDefinition, seed: int) -> None:
        self.cell = cell
        self.rng = random.Random(seed + 1)
        self.parties = sorted(cell.party_codes)
        self.bit = {p: 1 << i for i, p in enumerate(self.parties)}
        self.status_codes = list(STATUSES)
        self.type_codes = [t.code for t in cell.incident_types]
        self.ids: list[uuid.UUID] = []
        keys = ("origin", "status", "release", "type", "zone", "occurred", "reported")
        self.columns: dict[str, list] = {k: [] for k in keys}

    def rows(
        self, reports: list[Report], derived: list[Derived], *, ledger_base: int | None, readers: str | None = None
    ) -> list[dict[str, Any]]:
        """One row per report (already in the order filed), as report_incident and the lifecycle would
        leave it. `readers`: every row readable by that party (for the map)."""
        rng, cell = self.rng, self.cell
        out = []
        for r, d in zip(reports, derived, strict=True):
            status = pick(rng, STATUSES if readers is None else {"released": 0.95, "retracted": 0.05})
            share = rng.random()
            extra: tuple[str, ...] | None = ()
            for weight, parties in RELEASES:
                if share < weight:
                    extra = parties
                    break
                share -= weight
            if extra is None:
                recipients = frozenset({cell.mediator.code}) - {r.origin}
            else:
                recipients = (default_recipients(cell, r.origin) | frozenset(extra)) - {r.origin}
            if readers is not None and readers != r.origin:
                recipients |= {readers}
            created = r.created_at
            row = {
                "id": uuid7_at(created, rng),
                "origin_party": r.origin,
                "created_by": r.username,
                "created_at": created,
                "version": 1,
                "marking": rng.choice(("TLP:AMBER", "TLP:AMBER", "TLP:GREEN", "TLP:AMBER+STRICT", "TLP:RED")),
                "status": status,
                "releasable_to": recipients,
                "ledger_index": None if ledger_base is None else ledger_base + len(self.ids) + len(out),
                "occurred_at": r.occurred_at,
                "occurred_until": r.occurred_until,
                "time_precision": r.time_precision,
                "location": r.location,
                "geo_precision": r.geo_precision,
                "type": r.type,
                "actor_party": r.actor,
                "reported_severity": r.severity,
                "killed": 0,
                "injured": 0,
                "civilians_killed": 0,
                "civilians_injured": 0,
                "description": f"Synthetic report {r.key}: {r.type.replace('-', ' ')} observed by {r.username}.",
                "sources": rng.choice(([], ["patrol report"], ["OP 52 log", "radar track"], ["local council"])),
                "attachments": [],
                "lat": d.lat,
                "lon": d.lon,
                "zones": d.zones,
                "side": d.side,
                "protected_sites": d.protected_sites,
                "violations": d.violations,
                "severity": d.severity,
                "stage": "reported",
                "released_at": None,
                "ack_parties": frozenset(),
                "acknowledged_parties": frozenset(),
                "ack_due_at": None,
                "acknowledged_at": None,
                "investigation_opened_at": None,
                "finding": None,
                "finding_reasons": None,
                "finding_at": None,
                "closed_at": None,
                "handled_by": None,
                "retracted_at": None,
                "retraction_reason": None,
            }
            if rng.random() < 0.15:
                row["killed"], row["injured"] = rng.randint(0, 3), rng.randint(0, 6)
                row["civilians_killed"], row["civilians_injured"] = min(row["killed"], 1), min(row["injured"], 2)
            if status in ("released", "retracted"):
                self.lifecycle(row, created)
            if status == "retracted":
                row["retracted_at"] = created + timedelta(hours=rng.uniform(1, 48))
                row["retraction_reason"] = "Filed twice by mistake."
                row["version"] += 1
            out.append(row)
        self.note(out)
        return out

    def lifecycle(self, row: dict[str, Any], now: datetime) -> None:
        """As _release and the later stages leave a released report."""
        rng, cell = self.rng, self.cell
        row["released_at"] = now
        owed = parties_to_acknowledge(cell, row["origin_party"], row["releasable_to"])
        row["ack_parties"] = owed
        hours = cell.deadlines.incident_response_hours.get(row["severity"])
        row["ack_due_at"] = None if hours is None or not owed else now + timedelta(hours=hours)
        stage = pick(rng, STAGES) if owed else "acknowledged"
        row["stage"] = stage
        if stage == "reported":
            return
        row["acknowledged_parties"] = owed
        row["acknowledged_at"] = now + timedelta(minutes=rng.uniform(5, 600))
        row["version"] += 1
        if stage in ("under_investigation", "finding", "closed"):
            row["investigation_opened_at"] = row["acknowledged_at"] + timedelta(hours=rng.uniform(1, 24))
            row["handled_by"] = "usa.mediator"
            row["version"] += 1
        if stage in ("finding", "closed"):
            row["finding"] = rng.choice(("substantiated", "unsubstantiated", "inconclusive"))
            row["finding_reasons"] = "Patrol and radar records compared."
            row["finding_at"] = row["investigation_opened_at"] + timedelta(days=rng.uniform(1, 10))
            row["version"] += 1
        if stage == "closed":
            row["closed_at"] = row["finding_at"] + timedelta(days=rng.uniform(0, 3))
            row["version"] += 1

    def note(self, rows: list[dict[str, Any]]) -> None:
        c = self.columns
        for row in rows:
            self.ids.append(row["id"])
            c["origin"].append(self.parties.index(row["origin_party"]))
            c["status"].append(self.status_codes.index(row["status"]))
            c["release"].append(sum(self.bit[p] for p in row["releasable_to"]))
            c["type"].append(self.type_codes.index(row["type"]))
            c["zone"].append(FILTER_ZONE in row["zones"])
            c["occurred"].append(row["occurred_at"].timestamp())
            c["reported"].append(row["stage"] == FILTER_STAGE)

    def in_id_order(self) -> tuple[list[uuid.UUID], dict[str, np.ndarray]]:
        """The ids and arrays sorted by id, the list's order (oldest first). Rows are made in the order
        filed, but a report filed late in one batch may carry a later id than an early one of the next."""
        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        return [self.ids[i] for i in order], {k: np.array(v)[order] for k, v in self.columns.items()}


@contextmanager
def loading(database: Database) -> Iterator[Database]:
    """A loader for a bulk load into an empty incidents table: its secondary indexes are dropped for the
    load and built after it from their own DDL (one sort each instead of a million scattered updates),
    on an engine of its own that need not be durable (SQLite: no fsync, a large page cache; PostgreSQL:
    asynchronous commit). The readers' engine, `database`, keeps the application's settings."""
    sqlite = database.is_sqlite
    if sqlite:
        found = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql NOT NULL"
    else:
        found = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incidents' AND indexname <> 'pk_incidents'"
        )
    with database.engine.begin() as connection:
        indexes = connection.exec_driver_sql(found).all()
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    loader = Database(database.url)

    @event.listens_for(loader.engine, "connect")
    def _unsafe(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if sqlite:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # about 1 GB
        else:
            cursor.execute("SET synchronous_commit TO off")
        cursor.close()

    try:
        yield loader
    finally:
        with loader.engine.begin() as connection:
            for _, ddl in indexes:
                connection.exec_driver_sql(ddl)
        loader.dispose()


def insert_rows(database: Database, rows: list[dict[str, Any]]) -> None:
    """One executemany of the incidents table (SQLAlchemy Core) in one transaction."""
    with database.engine.begin() as connection:
        connection.execute(insert(Incident.__table__), rows)


def fill(
    database: Database,
    cell: CellDefinition,
    count: int,
    *,
    seed: int,
    batch: int,
    end: datetime,
    readers: str | None = None,
) -> tuple[Store, dict[str, float]]:
    """`count` incidents, made, classified and inserted `batch` at a time; the time of each step is
    returned apart (`readers`: see Store.rows)."""
    reporter = Reporter(cell, seed)
    store = Store(cell, seed)
    spent = {"make": 0.0, "classify": 0.0, "rows": 0.0, "insert": 0.0}
    clock = time.perf_counter
    days = max(7.0, count / 20_000)  # an older, longer history for a larger store
    span = timedelta(days=days)
    done, next_report = 0, 100_000
    while done < count:
        n = min(batch, count - done)
        t0 = clock()
        # Each batch covers its own slice of time, so ids rise from batch to batch (nearly: a report
        # filed late may pass the next batch's first; Store.in_id_order sorts that out).
        slice_end = end - span + span * ((done + n) / count)
        reports, _ = reporter.reports(n, end=slice_end, days=days * n / count, duplicate_share=0.15)
        t1 = clock()
        derived = derive_all(cell, reports)
        t2 = clock()
        rows = store.rows(reports, derived, ledger_base=None if readers else 1, readers=readers)
        t3 = clock()
        insert_rows(database, rows)
        t4 = clock()
        for key, seconds in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent[key] += seconds
        done += n
        if done >= next_report or done == count:
            console.log(f"{done:,} incidents stored ({done / spent['insert']:,.0f}/s inserting)")
            next_report += 100_000
    return store, spent
