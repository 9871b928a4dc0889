"""Sources and polling: who manages them, due sources polled with a conditional GET (a 304 writes nothing),
back-off doubling on failure up to a day and reset on success; feeds too large or not feeds rejected."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from fusioncell.errors import Forbidden, Invalid, NotFound
from fusioncell.osint import feeds
from fusioncell.osint.models import Article
from fusioncell.osint.scheduled import poll_due_sources
from fusioncell.osint.schemas import SourceCreate
from fusioncell.osint.sources import create_source, list_sources, source_by_code, update_source

T0 = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)


def feed_source(db, cell, subject, url, **fields):
    data = SourceCreate(code="golan", name="Golan Monitor", kind="feed", location=url, **fields)
    source = create_source(db, subject=subject, cell=cell, data=data)
    db.flush()
    return source


def article_count(db) -> int:
    return db.scalar(select(func.count()).select_from(Article))


def test_sources_belong_to_their_party(db, cell, isr, subject_of, feed_server):
    source = feed_source(db, cell, isr, feed_server.url("rss2.xml"), desks=["deescalation"], tags=["golan"])

    assert source.ledger_index is not None and list_sources(db, subject=isr) == [source]
    assert list_sources(db, subject=subject_of("SYR", "liaison")) == []
    with pytest.raises(NotFound):
        source_by_code(db, subject=subject_of("SYR", "liaison"), code="golan")
    with pytest.raises(Forbidden):
        feed_source(db, cell, subject_of("ISR", "admin"), feed_server.url("rss2.xml"))
    with pytest.raises(Invalid):
        create_source(
            db, subject=isr, cell=cell,
            data=SourceCreate(code="bad", name="Bad", kind="feed", location="javascript:alert(1)", desks=["nope"]),
        )  # fmt: skip


def test_an_unchanged_update_writes_nothing(db, cell, isr, feed_server):
    source = feed_source(db, cell, isr, feed_server.url("rss2.xml"))
    index = source.ledger_index
    same = SourceCreate(code="golan", name="Golan Monitor", kind="feed", location=feed_server.url("rss2.xml"))

    assert update_source(db, subject=isr, cell=cell, code="golan", data=same).ledger_index == index
    renamed = same.model_copy(update={"name": "Golan Monitor (English)"})
    updated = update_source(db, subject=isr, cell=cell, code="golan", data=renamed)
    assert updated.version == 2 and updated.ledger_index > index


def test_polling_uses_a_conditional_get(db, cell, isr, runtime, feed_server):
    source = feed_source(db, cell, isr, feed_server.url("rss2.xml"), tags=["golan"])

    assert poll_due_sources(runtime, now=T0) == 1
    db.refresh(source)
    assert article_count(db) == 3 and source.etag and source.last_modified
    assert source.next_poll_at == T0 + timedelta(minutes=30) and source.consecutive_failures == 0
    assert poll_due_sources(runtime, now=T0 + timedelta(minutes=10)) == 0  # not due yet

    assert poll_due_sources(runtime, now=T0 + timedelta(minutes=31)) == 1
    assert feed_server.answers == [200, 304] and article_count(db) == 3
    tags = db.scalars(select(Article.tags)).all()
    assert all("golan" in t for t in tags)  # the desk's own tags beside the feed's


def test_failures_back_off_doubling_up_to_a_day_and_success_resets(db, cell, isr, runtime, feed_server):
    source = feed_source(db, cell, isr, feed_server.url("missing.xml"))
    now, waits = T0, []
    for _ in range(8):
        poll_due_sources(runtime, now=now)
        db.refresh(source)
        waits.append(source.next_poll_at - now)
        now = source.next_poll_at
    assert [w.total_seconds() / 60 for w in waits] == [60, 120, 240, 480, 960, 1440, 1440, 1440]
    assert source.consecutive_failures == 8 and "HTTP 404" in source.last_error

    feed_server.put("missing.xml", feed_server.files["/atom.xml"])
    poll_due_sources(runtime, now=now)
    db.refresh(source)
    assert source.consecutive_failures == 0 and source.last_error is None
    assert source.next_poll_at == now + timedelta(minutes=30) and article_count(db) == 2


def test_a_feed_over_the_cap_is_refused(feed_server, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_BYTES", 1000)
    with pytest.raises(feeds.FeedUnavailable, match="larger than"):
        feeds.fetch_feed(feed_server.url("rss2.xml"))
    assert feeds.parse_feed(b"x" * 2000, where="big.xml").items[0].reason.startswith("larger than")


def test_an_empty_but_valid_feed_is_no_error():
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    read = feeds.parse_feed(empty, where="quiet.xml")
    assert (read.items, read.title) == ([], "Quiet")
