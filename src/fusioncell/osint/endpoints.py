"""/api/v1/osint: the reading list and search, one article, its suggested links and the decisions on them, the
day's digest per desk. Every read is `queries`' and `search`', and so the releasability rule's."""

import uuid
from datetime import date

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.subjects import Subject
from fusioncell.db.types import utcnow
from fusioncell.errors import Invalid, PayloadTooLarge
from fusioncell.events.representations import Representation, register
from fusioncell.i18n import N_
from fusioncell.osint import ingest as ingesting
from fusioncell.osint import links_service, queries, sources
from fusioncell.osint.article_schemas import (
    MAX_PAGE,
    ArticleLinkList,
    ArticleLinkRead,
    ArticlePage,
    ArticleQuery,
    ArticleRead,
    ArticleSummary,
    DigestRead,
)
from fusioncell.osint.feeds import parse_feed
from fusioncell.osint.frontmatter import MAX_FILE_BYTES, parse_article
from fusioncell.osint.models import Article
from fusioncell.osint.schemas import IngestSummaryRead, SourceCreate, SourceRead
from fusioncell.osint.search import ArticleFilters, search_articles
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1/osint", tags=["osint"])


def find_articles(
    session: Session, *, subject: Subject, query: ArticleQuery, limit: int, offset: int = 0
) -> list[Article]:
    """The reading list and the search box are one call: the API's and the page's."""
    filters = ArticleFilters(
        source_id=query.source,
        place=query.place or None,
        party=query.party or None,
        desk=query.desk or None,
        since=query.since,
        until=query.until,
    )
    return search_articles(
        session, subject=subject, text=query.q, filters=filters, best_first=query.best, limit=limit, offset=offset
    )


def read_cursor(cursor: str | None) -> int:
    """The cursor is the count of results already given (search order is by rank, so no key to resume from)."""
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 9:
        raise Invalid(N_("cursor is not one this API gave"), details={"cursor": cursor})
    return int(cursor)


@router.get("/articles", response_model=ArticlePage)
def get_articles(
    query: ArticleQuery = Depends(),
    cursor: str | None = Query(default=None, max_length=16),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """Articles you may read, newest first (or best match first with `best=true`); `q` searches title, summary
    and body: words (all must appear), "quoted phrases", OR between alternatives, -word to exclude."""
    offset = read_cursor(cursor)
    found = find_articles(session, subject=caller.subject, query=query, limit=limit, offset=offset)
    return ArticlePage(
        items=[ArticleSummary.model_validate(a, from_attributes=True) for a in found],
        next_cursor=str(offset + limit) if len(found) == limit else None,
    )


@router.get("/digest", response_model=DigestRead)
def get_digest(
    desk: str | None = Query(default=None, max_length=64),
    day: date | None = Query(default=None, description="UTC day, YYYY-MM-DD; today by default."),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """The day's articles you may read, grouped by desk, with counts per place and party."""
    return queries.digest(session, subject=caller.subject, day=day or utcnow().date(), desk=desk or None)


@router.get("/articles/{article_id}", response_model=ArticleRead)
def get_article(article_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    article = queries.readable_article(session, subject=caller.subject, article_id=article_id)
    return ArticleRead.model_validate(article, from_attributes=True)


@router.get("/articles/{article_id}/links", response_model=ArticleLinkList)
def get_links(article_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """Suggested, confirmed and dismissed links to records you may read as well."""
    article = queries.readable_article(session, subject=caller.subject, article_id=article_id)
    pairs = queries.readable_links(session, subject=caller.subject, article=article)
    return ArticleLinkList(items=[queries.link_read(link, target) for link, target in pairs])


def _decided(
    session: Session, subject: Subject, article_id: uuid.UUID, link_id: uuid.UUID, decision
) -> ArticleLinkRead:
    link = links_service.decide(session, subject=subject, article_id=article_id, link_id=link_id, decision=decision)
    return queries.link_read(link, queries.readable_target(session, subject=subject, link=link))


@router.post("/articles/{article_id}/links/{link_id}/confirm", response_model=ArticleLinkRead)
def confirm_link(article_id: uuid.UUID, link_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """Confirm a suggested link; it enters the record. Only for readers of both the article and the record."""
    return _decided(session, caller.subject, article_id, link_id, "confirmed")


@router.post("/articles/{article_id}/links/{link_id}/dismiss", response_model=ArticleLinkRead)
def dismiss_link(article_id: uuid.UUID, link_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """Dismiss a suggested link; the decision enters the record."""
    return _decided(session, caller.subject, article_id, link_id, "dismissed")


@router.get("/sources", response_model=list[SourceRead])
def get_sources(caller: Caller = CallerDep, session: Session = SessionDep):
    """Your party's sources (another party's are its own business; their articles are released as it chose)."""
    return sources.list_sources(session, subject=caller.subject)


@router.post("/sources", response_model=SourceRead, status_code=201)
def post_source(
    body: SourceCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Add a feed or a folder your party reads from; liaison and desk officers and observers only."""
    return sources.create_source(session, subject=caller.subject, cell=runtime.cell, data=body)


ARTICLE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def candidates_of(name: str, data: bytes) -> list:
    """An uploaded front-matter article (by its suffix) or a feed document (anything else)."""
    if name.lower().endswith(ARTICLE_SUFFIXES):
        if len(data) > MAX_FILE_BYTES:
            raise PayloadTooLarge(N_("an article file is at most {limit} MiB"), limit=MAX_FILE_BYTES // (1024 * 1024))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(N_("the article file is not UTF-8"), details={"file": name}) from None
        return [parse_article(text, where=name, is_html=name.lower().endswith((".html", ".htm")))]
    return parse_feed(data, where=name).items


@router.post("/ingest", response_model=IngestSummaryRead)
def post_ingest(
    file: UploadFile = File(description="A front-matter article (.md, .html) or an RSS/Atom feed document."),
    source: str | None = Form(default=None, max_length=64, description="Your party's source code, if any."),
    releasable_to: str | None = Form(default=None, max_length=200, description="Party codes, comma-separated."),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Ingest one upload: sanitised, tagged, deduplicated against your party's articles, recorded."""
    sources.require_ingest(caller.subject)
    data = file.file.read(MAX_UPLOAD_BYTES + 1)  # a sync route: runs in the thread pool, off the loop
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(N_("an upload is at most {limit} MiB"), limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    chosen = sources.source_by_code(session, subject=caller.subject, code=source) if source else None
    audience = [code for code in releasable_to.split(",") if code.strip()] if releasable_to is not None else None
    summary = ingesting.ingest(
        session,
        subject=caller.subject,
        cell=runtime.cell,
        source=chosen,
        candidates=candidates_of(file.filename or "upload", data),
        releasable_to=audience,
    )
    return IngestSummaryRead.model_validate(summary, from_attributes=True)


def article_view(article: Article) -> dict:
    """What the stream tells every reader of an article: its summary, not the body (the page has it)."""
    return ArticleSummary.model_validate(article, from_attributes=True).model_dump(mode="json")


register("osint-article", Representation(model=Article, view=article_view))
