"""Sources of open-source reporting, the articles read from them, and the suggested links to the cell's records.

An article is a shared record like any other (the envelope): the ingesting party chooses whom it is released
to, by default the whole cell. Deduplication is per ingesting party (`origin_party` in every key), so one
party's private reading never shows through another's duplicate counts. A re-read article that changed is
updated in place as a new version (the record keeps each version's digest); an unchanged one writes nothing.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fusioncell.db.base import Base, Envelope, iso
from fusioncell.db.types import UTCDateTime


class OsintSource(Base, Envelope):
    """A feed URL or a folder of front-matter articles a party reads from, with its polling state."""

    __tablename__ = "osint_sources"
    __table_args__ = (UniqueConstraint("origin_party", "code", name="uq_osint_sources_party_code"),)
    record_kind = "osint-source"

    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # feed | folder
    location: Mapped[str] = mapped_column(String(2000))  # the feed's URL, or the folder or file path
    language: Mapped[str | None] = mapped_column(String(8), default=None)  # when the source does not say
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # the desk's own tags for its articles
    desks: Mapped[list[str]] = mapped_column(JSON, default=list)  # desks its articles concern by default
    # Whom its articles are released to; None: the whole cell (public within the cell).
    article_releasable_to: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    poll_minutes: Mapped[int] = mapped_column(Integer, default=30)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Polling state: conditional GET validators and back-off. Not part of the recorded content.
    etag: Mapped[str | None] = mapped_column(String(500), default=None)
    last_modified: Mapped[str | None] = mapped_column(String(100), default=None)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "language": self.language,
            "tags": self.tags,
            "desks": self.desks,
            "article_releasable_to": self.article_releasable_to,
            "poll_minutes": self.poll_minutes,
            "enabled": self.enabled,
        }


class Article(Base, Envelope):
    __tablename__ = "osint_articles"
    __table_args__ = (
        Index("ix_osint_articles_published", "published_at", "id"),
        Index("ix_osint_articles_link", "origin_party", "link_key"),
        Index("ix_osint_articles_guid", "origin_party", "guid_key"),
        Index("ix_osint_articles_hash", "origin_party", "content_hash"),
    )
    record_kind = "osint-article"

    source_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("osint_sources.id"), default=None, index=True)
    source_name: Mapped[str] = mapped_column(String(200))  # the outlet as the article names it, or the source's
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000), default=None)  # a safe http(s) URL, or None
    link_text: Mapped[str | None] = mapped_column(String(2000), default=None)  # a malformed link, kept as text
    # Dedup keys are SHA-256 hex digests (of the normalised link, of the feed's GUID): short enough to index.
    link_key: Mapped[str | None] = mapped_column(String(64), default=None)
    guid: Mapped[str | None] = mapped_column(String(2000), default=None)
    guid_key: Mapped[str | None] = mapped_column(String(64), default=None)
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalised title and text
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")  # plain text
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitised (nh3): safe to render as is
    body_text: Mapped[str] = mapped_column(Text, default="")  # plain text, for search
    image: Mapped[str | None] = mapped_column(String(2000), default=None)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # the source's categories and tags, the desk's
    places: Mapped[list[str]] = mapped_column(JSON, default=list)  # gazetteer codes found in it
    parties: Mapped[list[str]] = mapped_column(JSON, default=list)  # party codes mentioned
    people: Mapped[list[str]] = mapped_column(JSON, default=list)
    desks: Mapped[list[str]] = mapped_column(JSON, default=list)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "source_id": str(self.source_id) if self.source_id else None,
            "source_name": self.source_name,
            "title": self.title,
            "link": self.link,
            "link_text": self.link_text,
            "guid": self.guid,
            "content_hash": self.content_hash,
            "published_at": iso(self.published_at),
            "language": self.language,
            "summary": self.summary,
            "body_html": self.body_html,
            "image": self.image,
            "tags": self.tags,
            "places": self.places,
            "parties": self.parties,
            "people": self.people,
            "desks": self.desks,
            "illustrative": self.illustrative,
        }


class ArticleLink(Base, Envelope):
    """A suggested (then confirmed or dismissed) tie between an article and a record of the cell.

    Shown only to a reader who may read both the article and the linked record."""

    __tablename__ = "osint_article_links"
    __table_args__ = (
        UniqueConstraint("article_id", "target_kind", "target_id", name="uq_osint_article_links_target"),
        Index("ix_osint_article_links_target", "target_kind", "target_id"),
    )
    record_kind = "osint-article-link"

    article_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("osint_articles.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(32))  # incident, meeting, statement, notice
    target_id: Mapped[uuid.UUID] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)  # why it was suggested: "same place, 3 h apart"
    state: Mapped[str] = mapped_column(String(16), default="suggested")  # suggested | confirmed | dismissed
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    def ledger_content(self) -> dict[str, Any]:
        return self.envelope_content() | {
            "article_id": str(self.article_id),
            "target_kind": self.target_kind,
            "target_id": str(self.target_id),
            "reason": self.reason,
            "state": self.state,
            "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at),
        }
