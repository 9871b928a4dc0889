"""Articles in the static-site format aggregators write: `---` YAML front matter, then a Markdown or HTML body.

Front matter keys read: title, date, description, summary, slug, image, link, source, categories, tags, draft
(and lang/language, guid/id). Every file is read whole or rejected with its reason: too large, not UTF-8,
front matter that is not a YAML mapping, no title, a date nobody can read, a draft. Markdown is rendered to
HTML here; all HTML is sanitised at ingest, never here."""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from pathlib import Path

import yaml
from feedparser.datetimes import _parse_date  # feedparser's own reader of the dates feeds write
from markdown_it import MarkdownIt

from fusioncell.osint.ingest import Candidate, Rejection

MAX_FILE_BYTES = 2 * 1024 * 1024
SUFFIXES = (".md", ".markdown", ".html", ".htm")
_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y", "%Y-%m-%d %H:%M")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when built with it: ~10x faster
_markdown = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def article_files(path: Path) -> list[Path]:
    """One file, or every article file under a folder, in a stable order."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_articles(files: Iterable[Path]) -> Iterator[Candidate | Rejection]:
    for file in files:
        yield read_article(file)


def read_article(file: Path) -> Candidate | Rejection:
    where = str(file)
    try:
        with open(file, "rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)  # never more than the cap into memory
    except OSError as exc:
        return Rejection(where, f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:
        return Rejection(where, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(where, f"not UTF-8 (byte {exc.start}); save it as UTF-8")
    return parse_article(text, where=where, is_html=file.suffix.lower() in (".html", ".htm"))


def parse_article(text: str, *, where: str, is_html: bool) -> Candidate | Rejection:
    match = _FENCE.match(text)
    if match is None:
        return Rejection(where, "no front matter (a '---' block first)")
    try:
        meta = yaml.load(match.group(1), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 2}" if mark is not None else ""
        return Rejection(where, f"front matter is not YAML{line}")
    if not isinstance(meta, dict):
        return Rejection(where, "front matter is not a mapping of keys to values")
    if meta.get("draft") is True:
        return Rejection(where, "marked draft: not published")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        return Rejection(where, "no title in the front matter")
    published, problem = parse_date(meta.get("date"))
    if problem:
        return Rejection(where, problem)
    body = text[match.end() :]
    return Candidate(
        where=where,
        title=title,
        link=_text(meta.get("link")),
        guid=_text(meta.get("guid") or meta.get("id") or meta.get("slug")),
        published_at=published,
        language=_text(meta.get("lang") or meta.get("language")),
        summary=_text(meta.get("summary") or meta.get("description")) or "",
        body_html=body if is_html else _markdown.render(body),
        image=_text(meta.get("image")),
        tags=_words(meta.get("categories")) + _words(meta.get("tags")),
        source_name=_text(meta.get("source")),
    )


def parse_date(value) -> tuple[datetime | None, str | None]:
    """(UTC time, None), or (None, why not). No date at all is allowed; a date nobody can read is not."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC), None
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC), None
    text = str(value).strip()
    for reader in (_iso, _rfc2822, _feedparser, _formats):
        moment = reader(text)
        if moment is not None:
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC), None
    return None, f"unreadable date {text[:60]!r}"


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _feedparser(text: str) -> datetime | None:
    parsed = _parse_date(text)
    return None if parsed is None else datetime(*parsed[:6], tzinfo=UTC)


def _formats(text: str) -> datetime | None:
    for layout in _FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    return None


def _text(value) -> str | None:
    return None if value is None else str(value).strip() or None


def _words(value) -> list[str]:
    """Categories and tags as a list of strings, whether YAML gave a list or one comma-separated string."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]
