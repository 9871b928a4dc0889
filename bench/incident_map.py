"""The map stage of bench/incidents.py: a live cell with 10,000 incidents, its /map page in headless Chromium.

Interactive = map.js has set #map's data-state (once the outlines, the zones, and every incident, notice and
position are drawn) and the browser has painted the frame after it. The map draws every incident the caller
may read (GET /api/v1/incidents/map), so the markers in the DOM are checked against a count of the readable
incidents made here apart from the application.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from incident_list import may_read, readable_mask, subject_of
from incident_store import fill
from rich.console import Console
from sqlalchemy import select

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.session import Database
from fusioncell.demo import DEMO_PASSWORD
from fusioncell.incidents.models import Incident

TARGET_MAP_S = 1.5  # the map page interactive with 10,000 incidents stored
READER = ("ISR", "isr.liaison")  # who opens the map: every stored incident is released to ISR
CHROMIUM = os.environ.get("FUSIONCELL_CHROMIUM", "/usr/bin/chromium")
# As tests/browser/conftest.py launches it: without these Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


console = Console(stderr=True)

# Installed before the page's scripts: when #map's data-state is first set (map.js sets it once borders,
# zones and records are drawn) note the time since navigation began, and the first frame after it.
READY_SCRIPT = """
(() => {
  const seen = new MutationObserver(() => {
    const map = document.getElementById("map");
    const state = map && map.getAttribute("data-state");
    if (!state || window.__benchReady) return;
    window.__benchReady = { state: state, at: performance.now() };
    requestAnimationFrame(() => setTimeout(() => { window.__benchPainted = performance.now(); }, 0));
    seen.disconnect();
  });
  seen.observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_cell(home: Path, populate: Callable[[Path], Any]) -> Iterator[str]:
    """As tests/browser/conftest.py's running_cell: `fusioncell init --demo`, then `populate(var_dir)`
    writes into its SQLite file, then a real server process serves it."""
    env = os.environ | {"FUSIONCELL_VAR_DIR": str(home / "var"), "FUSIONCELL_DATABASE_URL": ""}
    run = [sys.executable, "-m", "fusioncell"]
    init = subprocess.run(run + ["init", "--demo"], env=env, capture_output=True, text=True, timeout=120)
    if init.returncode:
        raise RuntimeError(init.stderr)
    populate(home / "var")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(home / "server.log", "wb") as log:
        process = subprocess.Popen(run + ["serve", "--port", str(port)], env=env, stdout=log, stderr=log)
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"the server did not start: see {home / 'server.log'}")
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def open_map(browser, base: str) -> dict[str, Any]:
    """Log in (not timed), open /map and wait for map.js to say everything is drawn; count what it drew."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto("/login")
        page.fill("#username", READER[1])
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.add_init_script(READY_SCRIPT)
        t0 = time.perf_counter()
        page.goto("/map")
        # Polled, not page.wait_for_function: that evaluates a string, which the page's CSP refuses (no
        # unsafe-eval). The times themselves are taken in the page, so the polling adds nothing to them.
        deadline = time.perf_counter() + 120
        while page.evaluate("() => window.__benchPainted === undefined"):
            if time.perf_counter() > deadline:
                raise RuntimeError("the map did not set data-state within 120 s")
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        ready = page.evaluate("window.__benchReady")
        painted = page.evaluate("window.__benchPainted")
        timing = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const api = performance.getEntriesByType("resource").filter(e => e.name.includes("/api/v1/incidents"));
              return {dom_content_loaded: nav.domContentLoadedEventEnd,
                      incidents_fetched: api.length ? api[0].responseEnd : null,
                      incidents_bytes: api.length ? api[0].encodedBodySize : null};
            }"""
        )
        markers = page.locator(".leaflet-incidents-pane path.map-incident").count()
        shown = page.get_by_test_id("map").get_attribute("data-incidents-shown")
        status = page.locator("#map-status").inner_text()  # says so when the feed was truncated
        # Interaction once drawn: a filter change redraws the incident overlay (map.js applyFilters).
        refilter = page.evaluate(
            """() => {
              const select = document.querySelector("[data-testid=filter-stage]");
              const t0 = performance.now();
              select.value = "reported"; select.dispatchEvent(new Event("change", {bubbles: true}));
              select.value = ""; select.dispatchEvent(new Event("change", {bubbles: true}));
              return performance.now() - t0;
            }"""
        )
        fetched = timing["incidents_fetched"]
        return {
            "state": ready["state"],
            "ready_s": ready["at"] / 1000,
            "interactive_s": painted / 1000,
            "wall_s": wall,
            "dom_content_loaded_s": timing["dom_content_loaded"] / 1000,
            "incidents_fetched_s": None if fetched is None else fetched / 1000,
            "incidents_bytes": timing["incidents_bytes"],
            "markers": markers,
            "shown": int(shown) if shown else None,
            "status": status,
            "refilter_ms": refilter,
            "page_errors": problems,
        }
    finally:
        context.close()


def fetch_feed(base: str) -> dict[str, Any]:
    """The map's incidents feed as the reader gets it, from Python: its size, count and time (not the page's)."""
    login = {"username": READER[1], "password": DEMO_PASSWORD}
    token = httpx.post(f"{base}/api/v1/auth/login", json=login).json()["token"]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        client.get("/api/v1/incidents/map").raise_for_status()  # warm, as the page's first load is
        t0 = time.perf_counter()
        response = client.get("/api/v1/incidents/map")
        seconds = time.perf_counter() - t0
    response.raise_for_status()
    feed = response.json()
    return {"items": len(feed["items"]), "truncated": feed["truncated"], "bytes": len(response.content), "s": seconds}


def run_map(cell: CellDefinition, args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    console.rule(f"map: {args.map:,} incidents on a live cell, headless Chromium")
    stored: dict[str, Any] = {}
    reader = subject_of(cell, READER[0])

    def populate(var: Path) -> None:
        database = Database(f"sqlite:///{var / 'fusioncell.db'}")
        try:
            # The demo's own incidents count too: the rule applied here to their envelopes, not the app's query.
            with database.reading() as session:
                columns = select(Incident.origin_party, Incident.status, Incident.releasable_to)
                demo = sum(may_read(reader, o, str(s), frozenset(r)) for o, s, r in session.execute(columns))
            store, spent = fill(
                database,
                cell,
                args.map,
                seed=args.seed + 7,
                batch=min(args.insert_batch, 10_000),
                end=datetime.now(UTC) - timedelta(minutes=5),
                readers=READER[0],
            )
            _, arrays = store.in_id_order()
            readable = int(readable_mask(store, arrays, reader).sum())
            stored.update(count=len(store.ids), insert_seconds=spent["insert"], readable=readable + demo, demo=demo)
        finally:
            database.dispose()

    with tempfile.TemporaryDirectory(prefix="fusioncell_bench_map_") as home, live_cell(Path(home), populate) as base:
        feed = fetch_feed(base)
        console.log(
            f"{stored['readable']:,} incidents readable by {READER[1]}; the map feed gives {feed['items']:,} "
            f"(truncated: {feed['truncated']}), {feed['bytes'] / 1e6:.1f} MB in {feed['s']:.2f} s"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                open_map(browser, base)  # warm: the server's first requests, the browser's cache of static files
                runs = []
                for n in range(args.map_runs):
                    runs.append(open_map(browser, base))
                    r = runs[-1]
                    console.log(
                        f"run {n + 1}: interactive {r['interactive_s']:.2f} s (ready {r['ready_s']:.2f} s, incidents "
                        f"in at {r['incidents_fetched_s'] or 0:.2f} s), {r['markers']:,} markers, "
                        f"filter change {r['refilter_ms']:.0f} ms"
                    )
            finally:
                browser.close()
    return {
        "stored": stored,
        "readable": stored["readable"],
        "feed": feed,
        "runs": runs,
        "interactive_median_s": statistics.median(r["interactive_s"] for r in runs),
        "interactive_max_s": max(r["interactive_s"] for r in runs),
        "incidents_fetched_median_s": statistics.median(r["incidents_fetched_s"] or 0 for r in runs),
        # From the incidents' response to data-state: parsing and drawing every marker (and the other layers).
        "drawing_median_s": statistics.median(r["ready_s"] - (r["incidents_fetched_s"] or 0) for r in runs),
        "refilter_median_ms": statistics.median(r["refilter_ms"] for r in runs),
        "markers": min(r["markers"] for r in runs),  # the fewest drawn: each run must draw them all
        "shown": min(r["shown"] or 0 for r in runs),
        "states": sorted({r["state"] for r in runs}),
        "page_errors": sorted({e for r in runs for e in r["page_errors"]}),
    }
