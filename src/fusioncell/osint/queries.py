"""What a reader may see of articles: the reading list, one article, its links, the day's digest.

An article goes through the releasability rule like any record (`readable`, `can_read_record`); a suggested
link is shown only when the reader may read both the article and the linked record, the latter loaded from its
own table and judged by the same rule. What may not be read answers the 404 of what does not exist."""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.deconfliction.models import Notice
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.diplomacy.models import Statement
from fusioncell.errors import NotFound
from fusioncell.incidents.models import Incident
from fusioncell.osint.article_schemas import ArticleLinkRead, ArticleSummary, DigestCount, DigestDesk, DigestRead
from fusioncell.osint.models import Article, ArticleLink
from fusioncell.osint.search import ArticleFilters, search_articles

DIGEST_SIZE = 500  # a day's reading, per reader; beyond it the reading list pages
NO_DESK = "unassigned"


@dataclass(frozen=True)
class Target:
    model: type
    href: str  # the record's page, with {id}
    title: Any  # the record -> a short title for the link


TARGETS: dict[str, Target] = {
    "incident": Target(Incident, "/incidents/{id}", lambda r: f"Incident ({r.type}): {r.description[:80]}"),
    "meeting": Target(Meeting, "/meetings/{id}", lambda r: f"Meeting: {r.title}"),
    "statement": Target(Statement, "/statements/{id}", lambda r: f"Statement: {r.title}"),
    "notice": Target(Notice, "/notices/{id}", lambda r: f"Notice ({r.activity}): {r.description[:80]}"),
}


def readable_article(session: Session, *, subject: Subject, article_id: uuid.UUID) -> Article:
    article = session.execute(
        select(Article).where(Article.id == article_id, readable(subject, Article))
    ).scalar_one_or_none()
    if article is None:
        raise NotFound()
    return article


def readable_target(session: Session, *, subject: Subject, link: ArticleLink) -> Any | None:
    """The linked record if the reader may read it; None if not, or if it is gone or of an unknown kind."""
    target = TARGETS.get(link.target_kind)
    record = session.get(target.model, link.target_id) if target else None
    return record if record is not None and can_read_record(subject, record) else None


def readable_links(session: Session, *, subject: Subject, article: Article) -> list[tuple[ArticleLink, Any]]:
    """The article's links whose target the reader may read (the article itself is already checked)."""
    links = session.execute(
        select(ArticleLink).where(ArticleLink.article_id == article.id).order_by(ArticleLink.id)
    ).scalars()
    pairs = [(link, readable_target(session, subject=subject, link=link)) for link in links]
    return [(link, target) for link, target in pairs if target is not None]


def readable_link(session: Session, *, subject: Subject, article_id: uuid.UUID, link_id: uuid.UUID) -> ArticleLink:
    """One link, if the reader may read its article and its target; else the 404 of a missing one."""
    article = readable_article(session, subject=subject, article_id=article_id)
    link = session.get(ArticleLink, link_id)
    if link is None or link.article_id != article.id or readable_target(session, subject=subject, link=link) is None:
        raise NotFound()
    return link


def link_read(link: ArticleLink, target: Any) -> ArticleLinkRead:
    kind = TARGETS[link.target_kind]
    return ArticleLinkRead(
        id=link.id,
        article_id=link.article_id,
        target_kind=link.target_kind,
        target_id=link.target_id,
        target_title=kind.title(target),
        target_href=kind.href.format(id=link.target_id),
        reason=link.reason,
        state=link.state,
        decided_by=link.decided_by,
        decided_at=link.decided_at,
        version=link.version,
        ledger_index=link.ledger_index,
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def digest(session: Session, *, subject: Subject, day: date, desk: str | None = None) -> DigestRead:
    """The day's readable articles (UTC) grouped by desk, with how often each place and party comes up."""
    since, until = day_bounds(day)
    filters = ArticleFilters(desk=desk or None, since=since, until=until)
    articles = search_articles(session, subject=subject, filters=filters, limit=DIGEST_SIZE)
    groups: dict[str, list[Article]] = {}
    for article in articles:
        for name in article.desks or [NO_DESK]:
            if desk is None or name == desk:
                groups.setdefault(name, []).append(article)
    return DigestRead(day=day, desks=[_digest_desk(name, groups[name]) for name in sorted(groups)])


def _digest_desk(name: str, articles: list[Article]) -> DigestDesk:
    places = Counter(place for a in articles for place in a.places)
    parties = Counter(party for a in articles for party in a.parties)
    return DigestDesk(
        desk=name,
        articles=[ArticleSummary.model_validate(a, from_attributes=True) for a in articles],
        places=[DigestCount(name=n, count=c) for n, c in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))],
        parties=[DigestCount(name=n, count=c) for n, c in sorted(parties.items(), key=lambda kv: (-kv[1], kv[0]))],
    )
