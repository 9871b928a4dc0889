"""The ingest: articles from any reader, sanitised, tagged, deduplicated, stored with the envelope, recorded.

Dedup is per ingesting party, by link key, then GUID key, then content hash. An article found by its link or
GUID that changed becomes a new version; one unchanged is a duplicate and writes nothing; one found only by
its content (the same story at another address) is a duplicate too. Work goes in batches: one lookup per key
kind per batch, one ledger append per batch (ledger.service.append_entries, the batch form of record_change)
and one flush, so ten thousand articles do not make ten thousand round trips of each."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status, new_id
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.errors import Invalid
from fusioncell.i18n import N_
from fusioncell.ledger.service import EntryDraft, append_entries, content_digest
from fusioncell.osint.links import check_link, content_hash, guid_key
from fusioncell.osint.models import Article, ArticleLink, OsintSource
from fusioncell.osint.sanitise import plain_text, sanitise_html, text_of
from fusioncell.osint.search import index_articles
from fusioncell.osint.sources import require_ingest
from fusioncell.osint.suggestions import existing_targets, link_envelope, suggest_links
from fusioncell.osint.tagging import Tagger, guess_language

BATCH = 250
MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 600
# What a re-read may change: any difference makes a new version; none makes a duplicate.
CONTENT_FIELDS = ("title", "link", "link_text", "guid", "published_at", "language", "summary", "body_html", "image",
                  "tags", "places", "parties", "people", "desks", "source_name", "content_hash")  # fmt: skip


@dataclass
class Candidate:
    """An article as a reader (feed, front-matter file) gave it; nothing sanitised yet."""

    where: str  # the file, or the feed and entry number: for the report
    title: str
    link: str | None = None
    guid: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    summary: str = ""  # may carry markup
    body_html: str = ""
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    source_name: str | None = None


@dataclass(frozen=True)
class Rejection:
    where: str
    reason: str


@dataclass
class IngestSummary:
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    suggested: int = 0  # links to records, for an analyst to confirm
    rejected: list[dict] = field(default_factory=list)  # [{where, reason}]
    article_ids: list = field(default_factory=list)  # new and updated


@dataclass
class _Ready:
    where: str
    values: dict  # Article columns of the content
    link_key: str | None
    guid_key: str | None


def ingest(
    session: Session,
    *,
    subject: Subject,
    cell: CellDefinition,
    source: OsintSource | None,
    candidates: Iterable[Candidate | Rejection],
    releasable_to: Iterable[str] | None = None,
    now: datetime | None = None,
    progress: Callable[[], None] | None = None,
) -> IngestSummary:
    """Store what is new, version what changed, count the rest; every rejection with its reason."""
    require_ingest(subject)
    audience = audience_for(cell, source=source, releasable_to=releasable_to)
    store = _Store(session, subject=subject, cell=cell, source=source, audience=audience, now=now or utcnow())
    tagger = Tagger(cell, people=known_people(session, subject=subject))
    batch: list[_Ready] = []
    for item in candidates:
        ready = item if isinstance(item, Rejection) else prepare(item, source=source, tagger=tagger)
        if isinstance(ready, Rejection):
            store.summary.rejected.append({"where": ready.where, "reason": ready.reason})
        else:
            batch.append(ready)
        if len(batch) >= BATCH:
            store.write(batch)
            batch = []
        if progress is not None:
            progress()
    store.write(batch)
    return store.summary


def audience_for(cell: CellDefinition, *, source: OsintSource | None, releasable_to: Iterable[str] | None) -> frozenset:
    """Whom the articles are released to: as asked, else the source's choice, else the whole cell."""
    chosen = releasable_to if releasable_to is not None else (source.article_releasable_to if source else None)
    if chosen is None:
        return frozenset(cell.party_codes)
    parties = frozenset(code.strip().upper() for code in chosen if code.strip())
    unknown = parties - cell.party_codes
    if unknown:
        raise Invalid(
            N_("unknown parties: {unknown}"),
            unknown=", ".join(sorted(unknown)),
            details={"releasable_to": sorted(unknown)},
        )
    return parties


def known_people(session: Session, *, subject: Subject) -> list[str]:
    """The delegates of meetings the party may read: the people an article may name."""
    rows = session.execute(select(Meeting.participants).where(readable(subject, Meeting))).scalars()
    return sorted({d for participants in rows for p in participants or () for d in p.get("delegates", ())})


def prepare(candidate: Candidate, *, source: OsintSource | None, tagger: Tagger) -> _Ready | Rejection:
    """Sanitised, tagged and keyed; a candidate with nothing to read is rejected."""
    title = text_of(candidate.title)[:MAX_TITLE_CHARS]
    if not title:
        return Rejection(candidate.where, "no title left once markup is removed")
    body_html = sanitise_html(candidate.body_html or "")
    body_text = plain_text(body_html)
    summary = text_of(candidate.summary) or body_text
    summary = summary if len(summary) <= MAX_SUMMARY_CHARS else summary[: MAX_SUMMARY_CHARS - 1].rstrip() + "…"
    checked = check_link(candidate.link)
    tags = tagger.tag(title, summary, body_text)
    guid = (candidate.guid or "").strip()[:2000] or None
    values = {
        "title": title,
        "link": checked.link,
        "link_text": checked.text,
        "guid": guid,
        "published_at": candidate.published_at,
        "language": _language(candidate, source=source, text=title + body_text),
        "summary": summary,
        "body_html": body_html,
        "body_text": body_text,
        "image": check_link(candidate.image).link,
        "tags": _unique([*candidate.tags, *(source.tags if source else ())]),
        "places": tags.places,
        "parties": tags.parties,
        "people": tags.people,
        "desks": _unique([*tags.desks, *(source.desks if source else ())]),
        "source_name": (candidate.source_name or (source.name if source else None) or "unknown")[:200],
        "content_hash": content_hash(title, body_text or summary),
    }
    return _Ready(candidate.where, values, checked.key, guid_key(guid))


def _language(candidate: Candidate, *, source: OsintSource | None, text: str) -> str:
    """Arabic or Hebrew script decides (a feed's xml:lang is often the outlet's, not the article's); else
    what the article or source says; else English."""
    guessed = guess_language(text)
    if guessed != "en":
        return guessed
    return (candidate.language or (source.language if source else None) or "en")[:8]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))


class _Store:
    """Writes batches for one ingest run: the lookups, the versions, the record, the index, the suggestions."""

    def __init__(self, session, *, subject, cell, source, audience, now) -> None:
        self.session, self.subject, self.cell, self.source = session, subject, cell, source
        self.audience, self.now = audience, now
        self.summary = IngestSummary()
        self.marking = Marking.CLEAR if audience == cell.party_codes else Marking.GREEN

    def write(self, batch: list[_Ready]) -> None:
        if not batch:
            return
        by_link, by_guid, by_hash = self._existing(batch)
        created, changed = [], []
        for ready in batch:
            found = by_link.get(ready.link_key) or by_guid.get(ready.guid_key)
            if found is None and ready.values["content_hash"] in by_hash:
                self.summary.duplicate += 1  # the same story at another address, or with no address
                continue
            if found is not None and all(getattr(found, name) == ready.values[name] for name in CONTENT_FIELDS):
                self.summary.duplicate += 1
                continue
            article = self._new(ready) if found is None else self._changed(found, ready, fresh=found in created)
            if found is None:
                created.append(article)
            elif article not in changed and article not in created:  # one version per batch, however often seen
                changed.append(article)
            for index, key in ((by_link, ready.link_key), (by_guid, ready.guid_key)):
                if key:
                    index[key] = article
            by_hash[article.content_hash] = article
        self._record(created, "create")
        self._record(changed, "update")
        self.session.add_all(created)
        self.session.flush()
        index_articles(self.session, created + changed)
        self.summary.new += len(created)
        self.summary.updated += len(changed)
        self.summary.article_ids += [a.id for a in created + changed]
        self._suggest(created + changed)

    def _existing(self, batch: list[_Ready]) -> tuple[dict, dict, dict]:
        party = self.subject.party
        found = []
        for column, keys in (
            (Article.link_key, {r.link_key for r in batch if r.link_key}),
            (Article.guid_key, {r.guid_key for r in batch if r.guid_key}),
            (Article.content_hash, {r.values["content_hash"] for r in batch}),
        ):
            if keys:
                found += self.session.scalars(select(Article).where(Article.origin_party == party, column.in_(keys)))
        by_link = {a.link_key: a for a in found if a.link_key}
        by_guid = {a.guid_key: a for a in found if a.guid_key}
        return by_link, by_guid, {a.content_hash: a for a in found}

    def _new(self, ready: _Ready) -> Article:
        # Every default is set here, not at flush: the record digests the row before it is written.
        return Article(
            id=new_id(), origin_party=self.subject.party, created_by=self.subject.username, created_at=self.now,
            version=1, status=Status.RELEASED, releasable_to=self.audience, marking=self.marking,
            source_id=self.source.id if self.source else None, link_key=ready.link_key, guid_key=ready.guid_key,
            ingested_at=self.now, illustrative=False, **ready.values,
        )  # fmt: skip

    def _changed(self, article: Article, ready: _Ready, *, fresh: bool) -> Article:
        """A new version of the same article; its envelope (whom it is released to) stays as it was."""
        for name, value in ready.values.items():
            setattr(article, name, value)
        article.link_key = ready.link_key or article.link_key
        article.guid_key = ready.guid_key or article.guid_key
        article.ingested_at = self.now
        if not fresh:  # one created earlier in this batch is still its first version
            article.version += 1
        return article

    def _suggest(self, articles: list[Article]) -> None:
        known = existing_targets(self.session, articles=articles)
        suggested = suggest_links(self.session, subject=self.subject, cell=self.cell, articles=articles)
        links = [
            self._link(article, kind, target, reason)
            for article, kind, target, reason in suggested
            if (article.id, kind, target) not in known
        ]
        self._record(links, "suggest")
        self.session.add_all(links)
        self.session.flush()
        self.summary.suggested += len(links)

    def _link(self, article: Article, kind: str, target, reason: str) -> ArticleLink:
        status, audience = link_envelope(self.session, cell=self.cell, article=article, kind=kind, target_id=target)
        return ArticleLink(
            id=new_id(), origin_party=self.subject.party, created_by=self.subject.username, created_at=self.now,
            version=1, status=status, releasable_to=audience, marking=article.marking,
            article_id=article.id, target_kind=kind, target_id=target, reason=reason, state="suggested",
            decided_by=None, decided_at=None,
        )  # fmt: skip

    def _record(self, records: list, action: str) -> None:
        """One ledger append for the batch: what record_change does for one record, for many."""
        if not records:
            return
        drafts = [
            EntryDraft(
                kind=r.record_kind,
                record_id=str(r.id),
                version=r.version,
                action=action,
                actor=self.subject.username,
                party=self.subject.party,
                digest=content_digest(r.ledger_content()),
                origin_party=r.origin_party,
                status=str(r.status),
                releasable_to=frozenset(r.releasable_to),
            )  # fmt: skip
            for r in records
        ]
        for record, index in zip(records, append_entries(self.session, drafts), strict=True):
            record.ledger_index = index
