"""Prometheus metrics: requests and their latencies by route, and the record's health read at scrape time.

Requests are counted by a small ASGI middleware, labelled with the route's template (`/api/v1/incidents/{id}`),
never the raw path: an id in a label would both explode the series and tell a scraper which records exist.
The record's figures (ledger size, checkpoint age, each witness's lag, overdue acknowledgements) are read from
the database when Prometheus scrapes, so every worker answers the same. With several workers the request
counters live in PROMETHEUS_MULTIPROC_DIR, which `fusioncell serve --workers N` sets (prometheus_client's
multiprocess mode); a single process keeps them in memory.
"""

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Escalation
from fusioncell.ledger.models import Checkpoint
from fusioncell.ledger.service import tree_size
from fusioncell.ledger.witnessing_models import WitnessStatus

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "fusioncell_http_requests",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "fusioncell_http_request_duration_seconds",
    "Time to answer a request (to the start of the response), by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)


def route_of(scope: Scope) -> str:
    """The matched route's template; requests that matched none share one label."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if path is None:
        return "/static" if scope.get("path", "").startswith("/static/") else "unmatched"
    return path


class RequestMetrics:
    """Pure ASGI, like the edge middleware, so a stream's long life counts once, until its first byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                LATENCY.labels(scope["method"], route_of(scope)).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            REQUESTS.labels(scope["method"], route_of(scope), str(status["code"])).inc()


class RecordCollector:
    """The record's health, read from the database at each scrape."""

    def __init__(self, reading: Callable, *, witnesses: list[str], now: Callable[[], datetime] = utcnow) -> None:
        self.reading = reading  # Database.reading: a read-only session
        self.witnesses = witnesses
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.reading() as session:
            size = tree_size(session)
            latest = session.execute(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1)).scalar_one_or_none()
            statuses = {row.name: row for row in session.scalars(select(WitnessStatus))}
            still_open = Escalation.resolved_at.is_(None)
            overdue = session.scalar(select(func.count()).select_from(Escalation).where(still_open))
        yield GaugeMetricFamily("fusioncell_ledger_size", "Entries in the record (the Merkle tree's size).", size)
        checkpointed = latest.size if latest else 0
        yield GaugeMetricFamily("fusioncell_checkpoint_size", "Size of the latest signed checkpoint.", checkpointed)
        age = (self.now() - latest.created_at).total_seconds() if latest else float("nan")
        yield GaugeMetricFamily(
            "fusioncell_checkpoint_age_seconds", "Seconds since the latest checkpoint was signed.", age
        )
        lag = GaugeMetricFamily(
            "fusioncell_witness_lag_entries",
            "Entries of the latest checkpoint a witness has not cosigned yet.",
            labels=["witness"],
        )
        for name in self.witnesses:
            cosigned = statuses[name].cosigned_size if name in statuses else 0
            lag.add_metric([name], max(checkpointed - cosigned, 0))
        yield lag
        yield GaugeMetricFamily(
            "fusioncell_acknowledgements_overdue",
            "Acknowledgement deadlines missed and not yet resolved (escalations open).",
            overdue or 0,
        )


def exposition(record: RecordCollector) -> bytes:
    """The text a scrape reads: this process's (or all workers') request metrics and the record's figures."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(record)
    return generate_latest(registry)


class _ThisProcess:
    """The request metrics of a single-process server (the default registry's, without the process noise)."""

    def collect(self):
        yield from REQUESTS.collect()
        yield from LATENCY.collect()
