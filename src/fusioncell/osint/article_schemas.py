"""Read models of the reading half: articles, their suggested links, a page of them, the digest, the filters.

`body_html` is the ingest's nh3 output and is the only field a page renders unescaped. The list carries no body
(a reading list is titles and summaries); the detail does."""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from fusioncell.access.schemas import EnvelopeRead

LinkState = Literal["suggested", "confirmed", "dismissed"]
TargetKind = Literal["incident", "meeting", "statement", "notice"]
MAX_QUERY_CHARS = 500
MAX_PAGE = 200


class ArticleSummary(EnvelopeRead):
    source_id: uuid.UUID | None
    source_name: str
    title: str
    link: str | None = Field(description="A safe http(s) URL, or null.")
    link_text: str | None = Field(description="What the source gave as a link when it was not one: text only.")
    published_at: datetime | None
    ingested_at: datetime
    language: str | None
    summary: str
    tags: list[str]
    places: list[str]
    parties: list[str]
    people: list[str]
    desks: list[str]
    illustrative: bool

    @field_validator("releasable_to", mode="before")
    @classmethod
    def _sorted(cls, value) -> list[str]:
        return sorted(value)


class ArticleRead(ArticleSummary):
    body_html: str = Field(description="Sanitised HTML (nh3): safe to render as is.")
    body_text: str
    image: str | None


class ArticlePage(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last.")


class ArticleLinkRead(BaseModel):
    id: uuid.UUID
    article_id: uuid.UUID
    target_kind: TargetKind
    target_id: uuid.UUID
    target_title: str
    target_href: str
    reason: str
    state: LinkState
    decided_by: str | None
    decided_at: datetime | None
    version: int
    ledger_index: int | None


class ArticleLinkList(BaseModel):
    items: list[ArticleLinkRead]


class ArticleQuery(BaseModel):
    """The reading list's query: search text and filters, as the API and the page accept them."""

    q: str | None = Field(default=None, max_length=MAX_QUERY_CHARS, description='Words, "phrases", OR, -word.')
    source: uuid.UUID | None = None
    place: str | None = Field(default=None, max_length=64)
    party: str | None = Field(default=None, max_length=16)
    desk: str | None = Field(default=None, max_length=64)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    best: bool = Field(default=False, description="Best match first (with q) instead of newest first.")


class DigestCount(BaseModel):
    name: str
    count: int


class DigestDesk(BaseModel):
    desk: str
    articles: list[ArticleSummary]
    places: list[DigestCount]
    parties: list[DigestCount]


class DigestRead(BaseModel):
    day: date
    desks: list[DigestDesk]
