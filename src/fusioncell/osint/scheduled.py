"""One polling pass over the sources that are due: fetch or read each, ingest it as the account that made the
source, keep the validators, back off on failure.

Nothing slow happens inside a write transaction: a feed is fetched (and a folder read) first, then stored in
a short transaction of its own, so one slow or failing source neither holds the database nor stops the rest."""

import asyncio
import uuid
from datetime import datetime
from pathlib import Path

import structlog

from fusioncell.access import service as access
from fusioncell.db.types import utcnow
from fusioncell.errors import FusionError
from fusioncell.osint.feeds import FeedUnavailable, fetch_feed, parse_feed
from fusioncell.osint.frontmatter import article_files, read_articles
from fusioncell.osint.ingest import IngestSummary, ingest
from fusioncell.osint.models import OsintSource
from fusioncell.osint.sources import due_sources, poll_failed, polled

log = structlog.get_logger(__name__)


def poll_due_sources(runtime, *, now: datetime | None = None) -> int:
    """Poll every due source once; the number polled. (The server runs `run_poller` instead.)"""
    now = now or utcnow()
    due = _due(runtime, now)
    for source_id in due:
        _settle(runtime, source_id=source_id, now=now, fetched=_fetch(runtime, source_id=source_id))
    return len(due)


async def run_poller(runtime, seconds: float) -> None:
    """The server's poller: fetching in a worker thread outside any transaction, each source's short write
    queued at the write gate like a request's, so on SQLite it never holds the lock a request waits for."""
    while True:
        try:
            now = utcnow()
            for source_id in await asyncio.to_thread(_due, runtime, now):
                fetched = await asyncio.to_thread(_fetch, runtime, source_id=source_id)
                async with runtime.write_gate():
                    await asyncio.to_thread(_settle, runtime, source_id=source_id, now=now, fetched=fetched)
        except Exception:
            log.exception("osint polling failed; retrying")
        await asyncio.sleep(seconds)


def _due(runtime, now: datetime) -> list[uuid.UUID]:
    with runtime.database.reading() as session:
        return [source.id for source in due_sources(session, now=now)]


def _fetch(runtime, *, source_id: uuid.UUID) -> tuple[list, tuple[str | None, str | None]] | str:
    """What the source holds now and its new validators, or why it could not be read."""
    with runtime.database.reading() as session:
        source = session.get(OsintSource, source_id)
        kind, location, etag, last_modified = source.kind, source.location, source.etag, source.last_modified
    try:
        if kind == "feed":
            fetched = fetch_feed(location, etag=etag, last_modified=last_modified)
            items = [] if fetched.not_modified else parse_feed(fetched.body, where=location).items
            return items, (fetched.etag, fetched.last_modified)
        return list(read_articles(article_files(Path(location)))), (etag, last_modified)
    except (FeedUnavailable, OSError) as exc:
        return str(exc)


def _settle(runtime, *, source_id: uuid.UUID, now: datetime, fetched) -> IngestSummary | None:
    if isinstance(fetched, str):
        _failed(runtime, source_id=source_id, now=now, error=fetched)
        return None
    items, validators = fetched
    return _store(runtime, source_id=source_id, now=now, items=items, validators=validators)


def _store(runtime, *, source_id, now, items, validators) -> IngestSummary | None:
    try:
        with runtime.database.writing() as session:
            source = session.get(OsintSource, source_id)
            subject = access.acting_subject(session, cell=runtime.cell, username=source.created_by)
            summary = ingest(session, subject=subject, cell=runtime.cell, source=source, candidates=items, now=now)
            polled(source, now=now, etag=validators[0], last_modified=validators[1])
    except FusionError as exc:  # the account is gone or may no longer ingest, an audience no longer valid
        _failed(runtime, source_id=source_id, now=now, error=exc.message)
        return None
    log.info("osint source polled", source=str(source_id), new=summary.new, updated=summary.updated)
    return summary


def _failed(runtime, *, source_id, now, error: str) -> None:
    with runtime.database.writing() as session:
        poll_failed(session.get(OsintSource, source_id), now=now, error=error)
    log.warning("osint source failed", source=str(source_id), error=error)
