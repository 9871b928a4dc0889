"""Incident benchmarks: classify and fuse 100,000 reports, list 1,000,000 stored incidents, draw the map.

Run with `.venv/bin/python bench/incidents.py` (`--help` for options, `--only classify|list|map` for one
stage). Not part of the test suite. Prints a table of each figure beside its target and writes
bench/results/incidents.json. See bench/README.md for what each figure measures.

The stages live beside this file (run as a script, its folder is on sys.path): incident_reports.py (the
synthetic reports; classify and fuse), incident_store.py (stored incidents, the bulk load), incident_list.py
(the list's pages) and incident_map.py (the live cell and the map in Chromium).
"""

import argparse
import json
import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incident_list import LIST_FILTERS, TARGET_LIST_P99_MS, run_list
from incident_map import TARGET_MAP_S, run_map
from incident_reports import TARGET_REPORTS_PER_S, run_classify
from rich.console import Console
from rich.table import Table

from fusioncell.cell.loader import default_cell

RESULTS = Path(__file__).resolve().parent / "results" / "incidents.json"


def row(name: str, value: float, unit: str, target: str, met: bool | None, load: str = "") -> dict[str, Any]:
    return {"benchmark": name, "value": value, "unit": unit, "target": target, "met": met, "load": load}


def load_of(stage: dict[str, Any]) -> str:
    """The 1-minute load average at the stage's start and end: figures move with it on a shared machine."""
    load = stage["load_average"]
    return f"{load['start'][0]:.2f} → {load['end'][0]:.2f}"


def summarise(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    c = results.get("classify")
    if c:
        rows.append(
            row(
                f"classify + fuse, {c['reports']:,} reports ({c['chunk']:,} per derive_many)",
                c["reports_per_s"],
                "reports/s",
                f">= {TARGET_REPORTS_PER_S:,}",
                c["reports_per_s"] >= TARGET_REPORTS_PER_S,
                load_of(c),
            )
        )
        rows.append(
            row(
                "  the same per CPU-second of the bench (what load on the machine does not change)",
                c["reports_per_cpu_s"],
                "reports/s",
                f">= {TARGET_REPORTS_PER_S:,}",
                None,
            )
        )
        rows.append(row("  of which classify (derive_many)", c["classify_per_s"], "reports/s", "", None))
        rows.append(row("  of which fuse (sighting + SightingIndex.add)", c["fuse_per_s"], "reports/s", "", None))
        rows.append(row("  derive() one report at a time", c["one_by_one_per_s"], "reports/s", "(informational)", None))
        rows.append(
            row(
                f"  planted pairs found, of {c['planted_proposable']:,} proposable ({c['planted']:,} planted)",
                100 * c["planted_found"] / max(1, c["planted_proposable"]),
                "%",
                "most",
                c["planted_found"] >= 0.9 * c["planted_proposable"],
            )
        )
        rows.append(row("  other pairs proposed (chance neighbours)", c["other_pairs"], "pairs", "", None))
    ls = results.get("list")
    if ls:
        label = f"list page of 50, {ls['stored']:,} stored ({ls['backend']}), {ls['pages']:,} pages"
        rows.append(row(label + ": p50", ls["p50_ms"], "ms", "(informational)", None, load_of(ls)))
        met = ls["p99_ms"] < TARGET_LIST_P99_MS
        rows.append(row(label + ": p99", ls["p99_ms"], "ms", f"< {TARGET_LIST_P99_MS:g} ms", met))
        rows.append(row(label + ": max", ls["max_ms"], "ms", "(informational)", None))
        for name in LIST_FILTERS:  # the worst combination of each filter (readers x first/deep pages)
            worst = max((c for c in ls["combos"] if c["filter"] == name), key=lambda c: c["p99_ms"], default=None)
            if worst is not None:
                label = f"  filter {name}: worst p99 ({worst['party']}, {worst['page']} page)"
                met = worst["p99_ms"] < TARGET_LIST_P99_MS
                rows.append(row(label, worst["p99_ms"], "ms", f"< {TARGET_LIST_P99_MS:g} ms", met))
        rows.append(row("  bulk insert (Core executemany)", ls["inserts_per_s"], "rows/s", "(informational)", None))
    m = results.get("map")
    if m:
        rows.append(
            row(
                f"map interactive, {m['stored']['count']:,} stored (median of {len(m['runs'])})",
                m["interactive_median_s"],
                "s",
                f"< {TARGET_MAP_S:g} s",
                m["interactive_median_s"] < TARGET_MAP_S and m["states"] == ["ready"],
                load_of(m),
            )
        )
        rows.append(row("  slowest run", m["interactive_max_s"], "s", f"< {TARGET_MAP_S:g} s", None))
        # Every readable incident must be drawn, in every run: the fewest markers any run drew.
        readable = m["readable"]
        drawn_all = m["markers"] == readable and m["shown"] == readable
        rows.append(row("  incidents drawn (markers in the DOM)", m["markers"], "markers", f"{readable:,}", drawn_all))
        feed = m["feed"]
        rows.append(row("  the map feed's response", feed["bytes"] / 1e6, "MB", "(informational)", None))
        rows.append(row("  its incidents in, after navigation start", m["incidents_fetched_median_s"], "s", "", None))
        rows.append(row("  then parsing and drawing them until ready", m["drawing_median_s"], "s", "", None))
        rows.append(row("  a filter change (stage, and back)", m["refilter_median_ms"], "ms", "(informational)", None))
    return rows


def render(rows: list[dict[str, Any]], results: dict[str, Any]) -> Table:
    load = results["load_average"]
    table = Table(
        title="fusioncell incident benchmarks",
        caption=(
            f"{os.cpu_count()} CPUs, load average {load['start'][0]:.2f} at start, {load['end'][0]:.2f} at end "
            "(each stage's in the Load column). The machine may be shared: figures vary with load.\n"
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}. JSON: {results['output']}"
        ),
    )
    columns = (("Benchmark", "left"), ("Measured", "right"), ("Target", "right"), ("Met", "center"), ("Load", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for r in rows:
        value, unit = r["value"], r["unit"]
        if unit in ("ms", "s", "MB"):
            shown = f"{value:,.2f} {unit}"
        elif unit == "%":
            shown = f"{value:.1f} %"
        else:
            shown = f"{value:,.0f} {unit}"
        met = {True: "[green]yes[/]", False: "[red]NO[/]", None: "-"}[r["met"]]
        table.add_row(r["benchmark"], shown, r["target"], met, r["load"])
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000, help="reports to classify and fuse")
    parser.add_argument("--stored", type=int, default=1_000_000, help="incidents stored for the list")
    parser.add_argument("--map", type=int, default=10_000, help="incidents stored on the live cell of the map")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="list on a throwaway database on this PostgreSQL server (e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test) instead of a SQLite file",
    )
    parser.add_argument("--only", choices=("classify", "list", "map"), help="run one stage")
    parser.add_argument("--weeks", type=float, default=6, help="the reports' time span")
    parser.add_argument("--duplicates", type=float, default=0.15, help="share of events reported twice")
    parser.add_argument("--chunk", type=int, default=1000, help="reports per derive_many call")
    parser.add_argument("--insert-batch", type=int, default=10_000, help="rows per insert transaction")
    parser.add_argument("--pages", type=int, default=100, help="pages timed per reader, filter and kind of page")
    parser.add_argument(
        "--combo-seconds", type=float, default=5.0, help="stop timing pages of one kind after this many seconds"
    )
    parser.add_argument("--map-runs", type=int, default=5, help="map page loads timed")
    parser.add_argument("--seed", type=int, default=1974)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cell = default_cell()
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "load_average": {"start": os.getloadavg()},
        "targets": {
            "reports_per_s": TARGET_REPORTS_PER_S,
            "list_p99_ms": TARGET_LIST_P99_MS,
            "map_interactive_s": TARGET_MAP_S,
        },
        "output": str(args.output),
    }
    stages = {"classify": run_classify, "list": run_list, "map": run_map}
    for name, run in stages.items():
        if args.only in (None, name):
            start = os.getloadavg()
            results[name] = run(cell, args)
            results[name]["load_average"] = {"start": start, "end": os.getloadavg()}
    results["load_average"]["end"] = os.getloadavg()
    rows = summarise(results)
    results["summary"] = rows
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str))
    Console(width=170).print(render(rows, results))
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
