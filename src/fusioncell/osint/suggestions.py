"""Suggested links from articles to the cell's records, for an analyst to confirm or dismiss.

A meeting held at a place an article names, on the article's day or the day before (UTC); an incident within
INCIDENT_KM of a place it names, within INCIDENT_HOURS of its publication. Only records the ingesting party
may read are considered (the releasability rule's filter), so a suggestion never shows a party what it could
not read. Records are fetched once per batch of articles (one query per kind over the batch's time span) and
matched in memory: ingest speed does not depend on how many articles name places."""

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import envelope_naming, readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.incidents.models import Incident
from fusioncell.osint.models import Article, ArticleLink

INCIDENT_KM = 10.0
INCIDENT_HOURS = 48
Suggestion = tuple[Article, str, uuid.UUID, str]  # (article, target kind, target id, reason)


def suggest_links(session: Session, *, subject: Subject, cell: CellDefinition, articles: list[Article]) -> list:
    """(article, target kind, target id, reason) for each record an article of the batch may concern."""
    dated = [a for a in articles if a.places and a.published_at is not None]
    if not dated:
        return []
    first = min(a.published_at for a in dated)
    last = max(a.published_at for a in dated)
    return _meetings(session, subject=subject, cell=cell, articles=dated, span=(first, last)) + _incidents(
        session, subject=subject, cell=cell, articles=dated, span=(first, last)
    )


TARGET_MODELS = {"meeting": Meeting, "incident": Incident}


def link_envelope(
    session: Session, *, cell: CellDefinition, article: Article, kind: str, target_id: uuid.UUID
) -> tuple[str, frozenset]:
    """The status and audience of a suggested link: those of the article's readers who may also read the target
    (the one rule decides). A link names its target's id in the record, so it never reaches anyone else."""
    target = session.get(TARGET_MODELS[kind], target_id)
    return envelope_naming(target, audience=frozenset(article.releasable_to), mediator=cell.mediator.code)


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _meetings(session: Session, *, subject, cell, articles: list[Article], span) -> list[Suggestion]:
    places = sorted({code for a in articles for code in a.places})
    rows = session.execute(
        select(Meeting.id, Meeting.place_code, Meeting.starts_at, Meeting.ends_at).where(
            readable(subject, Meeting),
            Meeting.status != Status.RETRACTED,
            Meeting.place_code.in_(places),
            Meeting.starts_at < _day(span[1]) + timedelta(days=1),
            Meeting.ends_at >= _day(span[0]) - timedelta(days=1),
        )
    ).all()
    found = []
    for article in articles:
        day = _day(article.published_at)  # by calendar day: an article dated only by its day still matches
        for meeting_id, place_code, starts_at, ends_at in rows:
            if (
                place_code in article.places
                and starts_at < day + timedelta(days=1)
                and ends_at >= day - timedelta(days=1)
            ):
                name = cell.place(place_code).names.en
                reason = f"a meeting in {name} on {starts_at:%Y-%m-%d}; the article names {name}"
                found.append((article, "meeting", meeting_id, reason))
    return found


def _incidents(session: Session, *, subject, cell, articles: list[Article], span) -> list[Suggestion]:
    window = timedelta(hours=INCIDENT_HOURS)
    rows = session.execute(
        select(Incident.id, Incident.lat, Incident.lon, Incident.occurred_at).where(
            readable(subject, Incident),
            Incident.status != Status.RETRACTED,
            Incident.occurred_at.between(span[0] - window, span[1] + window),
        )
    ).all()
    found = []
    for article in articles:
        seen = set()
        for place in (cell.place(code) for code in article.places):
            for incident_id, lat, lon, occurred_at in rows:
                hours = abs((article.published_at - occurred_at).total_seconds()) / 3600
                if incident_id in seen or hours > INCIDENT_HOURS:
                    continue
                km = distance_km(place.lat, place.lon, lat, lon)
                if km <= INCIDENT_KM:
                    seen.add(incident_id)
                    reason = f"{km:.1f} km from {place.names.en}, {hours:.0f} h apart"
                    found.append((article, "incident", incident_id, reason))
    return found


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): metres do not matter at this scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def existing_targets(session: Session, *, articles: list[Article]) -> set[tuple[uuid.UUID, str, uuid.UUID]]:
    """(article id, kind, target id) already suggested for these articles: a new version suggests nothing twice."""
    ids = [a.id for a in articles if a.version > 1]
    if not ids:
        return set()
    rows = session.execute(
        select(ArticleLink.article_id, ArticleLink.target_kind, ArticleLink.target_id).where(
            ArticleLink.article_id.in_(ids)
        )
    ).all()
    return {(article_id, kind, target) for article_id, kind, target in rows}
