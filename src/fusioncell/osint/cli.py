"""`fusioncell osint ingest PATH|URL`: a feed, an article file or a folder of them, ingested as an account.

Acts straight on the database under the same service as the server (the same rules: who may ingest, whom
articles are released to, dedup per party). All that was read is stored in one transaction; each bad file
or entry is listed with its reason and never stops the rest."""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fusioncell.access.service import acting_subject  # one rule for who may act from the command line
from fusioncell.errors import FusionError

osint_app = typer.Typer(help="Open-source monitoring: ingest feeds and article folders.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
FEED_SUFFIXES = (".xml", ".rss", ".atom")


def _cli():
    from fusioncell import cli  # the shared helpers: the database in use, the cell, clear failures

    return cli


def _items(target: str, *, source) -> tuple[list | object, int, tuple[str | None, str | None] | None]:
    """(items or a lazy reader, how many, the feed's new validators or None) for a URL, a feed file or a path."""
    from fusioncell.osint import feeds, frontmatter

    if target.startswith(("http://", "https://")):
        same = source is not None and source.location == target
        try:
            fetched = feeds.fetch_feed(
                target, etag=source.etag if same else None, last_modified=source.last_modified if same else None
            )
        except feeds.FeedUnavailable as exc:
            _cli().fail(exc.message)
        items = [] if fetched.not_modified else feeds.parse_feed(fetched.body, where=target).items
        return items, len(items), (fetched.etag, fetched.last_modified) if same else None
    path = Path(target)
    if not path.exists():
        _cli().fail(f"no such file or folder: {target}")
    if path.is_file() and path.suffix.lower() in FEED_SUFFIXES:
        items = feeds.parse_feed(path.read_bytes()[: feeds.MAX_FEED_BYTES + 1], where=target).items
        return items, len(items), None
    files = frontmatter.article_files(path)
    return frontmatter.read_articles(files), len(files), None


def _parties(text: str | None) -> list[str] | None:
    return None if text is None else [code.strip().upper() for code in text.split(",") if code.strip()]


@osint_app.command("ingest")
def ingest_command(
    target: str = typer.Argument(..., metavar="PATH|URL", help="A feed URL, a feed file, an article file or folder."),
    as_user: str = typer.Option(..., "--as", help="The account to ingest as."),
    release_to: str = typer.Option(None, "--release-to", help="Parties to release to, e.g. ISR,SYR (default: all)."),
    source_code: str = typer.Option(None, "--source", help="A source of the account's party the articles come from."),
) -> None:
    """Ingest articles as USERNAME: new ones stored, changed ones versioned, duplicates counted, bad ones listed."""
    from fusioncell.db.types import utcnow
    from fusioncell.osint import ingest, sources

    database, cell = _cli().runtime_session()
    try:
        with database.reading() as session:  # the source's validators first: nothing slow inside a write
            subject = acting_subject(session, cell=cell, username=as_user)
            source = sources.source_by_code(session, subject=subject, code=source_code) if source_code else None
        items, total, validators = _items(target, source=source)
        with database.writing() as session:
            source = sources.source_by_code(session, subject=subject, code=source_code) if source_code else None
            with _progress() as progress:
                task = progress.add_task("ingesting", total=total)
                summary = ingest.ingest(
                    session, subject=subject, cell=cell, source=source, candidates=items,
                    releasable_to=_parties(release_to), progress=lambda: progress.advance(task),
                )  # fmt: skip
            if validators is not None:
                sources.polled(source, now=utcnow(), etag=validators[0], last_modified=validators[1])
    except FusionError as exc:
        _cli().fail(exc.message)
    out.print(_summary_table(summary))
    if summary.rejected:
        out.print(_rejected_table(summary.rejected))


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _summary_table(summary) -> Table:
    table = Table(title="Ingested", box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("new", "updated", "duplicates", "rejected", "suggested links"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(n) for n in (summary.new, summary.updated, summary.duplicate, len(summary.rejected), summary.suggested))
    )
    return table


def _rejected_table(rejected: list[dict]) -> Table:
    table = Table(title="Rejected", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("where", overflow="fold")
    table.add_column("reason", overflow="fold")
    for problem in rejected:
        table.add_row(escape(problem["where"]), escape(problem["reason"]))
    return table
