"""RSS 0.9x/1.0/2.0 and Atom feeds: fetched with a conditional GET, parsed with feedparser.

A feed that is not XML, or is so broken feedparser finds no entry in it, is rejected whole with the reason;
a feed that parses is read entry by entry, and an entry with no title or an unreadable date is rejected
alone. A 304 answer means nothing changed: no entries, the validators kept."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
import httpx

from fusioncell.errors import FusionError
from fusioncell.i18n import N_
from fusioncell.osint.frontmatter import parse_date
from fusioncell.osint.ingest import Candidate, Rejection

MAX_FEED_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
USER_AGENT = "fusioncell-osint/1 (+https://github.com/fusioncell)"


class FeedUnavailable(FusionError):
    """The feed could not be fetched: the source backs off and tries again later."""


@dataclass
class Fetched:
    not_modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FeedRead:
    items: list[Candidate | Rejection] = field(default_factory=list)
    title: str | None = None


def fetch_feed(
    url: str, *, etag: str | None = None, last_modified: str | None = None, client: httpx.Client | None = None
) -> Fetched:
    """GET the feed, sending the validators it gave last time; at most MAX_FEED_BYTES are read."""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True, max_redirects=5)
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(True, etag=etag, last_modified=last_modified)
            if response.status_code != 200:
                raise FeedUnavailable(
                    N_("{url} answered HTTP {status_code}"), url=url, status_code=response.status_code
                )
            body = _read_capped(response, url)
            return Fetched(False, body, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except httpx.HTTPError as exc:
        raise FeedUnavailable(
            N_("{url}: {error_type}: {exc}"), url=url, error_type=type(exc).__name__, exc=exc
        ) from exc
    finally:
        if own:
            client.close()


def _read_capped(response: httpx.Response, url: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise FeedUnavailable(
                N_("{url} is larger than {limit} MiB"), url=url, limit=MAX_FEED_BYTES // (1024 * 1024)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_feed(body: bytes, *, where: str) -> FeedRead:
    """Every entry as a candidate or a rejection; a feed that yields nothing is one rejection."""
    if len(body) > MAX_FEED_BYTES:
        return FeedRead([Rejection(where, f"larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB")])
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo:
            return FeedRead([Rejection(where, f"not a feed: {_bozo_reason(parsed.bozo_exception)}")])
        if not parsed.get("version"):  # an empty document has no version at all
            return FeedRead([Rejection(where, "not an RSS or Atom feed")])
        return FeedRead([], parsed.feed.get("title"))
    language = (parsed.feed.get("language") or "")[:2].lower() or None
    title = parsed.feed.get("title")
    items = [
        _entry(entry, where=f"{where} entry {n}", language=language, outlet=title)
        for n, entry in enumerate(parsed.entries, 1)
    ]
    if parsed.bozo:  # what was recovered from a broken feed says why it may be incomplete
        broken = f"; the feed is not well-formed ({_bozo_reason(parsed.bozo_exception)})"
        items = [Rejection(i.where, i.reason + broken) if isinstance(i, Rejection) else i for i in items]
    return FeedRead(items, title)


def _bozo_reason(exc: BaseException | None) -> str:
    text = str(exc or "malformed").strip().splitlines()[0] if exc else "malformed"
    return text[:200]


def _entry(entry, *, where: str, language: str | None, outlet: str | None) -> Candidate | Rejection:
    title = (entry.get("title") or "").strip()
    if not title:
        return Rejection(where, "no title")
    published, problem = _published(entry)
    if problem:
        return Rejection(where, problem)
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents else entry.get("summary", "")
    return Candidate(
        where=where,
        title=title,
        link=entry.get("link"),
        guid=entry.get("id"),
        published_at=published,
        language=(entry.get("language") or language),
        summary=entry.get("summary", "") if contents else "",
        body_html=body,
        image=_image(entry),
        tags=[t.get("term", "").strip() for t in entry.get("tags", []) if t.get("term", "").strip()],
        source_name=(entry.get("source") or {}).get("title") or outlet,
    )


def _published(entry) -> tuple[datetime | None, str | None]:
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC), None
        if entry.get(key):  # given, but feedparser could not read it: one more try with the desk's formats
            return parse_date(entry[key])
    return None, None


def _image(entry) -> str | None:
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/"):
            return enclosure.get("href")
    media = entry.get("media_content") or entry.get("media_thumbnail") or []
    return media[0].get("url") if media else None
