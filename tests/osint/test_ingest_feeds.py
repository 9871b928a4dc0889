"""RSS 2.0 and Atom feeds served by a real local HTTP server, ingested end to end: stored with the envelope and
the record, sanitised, tagged, deduplicated, and versioned when an entry changes."""

from sqlalchemy import select

from fusioncell.access.rule import can_read_record
from fusioncell.db.base import Status
from fusioncell.osint.feeds import fetch_feed, parse_feed
from fusioncell.osint.ingest import ingest
from fusioncell.osint.models import Article


def ingest_url(db, cell, subject, url, **options):
    fetched = fetch_feed(url)
    items = parse_feed(fetched.body, where=url).items
    return ingest(db, subject=subject, cell=cell, source=None, candidates=items, **options)


def by_title(db, party: str) -> dict[str, Article]:
    return {a.title: a for a in db.scalars(select(Article).where(Article.origin_party == party))}


def test_rss2_feed_is_stored_sanitised_and_tagged(db, cell, isr, feed_server, subject_of):
    summary = ingest_url(db, cell, isr, feed_server.url("rss2.xml"))

    assert (summary.new, summary.updated, summary.duplicate) == (3, 0, 0)
    reasons = {r["where"].rsplit(" ", 1)[-1]: r["reason"] for r in summary.rejected}
    assert reasons == {"4": "no title", "5": "unreadable date 'sometime around the new year'"}
    articles = by_title(db, "ISR")
    shelling = articles["Shelling reported near Quneitra"]
    assert "<script" not in shelling.body_html and "onclick" not in shelling.body_html
    assert "javascript:" not in shelling.body_html and "onerror" not in shelling.body_html
    assert '<a href="https://golan-monitor.example/map" rel="noopener noreferrer">map</a>' in shelling.body_html
    assert "alert" not in shelling.body_text and "Residents of Quneitra" in shelling.body_text
    assert shelling.places == ["quneitra"] and {"ISR", "SYR"} <= set(shelling.parties)
    assert shelling.tags == ["Security", "Golan"] and shelling.source_name == "Golan Monitor"
    assert shelling.language == "en" and shelling.published_at.isoformat() == "2026-01-05T07:30:00+00:00"
    assert shelling.status == Status.RELEASED and shelling.releasable_to == cell.party_codes
    assert shelling.ledger_index is not None and shelling.version == 1
    assert can_read_record(subject_of("UNDOF"), shelling)  # public within the cell

    hader = articles["UNDOF patrol visits Hader"]
    assert hader.link is None and hader.link_text == "https://https://golan-monitor.example/2026/01/05/hader"
    assert hader.link_key is None and hader.guid == "golan-monitor-1002"
    assert hader.places == ["hader"] and "UNDOF" in hader.parties


def test_atom_feed_with_html_titles_and_a_hebrew_entry(db, cell, isr, feed_server):
    summary = ingest_url(db, cell, isr, feed_server.url("atom.xml"))

    assert (summary.new, summary.rejected) == (2, [])
    articles = by_title(db, "ISR")
    statement = articles["Joint statement announces a fusion mechanism"]
    assert "<iframe" not in statement.body_html and "style=" not in statement.body_html
    assert "onmouseover" not in statement.body_html and "Talks will continue." in statement.body_text
    assert statement.places == ["paris"] and {"ISR", "SYR", "USA"} <= set(statement.parties)
    assert "diplomacy" in statement.desks and statement.tags == ["Diplomacy"]
    hebrew = articles["ירי ארטילרי סמוך לקוניטרה"]
    assert hebrew.language == "he" and hebrew.places == ["quneitra"] and "ISR" in hebrew.parties
    assert 'dir="rtl"' in hebrew.body_html


def test_reingesting_an_unchanged_feed_writes_nothing(db, cell, isr, feed_server):
    ingest_url(db, cell, isr, feed_server.url("rss2.xml"))
    before = {a.id: (a.version, a.ledger_index) for a in by_title(db, "ISR").values()}

    again = ingest_url(db, cell, isr, feed_server.url("rss2.xml"))

    assert (again.new, again.updated, again.duplicate) == (0, 0, 3)
    assert {a.id: (a.version, a.ledger_index) for a in by_title(db, "ISR").values()} == before


def test_a_changed_entry_becomes_a_new_version(db, cell, isr, feed_server):
    ingest_url(db, cell, isr, feed_server.url("rss2.xml"))
    first = by_title(db, "ISR")["Talks expected in Paris"]
    first_index = first.ledger_index
    changed = feed_server.files["/rss2.xml"].replace(b"Senior officials are expected", b"Senior officials arrived")
    feed_server.put("rss2.xml", changed, at=1767700000.0)

    summary = ingest_url(db, cell, isr, feed_server.url("rss2.xml"))

    assert (summary.new, summary.updated, summary.duplicate) == (0, 1, 2)
    article = by_title(db, "ISR")["Talks expected in Paris"]
    assert article.id == first.id and article.version == 2 and article.ledger_index > first_index
    assert "arrived" in article.body_text


def test_dedup_is_per_ingesting_party(db, cell, isr, subject_of, feed_server):
    ingest_url(db, cell, isr, feed_server.url("rss2.xml"))

    syria = ingest_url(db, cell, subject_of("SYR", "liaison"), feed_server.url("rss2.xml"))

    assert syria.new == 3 and syria.duplicate == 0


def test_conditional_get_is_answered_304(feed_server):
    url = feed_server.url("atom.xml")
    first = fetch_feed(url)
    assert not first.not_modified and first.etag and first.last_modified

    by_etag = fetch_feed(url, etag=first.etag)
    by_date = fetch_feed(url, last_modified=first.last_modified)

    assert by_etag.not_modified and by_date.not_modified
    assert feed_server.answers == [200, 304, 304]
    assert by_etag.etag == first.etag  # the validators are kept for next time


def test_bad_feeds_are_rejected_with_their_reason(db, cell, isr, feed_server):
    not_xml = ingest_url(db, cell, isr, feed_server.url("bad/not-xml.xml"))
    truncated = ingest_url(db, cell, isr, feed_server.url("bad/truncated.xml"))

    assert not_xml.new == 0 and not_xml.rejected[0]["reason"].startswith("not a feed")
    assert truncated.new == 0 and "not well-formed" in truncated.rejected[0]["reason"]
