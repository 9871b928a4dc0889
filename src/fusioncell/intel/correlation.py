"""Correlation: which other reports share an observable value, a threat actor, or a place and time with
this one — as far as the reader may read them.

Parties meet in the cell to learn that their pictures overlap, but a correlation must never become a
side channel: "something else you cannot see matches" would tell SYR that ISR reported the address to
the mediator. So every join here runs over reports the releasability rule lets the reader read, and
every count counts only those; the mediator, reading everything that is not another party's draft,
sees every cross-party overlap. A value that too many readable reports share (a public resolver, a
famous group, a busy town) is flagged as common, with its count, instead of exploding into links.

Everything is joined in SQL on `intel_keys` (indexed by kind and key, and by kind and latitude); Python
only measures the few places a bounding box let through and orders what came back.
"""

import math
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.intel import CorrelationLimits
from fusioncell.intel.models import IntelKey, IntelReport, KeyKind, ReportKind

# Reports that say something of their own; links and answers are shown with what they link or answer.
CORRELATED_KINDS = (ReportKind.REPORT, ReportKind.TEARLINE, ReportKind.UPLOAD)
EARTH_KM = 6371.0088  # mean radius
CHUNK = 500  # bound parameters per IN list


@dataclass(frozen=True)
class Link:
    """One other report this one correlates with."""

    report_id: uuid.UUID
    title: str
    origin_party: str
    kind: str
    status: str
    shared: list[str]  # readable: "ipv4-addr:198.51.100.7", "actor: liwa al-test", "place: 2.1 km, 5 h apart"


@dataclass(frozen=True)
class CommonValue:
    """A value shared by more readable reports than the cap: flagged, not exploded into links."""

    kind: str  # value / actor / place
    key: str
    reports: int  # readable reports sharing it, this one included; never counts what the reader may not read


@dataclass(frozen=True)
class Correlations:
    links: list[Link]  # most shared keys first, then newest
    common: list[CommonValue]


@dataclass
class _Match:
    """What one other report shares with this one, gathered before it becomes a Link."""

    title: str
    origin_party: str
    kind: str
    status: str
    created_at: datetime
    shared: list[str] = field(default_factory=list)


# The columns of another report a Link shows, and its age for the order.
_OTHER = (
    IntelReport.id,
    IntelReport.title,
    IntelReport.origin_party,
    IntelReport.kind,
    IntelReport.status,
    IntelReport.created_at,
)


def correlations_for(session: Session, *, cell: CellDefinition, subject: Subject, report: IntelReport) -> Correlations:
    """The reports `subject` may read that correlate with `report` (which the caller checked it may read)."""
    limits, keys = cell.intel.correlation, _keys_of(session, report)
    found: dict[uuid.UUID, _Match] = {}
    common = []
    for kind in (KeyKind.VALUE, KeyKind.ACTOR):
        names = sorted({k.key for k in keys if k.kind == kind})
        common += _shared_values(
            session, subject=subject, report=report, kind=kind, keys=names, limits=limits, found=found
        )
    places = [k for k in keys if k.kind == KeyKind.PLACE and None not in (k.lat, k.lon, k.at)]
    common += _shared_places(session, subject=subject, report=report, places=places, limits=limits, found=found)
    links = [
        Link(rid, m.title, m.origin_party, str(m.kind), str(m.status), sorted(m.shared, key=_shared_order))
        for rid, m in sorted(found.items(), key=lambda item: (len(item[1].shared), item[1].created_at, item[0]))
    ]
    links.reverse()
    common.sort(key=lambda c: (-c.reports, c.kind, c.key))
    return Correlations(links=links, common=common)


def _keys_of(session: Session, report: IntelReport) -> list:
    """This report's keys, by its id alone (so every planner takes the report_id index)."""
    return session.execute(
        select(IntelKey.kind, IntelKey.key, IntelKey.lat, IntelKey.lon, IntelKey.at).where(
            IntelKey.report_id == report.id
        )
    ).all()


def _shared_order(label: str) -> tuple[int, str]:
    """Values, then actors, then places."""
    return (2 if label.startswith("place: ") else 1 if label.startswith("actor: ") else 0, label)


def _readable_others(subject: Subject, report: IntelReport) -> ColumnElement[bool]:
    """Reports other than this one that the subject may read and that say something of their own."""
    return and_(
        IntelReport.id != report.id,
        IntelReport.kind.in_([str(k) for k in CORRELATED_KINDS]),
        readable(subject, IntelReport),
    )


def _note(found: dict[uuid.UUID, _Match], row, label: str) -> None:
    rid, title, origin, kind, status, created_at = row[:6]
    match = found.setdefault(rid, _Match(title, origin, kind, status, created_at))
    if label not in match.shared:
        match.shared.append(label)


# --- observable values and threat actors ---


def _label(kind: str, key: str) -> str:
    return f"actor: {key}" if kind == KeyKind.ACTOR else key


def _shared_values(
    session: Session, *, subject: Subject, report: IntelReport, kind: KeyKind, keys: list[str], limits, found
) -> list[CommonValue]:
    """Count, per value (or actor) of this report, the other readable reports carrying it; link those under
    the cap, flag the rest."""
    common, linkable = [], []
    for key, others in _value_counts(session, subject=subject, report=report, kind=kind, keys=keys):
        if others + 1 > limits.cap_per_value:  # this report and the others
            common.append(CommonValue(str(kind), key, others + 1))
        else:
            linkable.append(key)
    for chunk in _chunks(sorted(linkable)):
        rows = session.execute(
            select(*_OTHER, IntelKey.key)
            .join(IntelReport, IntelReport.id == IntelKey.report_id)
            .where(IntelKey.kind == str(kind), IntelKey.key.in_(chunk), _readable_others(subject, report))
        )
        for row in rows:
            _note(found, row, _label(kind, row.key))
    return common


def _value_counts(
    session: Session, *, subject: Subject, report: IntelReport, kind: KeyKind, keys: list[str]
) -> Iterator[tuple[str, int]]:
    """(key, other readable reports carrying it) for those of `keys` that another readable report carries."""
    for chunk in _chunks(keys):
        yield from session.execute(
            select(IntelKey.key, func.count(func.distinct(IntelKey.report_id)))
            .join(IntelReport, IntelReport.id == IntelKey.report_id)
            .where(IntelKey.kind == str(kind), IntelKey.key.in_(chunk), _readable_others(subject, report))
            .group_by(IntelKey.key)
        ).all()


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- places in a time window ---


def _shared_places(
    session: Session, *, subject: Subject, report: IntelReport, places: list, limits: CorrelationLimits, found
) -> list[CommonValue]:
    """Other readable reports with a place within `place_km` and `window_hours` of one of this report's."""
    common = []
    for _, label, lat, lon, at in places:
        near: dict[uuid.UUID, tuple[float, float, tuple]] = {}  # report -> (km, hours, row)
        for row in session.execute(_near_query(subject, report, lat, lon, at, limits)):
            km = haversine_km(lat, lon, row.lat, row.lon)
            if km > limits.place_km:
                continue  # inside the box, outside the circle
            hours = abs((row.at - at).total_seconds()) / 3600
            if row.id not in near or (km, hours) < near[row.id][:2]:
                near[row.id] = (km, hours, row)
        if len(near) + 1 > limits.cap_per_value:
            common.append(CommonValue(str(KeyKind.PLACE), label or f"{lat:.3f}, {lon:.3f}", len(near) + 1))
            continue
        for km, hours, row in near.values():
            _note(found, row, f"place: {km:.1f} km, {round(hours, 1):g} h apart")
    return common


def _near_query(
    subject: Subject, report: IntelReport, lat: float, lon: float, at: datetime, limits: CorrelationLimits
) -> Select:
    """Readable places in the bounding box of the circle and within the time window."""
    window = timedelta(hours=limits.window_hours)
    dlat = math.degrees(limits.place_km / EARTH_KM)
    return (
        select(*_OTHER, IntelKey.lat, IntelKey.lon, IntelKey.at)
        .join(IntelReport, IntelReport.id == IntelKey.report_id)
        .where(
            IntelKey.kind == str(KeyKind.PLACE),
            IntelKey.lat.between(lat - dlat, lat + dlat),
            *_longitudes(lat, lon, limits.place_km),
            IntelKey.at.between(at - window, at + window),
            _readable_others(subject, report),
        )
    )


def _longitudes(lat: float, lon: float, km: float) -> Iterable[ColumnElement[bool]]:
    """The box's longitude clause: exact for a circle on the sphere, wrapped at the antimeridian, none at a pole."""
    angular = km / EARTH_KM
    if math.sin(angular) >= math.cos(math.radians(lat)):
        return []  # the circle holds a pole: every longitude
    dlon = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(lat))))
    low, high = lon - dlon, lon + dlon
    if low < -180:
        return [or_(IntelKey.lon >= low + 360, IntelKey.lon <= high)]
    if high > 180:
        return [or_(IntelKey.lon >= low, IntelKey.lon <= high - 360)]
    return [IntelKey.lon.between(low, high)]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))
