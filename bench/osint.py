"""Open-source ingest and search: 10,000 front-matter articles and a 10,000-entry RSS feed ingested into a fresh
SQLite database built with the migrations, then searched.

Ingest is timed end to end: reading and parsing, sanitising, tagging, dedup lookups, the rows, the record
(ledger) and the search index, the commit included. Search is `fusioncell.osint.search.search_articles` over
the whole archive as a principal's liaison officer, with place names in three languages, words and phrases.
Prints a table of each figure beside its target and writes bench/results/osint.json. Never a test."""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from rich.console import Console
from rich.table import Table

from fusioncell.access import service as access
from fusioncell.cell.loader import default_cell, default_cell_path
from fusioncell.cell.service import install_cell
from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.osint.feeds import parse_feed
from fusioncell.osint.frontmatter import article_files, read_articles
from fusioncell.osint.ingest import ingest
from fusioncell.osint.search import search_articles

RESULTS = Path(__file__).resolve().parent / "results" / "osint.json"
TARGET_RATE = 500.0  # articles ingested and tagged per second
TARGET_P99_MS = 50.0
WORDS = ("shelling", "ceasefire", "talks", "withdrawal", "patrol", "convoy", "pipeline", "investment", "observers",
         "statement", "residents", "officials", "buffer", "zone", "agreement", "night", "village", "road")  # fmt: skip
QUERIES = ("Quneitra", "القنيطرة", "קוניטרה", "Majdal Shams", "shelling", "ceasefire talks", '"buffer zone"',
           "pipeline investment", "Hader", "Damascus", "convoy -night", "observers patrol", "بيت جن")  # fmt: skip
console = Console()


def paragraph(rng: random.Random, cell) -> str:
    place = rng.choice(cell.places)
    name = getattr(place.names, rng.choice(("en", "en", "en", "ar", "he")))
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60)))
    return f"<p>Reports from {name}: {words}.</p>"


def write_articles(folder: Path, n: int, rng: random.Random, cell, start: datetime) -> None:
    folder.mkdir()
    for i in range(n):
        when = start + timedelta(minutes=7 * i)
        body = "\n".join(paragraph(rng, cell) for _ in range(rng.randint(2, 4)))
        title = f"{rng.choice(WORDS).title()} near {rng.choice(cell.places).names.en} ({i})"
        (folder / f"{i:05d}.html").write_text(
            f'---\ntitle: "{title}"\ndate: {when.isoformat()}\nlink: https://news.example/{i}\nsource: Bench Wire\n'
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n---\n{body}\n",
            encoding="utf-8",
        )


def write_feed(path: Path, n: int, rng: random.Random, cell, start: datetime) -> None:
    items = []
    for i in range(n):
        when = start + timedelta(minutes=5 * i)
        title = f"{rng.choice(WORDS).title()} in {rng.choice(cell.places).names.en} #{i}"
        items.append(
            f"<item><title>{escape(title)}</title><link>https://feed.example/{i}</link><guid>feed-{i}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate><category>{rng.choice(WORDS)}</category>"
            f"<description>{escape(paragraph(rng, cell))}</description></item>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench Feed</title>'
        f"<link>https://feed.example/</link><description>bench</description>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )


def fresh_database(folder: Path, cell):
    database = Database(f"sqlite:///{folder / 'osint.db'}")
    migrate.upgrade(database.engine)
    with database.writing() as session:
        install_cell(session, definition=cell, source=default_cell_path().read_text(encoding="utf-8"))
        user = access.add_user(
            session, cell=cell, username="isr.liaison", display_name="ISR liaison", party="ISR", roles=["liaison"],
            password="a long enough password", actor="bench",
        )  # fmt: skip
        subject = access.subject_for(user, cell)
    return database, subject


def timed_ingest(database, subject, cell, items) -> tuple[float, object]:
    started = time.perf_counter()
    with database.writing() as session:
        summary = ingest(session, subject=subject, cell=cell, source=None, candidates=items())
    return time.perf_counter() - started, summary


def search_latencies(database, subject, queries: int, rng: random.Random) -> list[float]:
    latencies = []
    with database.reading() as session:
        for _ in range(queries):
            text = rng.choice(QUERIES)
            started = time.perf_counter()
            search_articles(session, subject=subject, text=text, limit=50)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    cell, rng = default_cell(), random.Random(args.seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="osint-bench-") as tmp:
        folder, feed = Path(tmp) / "articles", Path(tmp) / "feed.xml"
        write_articles(folder, args.articles, rng, cell, start)
        write_feed(feed, args.entries, rng, cell, start)
        database, subject = fresh_database(Path(tmp), cell)
        files_s, files = timed_ingest(database, subject, cell, lambda: read_articles(article_files(folder)))
        feed_s, entries = timed_ingest(
            database, subject, cell, lambda: parse_feed(feed.read_bytes(), where="feed").items
        )
        again_s, again = timed_ingest(database, subject, cell, lambda: read_articles(article_files(folder)))
        latencies = search_latencies(database, subject, args.queries, rng)
        database.dispose()
    results = {
        "articles": args.articles, "entries": args.entries, "queries": args.queries, "cores": os.cpu_count(),
        "load": os.getloadavg(),
        "files_per_s": files.new / files_s, "feed_per_s": entries.new / feed_s,
        "reingest_per_s": args.articles / again_s,
        "stored": files.new + entries.new, "duplicates_on_reingest": again.duplicate,
        "rejected": len(files.rejected) + len(entries.rejected),
        "search_p50_ms": statistics.median(latencies), "search_p99_ms": statistics.quantiles(latencies, n=100)[98],
        "search_max_ms": max(latencies),
    }  # fmt: skip
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


def print_table(r: dict) -> None:
    table = Table(
        title=f"OSINT ingest and search ({r['cores']} cores; load {r['load'][0]:.1f}; {r['stored']:,} stored)"
    )
    for column in ("figure", "measured", "target"):
        table.add_column(column)
    table.add_row(
        "front-matter files ingested and tagged", f"{r['files_per_s']:,.0f} articles/s", f"≥ {TARGET_RATE:.0f}/s"
    )
    table.add_row("feed entries ingested and tagged", f"{r['feed_per_s']:,.0f} articles/s", f"≥ {TARGET_RATE:.0f}/s")
    table.add_row("files re-read (all duplicates)", f"{r['reingest_per_s']:,.0f} articles/s", "")
    table.add_row("search p50", f"{r['search_p50_ms']:.1f} ms", "")
    table.add_row("search p99", f"{r['search_p99_ms']:.1f} ms", f"< {TARGET_P99_MS:.0f} ms")
    table.add_row("search max", f"{r['search_max_ms']:.1f} ms", "")
    console.print(table)
    console.print(f"duplicates on re-read: {r['duplicates_on_reingest']:,}; rejected: {r['rejected']}")


if __name__ == "__main__":
    main()
