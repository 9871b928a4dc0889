"""What the reading-half tests share: an article in any envelope state, stored and indexed as ingest would."""

import hashlib
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.osint.models import Article, ArticleLink
from fusioncell.osint.search import index_article
from tests.access.matrix import EnvelopeState, envelope_of

MISSING = "01a217d0-0000-7000-8000-000000000000"
CELL = frozenset({"USA", "ISR", "SYR", "FRA", "JOR", "UNDOF"})


def make_article(
    session: Session,
    *,
    title: str = "Crossing reopens at Quneitra",
    body_text: str = "The crossing at Quneitra reopened this morning.",
    body_html: str | None = None,
    origin: str = "USA",
    status: Status = Status.RELEASED,
    releasable_to: frozenset[str] | None = None,
    published_at: datetime | None = None,
    **fields,
) -> Article:
    """An article as ingest leaves it: released to the whole cell unless told otherwise, indexed, flushed."""
    article = Article(
        origin_party=origin,
        created_by="test",
        status=status,
        releasable_to=CELL - {origin} if releasable_to is None else releasable_to,
        source_name=fields.pop("source_name", "Illustrative Wire"),
        title=title,
        content_hash=hashlib.sha256(f"{title}\n{body_text}".encode()).hexdigest(),
        published_at=published_at or utcnow(),
        summary=fields.pop("summary", ""),
        body_html=body_html if body_html is not None else f"<p>{body_text}</p>",
        body_text=body_text,
        ingested_at=utcnow(),
        **fields,
    )
    session.add(article)
    session.flush()
    index_article(session, article)
    return article


def make_probe_article(session: Session, state: EnvelopeState) -> str:
    """An article in the matrix's envelope state, for `MatrixCase.create`."""
    envelope = envelope_of(state)
    article = make_article(
        session,
        title=f"Probe {state.label}",
        origin=envelope["origin_party"],
        status=envelope["status"],
        releasable_to=envelope["releasable_to"],
    )
    return str(article.id)


def make_link(
    session: Session, *, article: Article, target_kind: str, target_id: uuid.UUID | str, **fields
) -> ArticleLink:
    """A suggested link, with the envelope of its article (as the suggester writes it)."""
    link = ArticleLink(
        origin_party=article.origin_party,
        created_by="test",
        status=article.status,
        releasable_to=article.releasable_to,
        article_id=article.id,
        target_kind=target_kind,
        target_id=uuid.UUID(str(target_id)),
        reason=fields.pop("reason", "same place, 3 h apart"),
        **fields,
    )
    session.add(link)
    session.flush()
    return link
