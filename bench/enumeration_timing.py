"""404 timing benchmark: does an unreadable record answer as fast as a missing one?

Run with `.venv/bin/python bench/enumeration_timing.py` (`--help` for options). Not part of the test suite.
Starts a real `fusioncell serve` on a throwaway demo cell (SQLite; `--postgres` adds a PostgreSQL run),
creates through the API records of ISR that SYR may not read (a draft incident, a message on the
USA–ISR channel, a draft project), then, as SYR's liaison officer over one keep-alive connection, asks a
few routes `--requests` times each for the unreadable record and as often for a missing id (a fresh
random UUIDv7 of the same minute each time; for the ledger, indexes past the end), the two interleaved in
a random order. Prints p50/p99 of both and their difference beside the target (difference within noise:
p50 difference < 1 ms) and writes bench/results/enumeration_timing.json. Every answer is checked: 404,
and the same body as the missing one's apart from the request id.
"""

import argparse
import json
import os
import random
import re
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from fusioncell.demo import DEMO_PASSWORD
from hotline import Cell, postgres_database  # the same throwaway cell and database as the hotline bench

RESULTS = Path(__file__).resolve().parent / "results" / "enumeration_timing.json"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_P50_DIFF_MS = 1.0
QUNEITRA = (33.1256, 35.8239)

console = Console(stderr=True)


def token(base: str, username: str) -> str:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


def point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def hidden_records(base: str, isr: str) -> dict[str, str]:
    """ISR's records SYR may not read, made through the API."""
    headers = {"Authorization": f"Bearer {isr}"}
    now = datetime.now(UTC)
    incident = {
        "occurred_at": (now - timedelta(hours=1)).isoformat(),
        "time_precision": "hour",
        "location": point(*QUNEITRA),
        "geo_precision": "near",
        "type": "armed-clash",
        "severity": 3,
        "description": "Exchange of fire near the old city.",
        "sources": ["patrol report"],
        "draft": True,
    }
    month_ago = (now - timedelta(days=30)).date()
    project = {
        "name": "Quneitra wind farm",
        "sector": "energy-wind",
        "description": "Twelve turbines on the plateau.",
        "site": point(*QUNEITRA),
        "stage": "feasibility",
        "stage_dates": {"concept": (month_ago - timedelta(days=30)).isoformat(), "feasibility": month_ago.isoformat()},
        "sponsors": [{"name": "Golan Wind Co", "role": "sponsor"}],
    }
    message = {"channel": "usa-isr", "body": "For the mediator alone."}
    made = {}
    for kind, path, body in (
        ("incident", "/api/v1/incidents", incident),
        ("message", "/api/v1/messages", message),
        ("project", "/api/v1/projects", project),
    ):
        response = httpx.post(base + path, json=body, headers=headers, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
        made[kind] = response.json()["id"]
    entries = httpx.get(f"{base}/api/v1/ledger/entries?limit=20", headers=headers, timeout=30).json()["items"]
    made["entry"] = str(next(e["index"] for e in entries if e.get("record_id") == made["incident"]))
    return made


def random_uuid7_near(real: str, rng: random.Random) -> str:
    """A fresh UUIDv7 within a minute of `real`'s millisecond: a record that could exist."""
    ms = (uuid.UUID(real).int >> 80) + rng.randint(-60_000, 60_000)
    raw = (ms << 80) | rng.getrandbits(80)
    raw = (raw & ~(0xF << 76)) | (0x7 << 76)
    raw = (raw & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=raw))


def routes(made: dict[str, str], size: int) -> list[tuple[str, str, str, object]]:
    """(label, template, the unreadable id, a maker of missing ids)."""

    def near(kind):
        return lambda rng: random_uuid7_near(made[kind], rng)

    return [
        ("GET /api/v1/incidents/{id}", "/api/v1/incidents/{}", made["incident"], near("incident")),
        ("GET /incidents/{id} (page)", "/incidents/{}", made["incident"], near("incident")),
        ("GET /api/v1/messages/{id}", "/api/v1/messages/{}", made["message"], near("message")),
        ("GET /api/v1/projects/{id}", "/api/v1/projects/{}", made["project"], near("project")),
        (
            "GET /api/v1/records/incident/{id}/receipt",
            "/api/v1/records/incident/{}/receipt",
            made["incident"],
            near("incident"),
        ),
        (
            "GET /api/v1/ledger/entries/{index}",
            "/api/v1/ledger/entries/{}",
            made["entry"],
            lambda rng: str(size + rng.randint(0, 10_000)),
        ),
    ]


def scrub(text: str, asked: str) -> str:
    text = text.replace(asked, "{id}")
    text = re.sub(r"request (<span dir=\"ltr\">)?[\w-]+", "request", text)
    return re.sub(r'"request_id":\s*"[^"]*"', "", text)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_route(client: httpx.Client, template: str, real: str, missing_of, count: int, rng: random.Random) -> dict:
    plan = ["real"] * count + ["missing"] * count
    rng.shuffle(plan)
    times: dict[str, list[float]] = {"real": [], "missing": []}
    reference = None
    mismatches = 0
    for _ in range(20):  # warm-up, not timed
        client.get(template.format(real))
        client.get(template.format(missing_of(rng)))
    for which in plan:
        asked = real if which == "real" else missing_of(rng)
        started = time.perf_counter()
        response = client.get(template.format(asked))
        elapsed = (time.perf_counter() - started) * 1000
        times[which].append(elapsed)
        shape = (response.status_code, response.headers.get("content-type"), scrub(response.text, asked))
        reference = reference or shape
        if response.status_code != 404 or shape != reference:
            mismatches += 1
    out = {"mismatches": mismatches}
    for which, values in times.items():
        out[which] = {
            "p50_ms": percentile(values, 0.5),
            "p99_ms": percentile(values, 0.99),
            "mean_ms": statistics.fmean(values),
        }
    out["p50_diff_ms"] = out["real"]["p50_ms"] - out["missing"]["p50_ms"]
    out["p99_diff_ms"] = out["real"]["p99_ms"] - out["missing"]["p99_ms"]
    # Noise: the spread of the p50 of the missing answers over halves of the run.
    half = len(times["missing"]) // 2
    out["noise_p50_ms"] = abs(statistics.median(times["missing"][:half]) - statistics.median(times["missing"][half:]))
    return out


def run_once(base: str, count: int, seed: int) -> list[dict]:
    isr, syr = token(base, "isr.liaison"), token(base, "syr.liaison")
    made = hidden_records(base, isr)
    size = httpx.get(f"{base}/api/v1/ledger/status", headers={"Authorization": f"Bearer {isr}"}).json()["size"]
    rng = random.Random(seed)
    rows = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {syr}"}, timeout=30) as client:
        for label, template, real, missing_of in routes(made, size):
            console.print(f"  {label}: {count} unreadable + {count} missing, interleaved")
            rows.append({"route": label} | time_route(client, template, real, missing_of, count, rng))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="of each kind (unreadable, missing) per route")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--postgres-url", default=os.environ.get("FUSIONCELL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()

    results = {"target_p50_diff_ms": TARGET_P50_DIFF_MS, "cores": os.cpu_count(), "load_start": os.getloadavg()}
    results["runs"] = []
    for name in ["sqlite"] + (["postgresql"] if args.postgres else []):
        url, drop = ("", None) if name == "sqlite" else postgres_database(args.postgres_url)
        try:
            with Cell(url) as cell:
                console.print(f"[bold]{name}[/]: one server process")
                for row in run_once(cell.base, args.requests, args.seed):
                    results["runs"].append(row | {"backend": name})
        finally:
            if drop:
                drop()
    results["load_end"] = os.getloadavg()

    table = Table(
        title=f"404 timing: unreadable vs missing ({os.cpu_count()} cores; load {results['load_start'][0]:.1f} → "
        f"{results['load_end'][0]:.1f}; {args.requests} of each per route, interleaved)"
    )
    for column in (
        "backend",
        "route",
        "unreadable p50 / p99 ms",
        "missing p50 / p99 ms",
        "p50 diff ms | target < 1",
        "p99 diff ms",
        "noise ms",
        "answers differ",
    ):
        table.add_column(column)
    for run in results["runs"]:
        ok = abs(run["p50_diff_ms"]) < TARGET_P50_DIFF_MS
        table.add_row(
            run["backend"],
            run["route"],
            f"{run['real']['p50_ms']:.2f} / {run['real']['p99_ms']:.2f}",
            f"{run['missing']['p50_ms']:.2f} / {run['missing']['p99_ms']:.2f}",
            f"{run['p50_diff_ms']:+.3f} | {'ok' if ok else 'MISS'}",
            f"{run['p99_diff_ms']:+.2f}",
            f"{run['noise_p50_ms']:.3f}",
            str(run["mismatches"]),
        )
    Console(width=170).print(table)
    for run in results["runs"]:
        print(
            f"{run['backend']} {run['route']}: p50 difference {run['p50_diff_ms']:+.3f} ms "
            f"(unreadable {run['real']['p50_ms']:.2f}, missing {run['missing']['p50_ms']:.2f}; "
            f"p99 {run['real']['p99_ms']:.2f} vs {run['missing']['p99_ms']:.2f}) | target: difference within noise "
            f"(p50 difference < {TARGET_P50_DIFF_MS:g} ms)"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
