"""What a reader may see of the desk: reports, their objects, TAXII pages, exports. All through the one
rule (access/rule.py); a report or object the reader may not read does not exist for it.

Retracted objects are withdrawn: their report stays listed to its readers with the reason, but no TAXII
page or export serves their bodies.
"""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.errors import Invalid, NotFound
from fusioncell.i18n import N_
from fusioncell.intel.collections import Collection
from fusioncell.intel.models import IntelObject, IntelReport, ReportKind
from fusioncell.intel.timestamps import normalise

MAX_PAGE = 1000


@dataclass(frozen=True)
class ObjectFilter:
    added_after: datetime | None = None
    ids: frozenset[str] = frozenset()  # match[id]
    types: frozenset[str] = frozenset()  # match[type]
    versions: frozenset[str] = frozenset({"last"})  # "last" | "first" | "all" | STIX timestamps
    spec_versions: frozenset[str] = frozenset()  # match[spec_version]
    after: int | None = None  # the seq of the last object served (TAXII `next`)
    limit: int = 100


@dataclass(frozen=True)
class StoredObject:
    seq: int
    stix_id: str
    stix_type: str
    version: str
    spec_version: str
    date_added: datetime
    body: str


@dataclass(frozen=True)
class ObjectPage:
    objects: list[StoredObject]
    more: bool


def served_objects(subject: Subject) -> Select:
    """Objects the subject may read and that are not withdrawn."""
    return select(IntelObject).where(readable(subject, IntelObject), IntelObject.status != Status.RETRACTED)


def _version_clause(versions: frozenset[str]):
    if "all" in versions:
        return None
    clauses = []
    if "last" in versions:
        clauses.append(IntelObject.is_latest.is_(True))
    if "first" in versions:
        first = aliased(IntelObject)
        earliest = (
            select(func.min(first.version))
            .where(first.stix_id == IntelObject.stix_id, first.origin_party == IntelObject.origin_party)
            .scalar_subquery()
        )
        clauses.append(IntelObject.version == earliest)
    stamps = set()
    for text in versions - {"last", "first"}:
        try:
            stamps.add(normalise(text))
        except ValueError as exc:
            raise Invalid(
                N_("match[version]: {exc}"), exc=exc, details=[{"field": "match[version]", "problem": str(exc)}]
            ) from exc
    if stamps:
        clauses.append(IntelObject.version.in_(sorted(stamps)))
    return or_(*clauses)


def collection_objects(
    session: Session, *, subject: Subject, collection: Collection, filter: ObjectFilter
) -> ObjectPage:
    """One page of a collection's objects the subject may read, in the order they were added."""
    query = served_objects(subject).where(IntelObject.collection == collection.code)
    if filter.added_after is not None:
        query = query.where(IntelObject.added_at > filter.added_after)
    if filter.ids:
        query = query.where(IntelObject.stix_id.in_(sorted(filter.ids)))
    if filter.types:
        query = query.where(IntelObject.stix_type.in_(sorted(filter.types)))
    if filter.spec_versions:
        query = query.where(IntelObject.spec_version.in_(sorted(filter.spec_versions)))
    versions = _version_clause(filter.versions)
    if versions is not None:
        query = query.where(versions)
    if filter.after is not None:
        query = query.where(IntelObject.seq > filter.after)
    limit = max(1, min(filter.limit, MAX_PAGE))
    rows = session.execute(
        query.with_only_columns(
            IntelObject.seq,
            IntelObject.stix_id,
            IntelObject.stix_type,
            IntelObject.version,
            IntelObject.spec_version,
            IntelObject.added_at,
            IntelObject.body,
        )
        .order_by(IntelObject.seq)
        .limit(limit + 1)
    ).all()
    return ObjectPage(objects=[StoredObject(*row) for row in rows[:limit]], more=len(rows) > limit)


# --- reports ---


@dataclass(frozen=True)
class ReportFilters:
    status: Status | None = None
    kind: ReportKind | None = None
    party: str | None = None  # the author party
    awaiting: str | None = None  # "mediator" (pending review) | "second-officer" (RED, asked to release)


def readable_reports(session: Session, *, subject: Subject, filters: ReportFilters) -> Select:
    query = select(IntelReport).where(readable(subject, IntelReport))
    if filters.status is not None:
        query = query.where(IntelReport.status == filters.status)
    if filters.kind is not None:
        query = query.where(IntelReport.kind == filters.kind)
    else:  # links and answers are shown with what they link or answer
        query = query.where(IntelReport.kind.in_([ReportKind.REPORT, ReportKind.TEARLINE, ReportKind.UPLOAD]))
    if filters.party is not None:
        query = query.where(IntelReport.origin_party == filters.party)
    if filters.awaiting == "mediator":
        query = query.where(IntelReport.status == Status.PENDING)
    elif filters.awaiting == "second-officer":
        query = query.where(IntelReport.status == Status.DRAFT, IntelReport.release_requested_by.is_not(None))
    return query


def report_page(
    session: Session, *, subject: Subject, filters: ReportFilters, cursor: uuid.UUID | None, limit: int
) -> tuple[list[IntelReport], uuid.UUID | None]:
    """Newest first; the cursor is the last id of the previous page."""
    query = readable_reports(session, subject=subject, filters=filters)
    if cursor is not None:
        query = query.where(IntelReport.id < cursor)
    rows = list(session.execute(query.order_by(IntelReport.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def readable_report(session: Session, *, subject: Subject, report_id: uuid.UUID) -> IntelReport:
    """The report, if the subject may read it; otherwise 404, the same as for one that does not exist."""
    report = session.execute(
        select(IntelReport).where(IntelReport.id == report_id, readable(subject, IntelReport))
    ).scalar_one_or_none()
    if report is None:
        raise NotFound()
    return report


def objects_of(session: Session, report: IntelReport) -> list[dict]:
    """A readable report's objects (the caller checked it may read the report), in stored order."""
    bodies = session.execute(
        select(IntelObject.body).where(IntelObject.report_id == report.id).order_by(IntelObject.seq)
    ).scalars()
    return [json.loads(body) for body in bodies]


def answers_to(session: Session, *, subject: Subject, report: IntelReport) -> list[IntelReport]:
    """Sightings and opinions on a report the subject may read: those the rule lets it read."""
    query = select(IntelReport).where(
        IntelReport.answers_id == report.id,
        IntelReport.kind.in_([ReportKind.SIGHTING, ReportKind.OPINION]),
        readable(subject, IntelReport),
    )
    return list(session.execute(query.order_by(IntelReport.id)).scalars())


def tearline_links(session: Session, *, subject: Subject, report: IntelReport) -> list[IntelReport]:
    """The derived-from links that name this report (as original or tearline), readable by the subject.
    A link is held under the original's audience: a reader of the tearline alone never sees it."""
    query = select(IntelReport).where(
        IntelReport.kind == ReportKind.TEARLINE_LINK,
        (IntelReport.derived_from_id == report.id) | (IntelReport.answers_id == report.id),
        readable(subject, IntelReport),
    )
    return list(session.execute(query.order_by(IntelReport.id)).scalars())


def exported_rows(session: Session, *, subject: Subject, batch: int = 1000) -> Iterator[tuple[str, str, frozenset]]:
    """(body, author party, releasable_to) of every object the subject may read and that is not withdrawn,
    latest versions only, in the order they were added."""
    last = 0
    while True:
        rows = session.execute(
            served_objects(subject)
            .with_only_columns(IntelObject.seq, IntelObject.body, IntelObject.origin_party, IntelObject.releasable_to)
            .where(IntelObject.seq > last, IntelObject.is_latest.is_(True))
            .order_by(IntelObject.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for seq, body, origin, releasable_to in rows:
            last = seq
            yield body, origin, releasable_to
