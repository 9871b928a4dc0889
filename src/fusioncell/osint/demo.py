"""The demo cell's illustrative articles, so the reading list, search and digest show something on first run.

Each goes through the ingest's own preparation (`ingest.prepare`: sanitised, tagged, keyed) and is stored,
indexed and recorded as the ingest stores one, but flagged `illustrative` (the ingest has no such switch: real
reading never is), with its suggested links to the demo's incidents and meetings. English, Arabic and Hebrew,
published over the last two days so today's digest has some."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.ledger.service import record_change
from fusioncell.osint.ingest import Candidate, Rejection, prepare
from fusioncell.osint.models import Article, ArticleLink
from fusioncell.osint.search import index_article
from fusioncell.osint.suggestions import suggest_links
from fusioncell.osint.tagging import Tagger

# (who reads it in, hours ago, language, title, body HTML, link as the outlet gave it, released to; None: all)
ARTICLES = (
    ("usa", 2, "en", "Crossing at Quneitra reopens to UNDOF convoys",
     "<p>The crossing at <b>Quneitra</b> reopened on Monday to UNDOF convoys after talks between Israeli and "
     "Syrian officers under US supervision.</p><p>Details: <a href=\"https://news.example/quneitra\">report</a>."
     "</p>", "https://news.example/2026/quneitra-crossing", None),
    ("syr", 5, "ar", "إعادة فتح معبر القنيطرة أمام قوافل أندوف",
     "<p>أعيد فتح معبر القنيطرة صباح اليوم أمام قوافل الأمم المتحدة بعد محادثات بين الضباط.</p>",
     "https://akhbar.example/quneitra", None),
    ("isr", 7, "he", "המעבר בקוניטרה נפתח מחדש לשיירות האו\"ם",
     "<p>המעבר בקוניטרה נפתח מחדש הבוקר לשיירות של אונדו\"ף, לאחר שיחות בפיקוח אמריקאי.</p>",
     "https://https://hadashot.example/quneitra", None),  # a malformed link: kept as text
    ("usa", 30, "en", "Shelling reported near the area of separation",
     "<p>Residents near Quneitra reported shelling overnight; UNDOF observers were sent to verify.</p>"
     "<script>alert('never runs')</script>", "https://wire.example/shelling", None),
    ("isr", 40, "en", "Analysts weigh the economic zone's first projects",
     "<p>Investment in the joint economic zone drew envoys from Paris and Amman.</p>",
     "https://business.example/zone", ("USA",)),
)  # fmt: skip


def seed_demo_articles(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    readers = {"usa": usa, "isr": isr, "syr": syr}
    tagger = Tagger(cell)
    now = utcnow()
    for who, hours, language, title, body, link, audience in ARTICLES:
        candidate = Candidate(
            where="demo",
            title=ILLUSTRATIVE + title,
            link=link,
            published_at=now - timedelta(hours=hours),
            language=language,
            body_html=body,
            source_name="Illustrative press review",
        )
        subject = readers[who]
        releasable_to = cell.party_codes - {subject.party} if audience is None else frozenset(audience)
        article = _store(session, subject=subject, candidate=candidate, tagger=tagger, releasable_to=releasable_to)
        _suggest(session, subject=subject, cell=cell, articles=[article])


def _store(
    session: Session, *, subject: Subject, candidate: Candidate, tagger: Tagger, releasable_to: frozenset
) -> Article:
    ready = prepare(candidate, source=None, tagger=tagger)
    if isinstance(ready, Rejection):
        raise ValueError(f"an illustrative article was rejected: {ready.reason}")
    article = Article(
        origin_party=subject.party,
        created_by=subject.username,
        status=Status.RELEASED,
        releasable_to=releasable_to,
        marking=Marking.CLEAR,
        link_key=ready.link_key,
        guid_key=ready.guid_key,
        ingested_at=utcnow(),
        illustrative=True,
        **ready.values,
    )
    session.add(article)
    record_change(session, record=article, action="create", actor=subject.username, party=subject.party)
    index_article(session, article)
    return article


def _suggest(session: Session, *, subject: Subject, cell: CellDefinition, articles: list[Article]) -> None:
    for article, kind, target, reason in suggest_links(session, subject=subject, cell=cell, articles=articles):
        link = ArticleLink(
            origin_party=subject.party,
            created_by=subject.username,
            status=Status.RELEASED,
            releasable_to=article.releasable_to,
            marking=article.marking,
            article_id=article.id,
            target_kind=kind,
            target_id=target,
            reason=reason,
        )
        session.add(link)
        record_change(session, record=link, action="suggest", actor=subject.username, party=subject.party)
