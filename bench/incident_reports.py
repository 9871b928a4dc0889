"""Synthetic reports of the de-escalation desk, and the classify-and-fuse stage of bench/incidents.py.

The reports are seeded: over the Golan, clustered at the cell's places and along the lines as well as spread
evenly, with a share of events reported a second time by another party (the duplicates fusion should find).
"""

import argparse
import itertools
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console

from fusioncell.cell.definition import CellDefinition
from fusioncell.fusion.matching import SightingIndex, sighting
from fusioncell.incidents.classify_batch import derive_many
from fusioncell.incidents.derived import Derived, derive

TARGET_REPORTS_PER_S = 20_000  # classified and fused

# The Golan, where reports lie (inside the cell's area of interest).
SOUTH, NORTH, WEST, EAST = 32.7, 33.45, 35.6, 36.1
REPORTERS = {"ISR": 0.35, "SYR": 0.35, "UNDOF": 0.20, "USA": 0.10}  # who files reports
USERS = {"ISR": ("isr.liaison", "isr.deesc1", "isr.deesc2"), "SYR": ("syr.liaison", "syr.deesc", "syr.deesc2")}
USERS |= {"UNDOF": ("undof.observer", "undof.ogg1", "undof.ogg2"), "USA": ("usa.mediator", "usa.deesc")}
ACTORS = {"ISR": 0.4, "SYR": 0.35, None: 0.2, "USA": 0.05}
SEVERITIES = {1: 30, 2: 30, 3: 20, 4: 12, 5: 8}
TIME_PRECISION = {"exact": 0.70, "hour": 0.20, "day": 0.07, "week": 0.03}
GEO_PRECISION = {"exact": 0.60, "near": 0.30, "region": 0.10}
# What the desk sees most; every other type of the cell turns up too, less often.
COMMON_TYPES = {
    "armed-clash": 6,
    "shelling-artillery-missile-attack": 6,
    "air-drone-strike": 5,
    "aos-incursion": 5,
    "crossing-of-the-line": 4,
    "firing-into-the-aos": 4,
    "attack": 3,
    "arrests": 3,
    "remote-explosive-landmine-ied": 2,
    "peaceful-protest": 2,
}
END = datetime(2026, 11, 1, tzinfo=UTC)  # the synthetic history ends here (the map's, at the run's start)

console = Console(stderr=True)


# --- synthetic reports ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    key: int
    origin: str
    username: str
    created_at: datetime  # when it was filed
    occurred_at: datetime
    occurred_until: datetime | None
    time_precision: str
    geo_precision: str
    location: dict[str, Any]
    type: str
    actor: str | None
    severity: int


def pick(rng: random.Random, shares: dict) -> Any:
    """A key drawn by its share (random.choices costs several times more for these few keys)."""
    x = rng.random() * sum(shares.values())
    last = None
    for last, share in shares.items():
        x -= share
        if x < 0:
            return last
    return last  # rounding left x at or just above 0: the last key


class Reporter:
    """Seeded synthetic reports around the Golan: clustered at places and along the lines as well as
    spread over the area, with a share of events reported twice by different parties."""

    def __init__(self, cell: CellDefinition, seed: int) -> None:
        self.cell = cell
        self.rng = random.Random(seed)
        codes = [t.code for t in cell.incident_types]
        self.types = codes
        self.type_weights = list(itertools.accumulate(COMMON_TYPES.get(code, 1) for code in codes))
        self.event_type = {t.code: t.parent or t.code for t in cell.incident_types}
        self.siblings: dict[str, list[str]] = {}
        for code, parent in self.event_type.items():
            self.siblings.setdefault(parent, []).append(code)
        self.places = [(p.lat, p.lon) for p in cell.places if SOUTH <= p.lat <= NORTH and WEST <= p.lon <= EAST]
        self.lines = [line.lon_lat for line in cell.lines]

    def position(self) -> tuple[float, float]:
        rng = self.rng
        draw = rng.random()
        if draw < 0.35:  # around a place, within a few km
            lat, lon = rng.choice(self.places)
            lat, lon = lat + rng.gauss(0, 0.02), lon + rng.gauss(0, 0.025)
        elif draw < 0.5:  # along a line (the AOS and either side of it)
            line = rng.choice(self.lines)
            k = rng.randrange(len(line) - 1)
            f = rng.random()
            (lon1, lat1), (lon2, lat2) = line[k], line[k + 1]
            lat, lon = lat1 + f * (lat2 - lat1), lon1 + f * (lon2 - lon1) + rng.gauss(0, 0.012)
        else:
            lat, lon = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
        return min(max(lat, SOUTH), NORTH), min(max(lon, WEST), EAST)

    def location(self, lat: float, lon: float) -> dict[str, Any]:
        if self.rng.random() < 0.01:  # an area: a field, a road section
            half = self.rng.uniform(0.002, 0.012)
            ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half]]
            ring.append([lon - half, lat + half])
            return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}
        return {"type": "Point", "coordinates": [lon, lat]}

    def one(self, key: int, occurred_at: datetime, origin: str | None = None) -> Report:
        rng = self.rng
        origin = origin or pick(rng, REPORTERS)
        lat, lon = self.position()
        time_precision = pick(rng, TIME_PRECISION)
        until = None
        if rng.random() < 0.1:  # a time window; the longer ones are too vague to propose unasked
            until = occurred_at + timedelta(minutes=rng.choice((5, 10, 20, 45, 90)))
        return Report(
            key=key,
            origin=origin,
            username=rng.choice(USERS[origin]),
            created_at=occurred_at + timedelta(minutes=rng.expovariate(1 / 20)),
            occurred_at=occurred_at,
            occurred_until=until,
            time_precision=time_precision,
            geo_precision=pick(rng, GEO_PRECISION),
            location=self.location(lat, lon),
            type=rng.choices(self.types, cum_weights=self.type_weights)[0],
            actor=pick(rng, ACTORS),
            severity=pick(rng, SEVERITIES),
        )

    def duplicate(self, key: int, of: Report) -> Report:
        """The same event from another party: a few minutes and a few hundred metres off, the same type
        or (a fifth of the time) a sibling sub-type, its own precision."""
        rng = self.rng
        origin = pick(rng, {p: s for p, s in REPORTERS.items() if p != of.origin})
        moved = timedelta(minutes=max(-15.0, min(15.0, rng.gauss(0, 5))))
        bearing, metres = rng.uniform(0, 2 * math.pi), rng.uniform(50, 800)
        lon, lat = representative(of.location)
        lat += metres * math.cos(bearing) / 111_320
        lon += metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
        kind = of.type
        if rng.random() < 0.2:
            kind = rng.choice(self.siblings[self.event_type[of.type]])
        occurred_at = of.occurred_at + moved
        return Report(
            key=key,
            origin=origin,
            username=rng.choice(USERS[origin]),
            created_at=max(of.created_at, occurred_at) + timedelta(minutes=rng.expovariate(1 / 15)),
            occurred_at=occurred_at,
            occurred_until=None,
            time_precision=pick(rng, {"exact": 0.75, "hour": 0.2, "day": 0.05}),
            geo_precision=pick(rng, {"exact": 0.6, "near": 0.35, "region": 0.05}),
            location={"type": "Point", "coordinates": [lon, lat]},
            type=kind,
            actor=of.actor,
            severity=of.severity,
        )

    def reports(self, count: int, *, end: datetime, days: float, duplicate_share: float):
        """`count` reports filed before `end` over `days`, in the order they were filed; and the planted
        duplicate pairs (key, key). `duplicate_share` of the events are reported a second time."""
        rng = self.rng
        events = round(count / (1 + duplicate_share))
        span = days * 86400
        start = end - timedelta(seconds=span)
        found: list[Report] = []
        planted: list[tuple[int, int]] = []
        for _ in range(events):
            if len(found) >= count:
                break
            first = self.one(len(found), start + timedelta(seconds=rng.uniform(0, span)))
            found.append(first)
            if len(found) < count and rng.random() < duplicate_share:
                found.append(self.duplicate(len(found), first))
                planted.append((first.key, found[-1].key))
        while len(found) < count:
            found.append(self.one(len(found), start + timedelta(seconds=rng.uniform(0, span))))
        found.sort(key=lambda r: r.created_at)
        return found, planted


def representative(location: dict[str, Any]) -> tuple[float, float]:
    if location["type"] == "Point":
        return tuple(location["coordinates"])
    ring = location["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def derive_all(cell: CellDefinition, reports: list[Report]) -> list[Derived]:
    return derive_many(
        cell,
        locations=[r.location for r in reports],
        types=[r.type for r in reports],
        actor_parties=[r.actor for r in reports],
        severities=[r.severity for r in reports],
    )


# --- 1. classify and fuse -----------------------------------------------------------------------------


def classify_and_fuse(cell: CellDefinition, reports: list[Report], chunk: int) -> dict[str, Any]:
    """What the desk does with each report as it arrives, for many: derive (zones, side, protected
    sites, violations, severity) and propose it against the reports before it (sighting, index)."""
    thresholds = cell.fusion
    event_of = {t.code: t.parent or t.code for t in cell.incident_types}
    index = SightingIndex(thresholds)
    pairs: list[tuple[int, int, float]] = []
    classify_s = fuse_s = 0.0
    eligible = 0
    derived_all: list[Derived] = []
    clock = time.perf_counter
    cpu0 = time.process_time()
    for start in range(0, len(reports), chunk):
        part = reports[start : start + chunk]
        t0 = clock()
        derived = derive_all(cell, part)
        t1 = clock()
        for r, d in zip(part, derived, strict=True):
            s = sighting(
                thresholds,
                key=r.key,
                author=(r.origin, r.username),
                occurred_at=r.occurred_at,
                occurred_until=r.occurred_until,
                time_precision=r.time_precision,
                lat=d.lat,
                lon=d.lon,
                geo_precision=r.geo_precision,
                type=r.type,
                event_type=event_of[r.type],
            )
            if s is not None:
                eligible += 1
                for other, near in index.add(s):
                    pairs.append((other.key, s.key, near.score))
        t2 = clock()
        classify_s += t1 - t0
        fuse_s += t2 - t1
        derived_all.extend(derived)
    cpu = time.process_time() - cpu0
    total = classify_s + fuse_s
    return {
        "cpu_seconds": cpu,
        "reports_per_cpu_s": len(reports) / cpu,
        "reports": len(reports),
        "chunk": chunk,
        "seconds": total,
        "classify_seconds": classify_s,
        "fuse_seconds": fuse_s,
        "reports_per_s": len(reports) / total,
        "classify_per_s": len(reports) / classify_s,
        "fuse_per_s": len(reports) / fuse_s,
        "proposable": eligible,
        "pairs": pairs,
        "derived": derived_all,
    }


def one_by_one(cell: CellDefinition, reports: list[Report]) -> float:
    """derive() per report, as the desk calls it on each save: reports per second."""
    t0 = time.perf_counter()
    for r in reports:
        derive(cell, location=r.location, type=r.type, actor_party=r.actor, severity=r.severity)
    return len(reports) / (time.perf_counter() - t0)


def run_classify(cell: CellDefinition, args: argparse.Namespace) -> dict[str, Any]:
    console.rule(f"classify and fuse: {args.reports:,} reports")
    reporter = Reporter(cell, args.seed)
    reports, planted = reporter.reports(args.reports, end=END, days=7 * args.weeks, duplicate_share=args.duplicates)
    console.log(f"{len(reports):,} reports made, {len(planted):,} duplicate pairs planted (not timed)")
    one_by_one(cell, reports[:500])  # warm: the geography is built once per process, not per report
    result = classify_and_fuse(cell, reports, args.chunk)
    # Not timed: the batch path agrees with derive on a sample (the test checks it more thoroughly).
    sample = random.Random(args.seed).sample(range(len(reports)), min(2000, len(reports)))
    for i in sample:
        r = reports[i]
        one = derive(cell, location=r.location, type=r.type, actor_party=r.actor, severity=r.severity)
        if one != result["derived"][i]:
            raise SystemExit(f"derive_many and derive disagree on report {r.key}: the benchmark is broken")
    single = one_by_one(cell, reports[: min(20_000, len(reports))])

    by_key = {r.key: r for r in reports}
    found = {frozenset((a, b)) for a, b, _ in result["pairs"]}
    planted_set = {frozenset(p) for p in planted}
    thresholds = cell.fusion

    def proposable(key: int) -> bool:
        r = by_key[key]
        window = 0 if r.occurred_until is None else (r.occurred_until - r.occurred_at).total_seconds()
        return (
            r.time_precision in ("exact", "hour")
            and r.geo_precision in ("exact", "near")
            and window <= thresholds.window_minutes * 60
        )

    eligible = [p for p in planted if proposable(p[0]) and proposable(p[1])]
    hits = planted_set & found
    result.update(
        planted=len(planted),
        planted_proposable=len(eligible),
        planted_found=len(hits),
        found_pairs=len(found),
        other_pairs=len(found - planted_set),
        one_by_one_per_s=single,
        sampled_agreement=len(sample),
    )
    del result["derived"], result["pairs"]
    console.log(
        f"{result['reports_per_s']:,.0f} reports/s (classify {result['classify_per_s']:,.0f}/s, fuse "
        f"{result['fuse_per_s']:,.0f}/s); {len(hits):,} of {len(eligible):,} proposable planted pairs found"
    )
    return result
