"""TAXII 2.1 side by side: this server and medallion (the OASIS reference server), one workload, one run.

Run with `.venv/bin/python bench/taxii.py` (`--help` for options). Not part of the test suite. Both servers
run as real processes on free ports and are driven by the real taxii2-client, as a TAXII consumer would:

1. POST `--objects` (20,000) STIX 2.1 indicators in envelopes of `--bundle` (500), one after the other;
   objects/s from the first POST's start to the last answer.
2. Page them back with `added_after` (a moment before the first POST) and `--page` (500) objects a page,
   through taxii2-client's `as_pages` (which follows `next`); objects/s over the whole walk. Every object
   must come back exactly once.

Ours: `fusioncell init --demo` in a temporary directory (SQLite, or `--postgres URL`), objects posted by
`isr.liaison` to the USA+ISR collection and read by `usa.mediator`, both with HTTP Basic — so every page
goes through the releasability rule object by object, as always. Medallion: its memory backend, one API
root, one writable collection, users {"admin": "pass"}, max_page_size 500. Medallion's paged GET is
quadratic in the collection's size (a 20,000-object walk takes most of an hour), so its GET half runs on
a fresh instance holding `--medallion-get-objects` (5,000) objects: rates are compared, and the table
says so. Target: ours ≥ 3× medallion on both halves. Results go to bench/results/taxii.json.
"""

import argparse
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

RESULTS = Path(__file__).resolve().parent / "results" / "taxii.json"
TARGET_RATIO = 3.0
DEMO_PASSWORD = "fusioncell-demo"  # fusioncell/demo.py: the demo cell's documented password
MEDALLION_ROOT = "trustgroup1"
MEDALLION_COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"


# --- the workload ---


def indicators(count: int, seed: int) -> list[dict[str, Any]]:
    """Realistic STIX 2.1 indicators: an IPv4 address or a domain each, timestamps over a week."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 19, tzinfo=UTC)
    out = []
    for n in range(count):
        moment = (start + timedelta(seconds=rng.randrange(7 * 86400))).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if n % 2:
            value = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            pattern = f"[ipv4-addr:value = '{value}']"
        else:
            value = f"host{rng.randrange(10**6)}.example.net"
            pattern = f"[domain-name:value = '{value}']"
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                "created": moment,
                "modified": moment,
                "name": f"Staging address {value}",
                "indicator_types": ["malicious-activity"],
                "pattern": pattern,
                "pattern_type": "stix",
                "valid_from": moment,
            }
        )
    return out


def envelopes(objects: list[dict], size: int) -> list[dict]:
    return [{"objects": objects[i : i + size]} for i in range(0, len(objects), size)]


def post_all(collection: Collection, batches: list[dict]) -> list[float]:
    """Seconds each POST took, in order (the sum is the half's time)."""
    took = []
    for envelope in batches:
        started = time.perf_counter()
        status = collection.add_objects(envelope, wait_for_completion=False)
        took.append(time.perf_counter() - started)
        if status.success_count != len(envelope["objects"]):
            raise SystemExit(f"a POST was not stored whole: {status._raw}")
    return took


def post_figures(took: list[float], posted: int, bundle: int, first: int) -> dict[str, Any]:
    """The whole half's rate, and the rate of the first `first` objects (into an emptier collection)."""
    head = took[: max(1, first // bundle)]
    return {
        "posted": posted,
        "post_s": sum(took),
        "post_per_s": posted / sum(took),
        "first_objects": min(first, posted),
        "first_per_s": min(first, posted) / sum(head),
        "post_seconds_each": took,
    }


def page_all(collection: Collection, *, added_after: datetime, per_page: int) -> tuple[list[str], float, int]:
    ids, pages = [], 0
    started = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=per_page, added_after=added_after):
        ids += [o["id"] for o in envelope.get("objects", [])]
        pages += 1
    return ids, time.perf_counter() - started, pages


def check_once(ids: list[str], posted: list[dict], who: str) -> None:
    expected = {o["id"] for o in posted}
    if len(ids) != len(set(ids)) or set(ids) != expected:
        raise SystemExit(f"{who}: {len(ids)} objects came back ({len(set(ids))} distinct) for {len(expected)} posted")


# --- processes ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, auth: tuple[str, str], process: subprocess.Popen, log: Path) -> None:
    headers = {"Accept": "application/taxii+json;version=2.1"}
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server stopped; see {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, auth=auth, headers=headers, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not come up; see {log}")


@contextlib.contextmanager
def process(args: list[str], *, env: dict, log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        started = subprocess.Popen(args, env=env, stdout=out, stderr=out)
        try:
            yield started
        finally:
            started.terminate()
            try:
                started.wait(timeout=15)
            except subprocess.TimeoutExpired:
                started.kill()


@contextlib.contextmanager
def our_server(home: Path, postgres: str | None) -> Iterator[str]:
    home.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(home / "var"), "FUSIONCELL_DATABASE_URL": postgres or ""}
    init = subprocess.run([sys.executable, "-m", "fusioncell", "init", "--demo"], env=env, capture_output=True)
    if init.returncode != 0:
        raise SystemExit(f"fusioncell init failed:\n{init.stderr.decode()[-2000:]}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "fusioncell", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with process(serve, env=env, log=home / "cell.log") as started:
        wait_for(f"{base}/taxii2/", ("usa.mediator", DEMO_PASSWORD), started, home / "cell.log")
        yield base


def medallion_files(home: Path, port: int) -> Path:
    root = f"http://127.0.0.1:{port}/{MEDALLION_ROOT}/"
    data = {
        "/discovery": {"title": "medallion", "description": "bench", "default": root, "api_roots": [root]},
        MEDALLION_ROOT: {
            "information": {
                "title": "bench",
                "description": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 100 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "bench",
                    "description": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (home / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(home / "data.json"),
        },
        "users": {"admin": "pass"},
        "taxii": {"max_page_size": 500},
    }
    (home / "config.json").write_text(json.dumps(config))
    return home / "config.json"


@contextlib.contextmanager
def medallion(home: Path) -> Iterator[str]:
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = medallion_files(home, port)
    binary = str(Path(sys.executable).with_name("medallion"))
    args = [binary, "--host", "127.0.0.1", "--port", str(port), "--log-level", "ERROR", str(config)]
    with process(args, env=dict(os.environ), log=home / "medallion.log") as started:
        base = f"http://127.0.0.1:{port}/{MEDALLION_ROOT}/"
        wait_for(base, ("admin", "pass"), started, home / "medallion.log")
        yield base


# --- the runs ---


def run_ours(home: Path, objects: list[dict], args: argparse.Namespace, console: Console) -> dict[str, Any]:
    with our_server(home, args.postgres) as base:
        writer = Server(f"{base}/taxii2/", user="isr.liaison", password=DEMO_PASSWORD)
        target = next(c for c in writer.api_roots[0].collections if c.alias == "usa-isr")
        before = datetime.now(UTC) - timedelta(seconds=1)
        console.print(f"ours: POST {len(objects):,} objects to {target.title} as isr.liaison ...")
        took = post_all(target, envelopes(objects, args.bundle))
        reader = ApiRoot(f"{base}/taxii2/api/", user="usa.mediator", password=DEMO_PASSWORD)
        readable = next(c for c in reader.collections if c.id == target.id)
        console.print(f"ours: page them back as usa.mediator, {args.page} a page ...")
        ids, get_s, pages = page_all(readable, added_after=before, per_page=args.page)
        check_once(ids, objects, "ours")
    return {
        "backend": "PostgreSQL" if args.postgres else "SQLite",
        **post_figures(took, len(objects), args.bundle, args.medallion_get_objects),
        "read": len(ids),
        "pages": pages,
        "get_s": get_s,
        "get_per_s": len(ids) / get_s,
    }


def run_medallion(home: Path, objects: list[dict], args: argparse.Namespace, console: Console) -> dict[str, Any]:
    auth = {"user": "admin", "password": "pass"}
    with medallion(home / "post") as base:
        console.print(f"medallion: POST {len(objects):,} objects ...")
        took = post_all(
            Collection(f"{base}collections/{MEDALLION_COLLECTION}/", **auth), envelopes(objects, args.bundle)
        )
    few = objects[: args.medallion_get_objects]
    with medallion(home / "get") as base:
        collection = Collection(f"{base}collections/{MEDALLION_COLLECTION}/", **auth)
        before = datetime.now(UTC) - timedelta(seconds=1)
        post_all(collection, envelopes(few, args.bundle))
        console.print(f"medallion: page {len(few):,} back (a fresh instance holding only those) ...")
        ids, get_s, pages = page_all(collection, added_after=before, per_page=args.page)
        check_once(ids, few, "medallion")
    return {
        **post_figures(took, len(objects), args.bundle, args.medallion_get_objects),
        "read": len(ids),
        "pages": pages,
        "get_s": get_s,
        "get_per_s": len(ids) / get_s,
    }


def render(results: dict[str, Any]) -> Table:
    ours, theirs = results["ours"], results["medallion"]
    load = results["load_average"]
    table = Table(
        title="TAXII 2.1: fusioncell vs medallion (taxii2-client)",
        caption=(
            f"{os.cpu_count()} CPUs, load average {load['start'][0]:.2f} at start, {load['end'][0]:.2f} at end. "
            f"Ours on {ours['backend']}, releasability filtering on (read as the mediator). Medallion's GET half "
            f"ran on {theirs['read']:,} objects, ours on {ours['read']:,}: its paged GET is quadratic in the "
            "collection's size, so rates are compared, not times."
        ),
    )
    for column in ("half", "fusioncell", "medallion", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column == "half" else "right")
    halves = (
        ("POST, all", "post_per_s", "posted", True),
        ("POST, the first ones (informational)", "first_per_s", "first_objects", False),
        ("GET, paged with added_after", "get_per_s", "read", True),
    )
    for half, key, size, targeted in halves:
        ratio = ours[key] / theirs[key]
        table.add_row(
            half,
            f"{ours[key]:,.0f} objects/s ({ours[size]:,})",
            f"{theirs[key]:,.0f} objects/s ({theirs[size]:,})",
            f"{ratio:,.1f}×",
            f"≥ {TARGET_RATIO:.0f}×" if targeted else "",
            ("yes" if ratio >= TARGET_RATIO else "NO") if targeted else "",
        )
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=20_000, help="indicators to POST (default 20,000)")
    parser.add_argument("--bundle", type=int, default=500, help="objects per POST (default 500)")
    parser.add_argument("--page", type=int, default=500, help="objects per GET page (default 500)")
    parser.add_argument("--medallion-get-objects", type=int, default=5_000, help="medallion's GET half (5,000)")
    parser.add_argument("--postgres", default=None, help="run ours on this PostgreSQL database URL (empty: SQLite)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=["ours", "medallion"], default=None)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=120)
    objects = indicators(args.objects, args.seed)
    results: dict[str, Any] = {"arguments": {k: str(v) for k, v in vars(args).items()}, "target_ratio": TARGET_RATIO}
    results["load_average"] = {"start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="fusioncell-taxii-bench-") as tmp:
        if args.only in (None, "ours"):
            results["ours"] = run_ours(Path(tmp) / "ours", objects, args, console)
        if args.only in (None, "medallion"):
            results["medallion"] = run_medallion(Path(tmp) / "medallion", objects, args, console)
    results["load_average"]["end"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    if "ours" in results and "medallion" in results:
        console.print(render(results))
    else:
        console.print_json(data=results)
    console.print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
