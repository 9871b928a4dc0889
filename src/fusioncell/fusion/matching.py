"""Which incident reports may be one event: close enough in time, in space and in type.

One test, used two ways: the desk compares a new report with the stored ones nearby (service.py), and the
bench (bench/incidents.py) runs the same test over an in-memory index of many reports. Neither decides
anything: a match is only put before the mediator.
"""

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from fusioncell.cell.fusion import FusionThresholds

KM_PER_DEGREE = 111.32  # of latitude, and of longitude at the equator
# Longitude degrees shrink towards the poles; index cells are sized for this latitude so that a
# neighbour search never misses a match nearer the equator than it.
INDEX_LATITUDE_LIMIT = 60.0


@dataclass(frozen=True, slots=True)
class Sighting:
    """A report as fusion compares it."""

    key: Hashable  # the incident's id
    author: tuple[str, str]  # (origin party, username): one author's reports are never each other's duplicate
    starts: float  # occurred_at, seconds since the epoch
    ends: float  # the end of its time window (== starts for a moment)
    lat: float
    lon: float
    type: str
    event_type: str  # the type's event type (itself for an event type)
    slack_minutes: float  # allowance for a time known only to the hour
    slack_km: float  # allowance for a place known only as "near"


@dataclass(frozen=True, slots=True)
class Proximity:
    minutes_apart: float  # between the two time windows (0 when they overlap)
    km_apart: float
    score: float  # 1: same moment and place; towards 0: at the thresholds


def sighting(
    thresholds: FusionThresholds,
    *,
    key: Hashable,
    author: tuple[str, str],
    occurred_at: datetime,
    occurred_until: datetime | None,
    time_precision: str,
    lat: float,
    lon: float,
    geo_precision: str,
    type: str,
    event_type: str,
) -> Sighting | None:
    """The report as fusion compares it, or None when it is too vague to propose unasked (known only to
    the day or coarser, only by region, or over a time window longer than the fusion window)."""
    if time_precision not in ("exact", "hour") or geo_precision not in ("exact", "near"):
        return None
    starts = occurred_at.timestamp()
    ends = starts if occurred_until is None else occurred_until.timestamp()
    if ends - starts > thresholds.window_minutes * 60:
        return None
    return Sighting(
        key=key,
        author=author,
        starts=starts,
        ends=ends,
        lat=lat,
        lon=lon,
        type=type,
        event_type=event_type,
        slack_minutes=thresholds.hour_precision_minutes if time_precision == "hour" else 0.0,
        slack_km=thresholds.near_precision_km if geo_precision == "near" else 0.0,
    )


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: within a few kilometres, as exact as the reports themselves."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6371.0088


def proximity(a: Sighting, b: Sighting, thresholds: FusionThresholds) -> Proximity | None:
    """How close two reports lie, or None if they are not close enough to be one event."""
    if a.author == b.author:
        return None
    if a.type != b.type and not (thresholds.across_sub_types and a.event_type == b.event_type):
        return None
    minutes = max(0.0, b.starts - a.ends, a.starts - b.ends) / 60
    minutes_limit = thresholds.window_minutes + a.slack_minutes + b.slack_minutes
    if minutes > minutes_limit:
        return None
    km = km_between(a.lat, a.lon, b.lat, b.lon)
    km_limit = thresholds.distance_km + a.slack_km + b.slack_km
    if km > km_limit:
        return None
    score = 1 - 0.5 * minutes / minutes_limit - 0.5 * km / km_limit - (0.1 if a.type != b.type else 0)
    return Proximity(minutes_apart=round(minutes, 1), km_apart=round(km, 3), score=round(max(score, 0.0), 3))


@dataclass(frozen=True)
class SearchBox:
    """How far around a report its matches can lie, at most: for a database query or an index cell."""

    seconds: float
    lat_degrees: float
    lon_degrees: float


def search_box(thresholds: FusionThresholds, latitude: float = INDEX_LATITUDE_LIMIT) -> SearchBox:
    """The widest reach of a match (both reports at their largest allowances), starts to starts."""
    minutes = thresholds.window_minutes * 2 + thresholds.hour_precision_minutes * 2  # + one window's length
    km = thresholds.distance_km + thresholds.near_precision_km * 2
    lat_degrees = km / KM_PER_DEGREE
    return SearchBox(
        seconds=minutes * 60,
        lat_degrees=lat_degrees,
        lon_degrees=lat_degrees / math.cos(math.radians(min(abs(latitude), INDEX_LATITUDE_LIMIT))),
    )


class SightingIndex:
    """Reports bucketed by type, time and place, so that each new one is compared only with its neighbours
    of a type it may match (most comparisons across types would fail on the type alone)."""

    def __init__(self, thresholds: FusionThresholds) -> None:
        self.thresholds = thresholds
        self.box = search_box(thresholds)
        self._cells: dict[tuple[str, int, int, int], list[Sighting]] = defaultdict(list)

    def _cell(self, s: Sighting) -> tuple[str, int, int, int]:
        box = self.box
        kind = s.event_type if self.thresholds.across_sub_types else s.type
        return kind, int(s.starts // box.seconds), int(s.lat // box.lat_degrees), int(s.lon // box.lon_degrees)

    def add(self, s: Sighting) -> list[tuple[Sighting, Proximity]]:
        """Index a report; return the reports already indexed that it may duplicate, closest first."""
        kind, t, y, x = self._cell(s)
        found = []
        cells = self._cells
        for dt in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for other in cells.get((kind, t + dt, y + dy, x + dx), ()):
                        near = proximity(s, other, self.thresholds)
                        if near is not None:
                            found.append((other, near))
        cells[(kind, t, y, x)].append(s)
        found.sort(key=lambda pair: -pair[1].score)
        return found
