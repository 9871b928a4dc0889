"""`derive` for many reports at once: the same `Derived` for each, from a few array passes over all the points.

`derived.derive` places one location per call (a transform, a handful of GEOS calls, the rules): about
60 µs a point, fine for a report filed by hand, too slow for an import or a replay of many thousands.
Here every Point is placed by `Geography.place_points` and judged by `Geography.point_violations` in
one go; anything that is not a plain 2-D Point with finite coordinates (an area, a malformed point) goes
through `derive` itself, so it is classified, or refused, exactly as one report would be.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fusioncell.cell.definition import CellDefinition
from fusioncell.geo.service import geography_for
from fusioncell.incidents.derived import DECIMALS, KM_DECIMALS, Derived, derive


def derive_many(
    cell: CellDefinition,
    *,
    locations: Sequence[dict[str, Any]],
    types: Sequence[str],
    actor_parties: Sequence[str | None],
    severities: Sequence[int],
) -> list[Derived]:
    """`[derive(cell, location=l, type=t, actor_party=p, severity=s) for l, t, p, s in zip(...)]`, faster.

    Raises what `derive` raises for a report it would refuse (an unknown type or party, a shape that is not
    valid), and then returns nothing: a batch is classified whole or not at all."""
    count = len(locations)
    if not count == len(types) == len(actor_parties) == len(severities):
        raise ValueError(
            f"{count} locations, {len(types)} types, {len(actor_parties)} parties and {len(severities)} severities"
        )
    points, lats, lons = [], [], []
    for i, location in enumerate(locations):
        coordinates = location.get("coordinates") if location.get("type") == "Point" else None
        # Only what is certainly a plain point takes the array path; derive decides about the rest.
        if coordinates is not None and len(coordinates) == 2:
            lon, lat = float(coordinates[0]), float(coordinates[1])
            if math.isfinite(lon) and math.isfinite(lat):
                points.append(i)
                lats.append(lat)
                lons.append(lon)
    results: list[Derived | None] = [None] * count
    if points:
        geography = geography_for(cell)
        placements = geography.place_points(np.array(lats), np.array(lons))
        violations = geography.point_violations(
            placements, kinds=[types[i] for i in points], parties=[actor_parties[i] for i in points]
        )
        # Read the placements' columns directly rather than as Placement objects: derive keeps only the
        # zones, the side and the protected sites, and most points share one of a few sets of zones.
        zone_bits = placements.in_zone.astype(np.int64) @ (1 << np.arange(len(placements.zone_codes), dtype=np.int64))
        zone_sets: dict[int, frozenset[str]] = {}
        sites: list[list[dict[str, Any]]] = [[] for _ in points]
        site_codes = placements.site_codes
        for row, site, km in zip(
            placements.site_point.tolist(),
            placements.site_index.tolist(),
            placements.site_distance_km.tolist(),
            strict=True,
        ):  # by point, nearest first, as Placement.protected_sites
            sites[row].append({"place": site_codes[site], "distance_km": round(km, KM_DECIMALS)})
        # One Violation object per rule is shared by every point breaking it: its names dumped once, and
        # copied (a flat dict of strings) so that no two results share a mutable dict.
        names: dict[int, dict[str, Any]] = {}
        for row, (i, bits, side, broken) in enumerate(
            zip(points, zone_bits.tolist(), placements.side.tolist(), violations, strict=True)
        ):
            zones = zone_sets.get(bits)
            if zones is None:
                codes = placements.zone_codes
                zones = zone_sets[bits] = frozenset(c for n, c in enumerate(codes) if bits >> n & 1)
            severity = severities[i]
            floor = max((v.severity for v in broken if v.severity is not None), default=severity)
            listed = []
            for v in broken:
                dumped = names.get(id(v))
                if dumped is None:
                    dumped = names[id(v)] = v.names.model_dump()
                listed.append({"rule": v.rule, "names": dict(dumped), "severity": v.severity})
            results[i] = Derived(
                lat=round(lats[row], DECIMALS),
                lon=round(lons[row], DECIMALS),
                zones=zones,
                side=side,
                protected_sites=sites[row],
                violations=listed,
                severity=max(severity, floor),
            )
    for i, found in enumerate(results):
        if found is None:
            results[i] = derive(
                cell, location=locations[i], type=types[i], actor_party=actor_parties[i], severity=severities[i]
            )
    return results  # type: ignore[return-value]
