"""The open-source reading pages: the reading list with its search box and filters (GET /osint), one article
with its tags and suggested links (GET /osint/articles/{id}), the day's digest per desk (GET /osint/digest).

Every read is the API's (`endpoints.find_articles`, `queries`) and so the releasability rule's. The article's
body is the one thing rendered unescaped: it was sanitised by nh3 at ingest and is sanitised again here."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import nh3
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.rule import readable
from fusioncell.db.types import utcnow
from fusioncell.osint import page_actions, queries, source_pages
from fusioncell.osint.article_schemas import MAX_PAGE, ArticleQuery, ArticleRead, ArticleSummary
from fusioncell.osint.endpoints import find_articles
from fusioncell.osint.models import OsintSource
from fusioncell.osint.sanitise import ATTRIBUTES, TAGS, URL_SCHEMES, sanitise_html
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "yi"})


def _day(value: str) -> date | None:
    """A date field left empty or mistyped filters nothing (the page shows what it did apply)."""
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _page_query(q: str, source: str, place: str, party: str, desk: str, since: str, until: str) -> ArticleQuery:
    start, end = _day(since), _day(until)
    fields = {
        "q": q.strip()[:500] or None,
        "source": source or None,
        "place": place or None,
        "party": party or None,
        "desk": desk or None,
        "since": datetime.combine(start, time(), tzinfo=UTC) if start else None,
        "until": queries.day_bounds(end)[1] if end else None,  # the "until" day is included
    }
    try:
        return ArticleQuery(**fields)
    except ValidationError:
        return ArticleQuery(q=fields["q"])  # a hand-edited URL: search, unfiltered


def shown_body(body_html: str) -> str:
    """The stored body, sanitised again (belt and braces: ingest did) and without images: the page loads nothing
    from outside the cell (the CSP would refuse it anyway), so an image would only be a broken box."""
    return nh3.clean(
        sanitise_html(body_html),
        tags=set(TAGS - {"img"}),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items() if tag != "img"},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def direction(language: str | None) -> str:
    return "rtl" if (language or "").split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@router.get("/osint", response_class=HTMLResponse)
def reading_list(
    request: Request,
    q: str = Query(default="", max_length=500),
    source: str = Query(default="", max_length=64),
    place: str = Query(default="", max_length=64),
    party: str = Query(default="", max_length=16),
    desk: str = Query(default="", max_length=64),
    since: str = Query(default="", max_length=32),
    until: str = Query(default="", max_length=32),
    offset: int = Query(default=0, ge=0, le=100_000),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    query = _page_query(q, source, place, party, desk, since, until)
    found = find_articles(session, subject=caller.subject, query=query, limit=limit, offset=offset)
    sources = session.execute(
        select(OsintSource).where(readable(caller.subject, OsintSource)).order_by(OsintSource.name)
    ).scalars()
    filters = {"q": q, "source": source, "place": place, "party": party, "desk": desk, "since": since, "until": until}
    return render(
        request,
        "osint_list.html",
        caller,
        runtime,
        articles=[ArticleSummary.model_validate(a, from_attributes=True) for a in found],
        direction=direction,
        filters=filters,
        filtering=any(filters.values()),
        sources=list(sources),
        places={p.code: p for p in runtime.cell.places},
        offset=offset,
        limit=limit,
        more=len(found) == limit,
    )


@router.get("/osint/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    article = queries.readable_article(session, subject=caller.subject, article_id=article_id)
    pairs = queries.readable_links(session, subject=caller.subject, article=article)
    return render(
        request,
        "osint_article.html",
        caller,
        runtime,
        article=ArticleRead.model_validate(article, from_attributes=True),
        body=shown_body(article.body_html),
        dir=direction(article.language),
        links=[queries.link_read(link, target) for link, target in pairs],
        places={p.code: p for p in runtime.cell.places},
        desk_names={d.code: d.names for d in runtime.cell.desks},
    )


@router.get("/osint/digest", response_class=HTMLResponse)
def digest_page(
    request: Request,
    day: str = Query(default="", max_length=32),
    desk: str = Query(default="", max_length=64),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    chosen = _day(day) or utcnow().date()
    desk_code = desk if desk in {d.code for d in runtime.cell.desks} else None
    digest = queries.digest(session, subject=caller.subject, day=chosen, desk=desk_code)
    return render(
        request,
        "osint_digest.html",
        caller,
        runtime,
        digest=digest,
        desk=desk_code or "",
        previous=(chosen - timedelta(days=1)).isoformat(),
        following=(chosen + timedelta(days=1)).isoformat(),
        direction=direction,
        places={p.code: p for p in runtime.cell.places},
        desk_names={d.code: d.names for d in runtime.cell.desks},  # said by in_language(); else "No desk"
    )


# The buttons' routes live in page_actions.py; mounted here so app.py needs no line of its own.
router.include_router(page_actions.router)
router.include_router(source_pages.router)
