"""Where a report lies: one `Placement`, or `PointPlacements` for many points at once, column by column."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class NearSite(NamedTuple):
    """A protected place within the cell's radius, and how far it is."""

    place: str
    distance_km: float


@dataclass(frozen=True)
class Placement:
    zones: tuple[str, ...]  # codes of the zones it lies in (an area: reaches into), in definition order
    # Against the area between two lines (the AOS): that zone's kind when it lies in it, else
    # "<outer side>-of-<line>" (west-of-alpha, east-of-bravo); None beyond the lines' ends.
    side: str | None
    protected_sites: tuple[NearSite, ...]  # nearest first
    distance_to_lines_km: dict[str, float]
    # Per line, the sides of it ("west", "east") the location reaches; empty beyond the line's ends.
    line_sides: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class PointPlacements:
    """The placements of many points, as arrays with one row per point (`Geography.place_points`).

    Index or iterate it for `Placement`s; iterating converts each column once, so it is the fast way
    through all of them."""

    zone_codes: tuple[str, ...]
    in_zone: np.ndarray  # bool, (points, zones)
    side: np.ndarray  # object, (points,): a side label or None
    line_codes: tuple[str, ...]
    distance_to_lines_km: np.ndarray  # float, (points, lines)
    west_of: np.ndarray  # bool, (points, lines): west of the line, within its ends
    east_of: np.ndarray  # bool, (points, lines)
    site_codes: tuple[str, ...]
    # Protected sites within the radius: one row per (point, site) pair, by point then distance.
    site_point: np.ndarray  # int
    site_index: np.ndarray  # int, into site_codes
    site_distance_km: np.ndarray  # float

    def __len__(self) -> int:
        return len(self.side)

    def __getitem__(self, i: int) -> Placement:
        if not -len(self) <= i < len(self):
            raise IndexError(f"placement {i} of {len(self)}")
        i %= len(self)
        lo, hi = np.searchsorted(self.site_point, [i, i + 1])
        sites = zip(self.site_index[lo:hi].tolist(), self.site_distance_km[lo:hi].tolist(), strict=True)
        return self._placement(
            self.in_zone[i].tolist(),
            self.side[i],
            tuple(NearSite(self.site_codes[s], d) for s, d in sites),
            self.distance_to_lines_km[i].tolist(),
            self.west_of[i].tolist(),
            self.east_of[i].tolist(),
        )

    def __iter__(self) -> Iterator[Placement]:
        near: list[list[NearSite]] = [[] for _ in range(len(self))]
        for point, site, distance in zip(
            self.site_point.tolist(), self.site_index.tolist(), self.site_distance_km.tolist(), strict=True
        ):
            near[point].append(NearSite(self.site_codes[site], distance))
        columns = zip(
            self.in_zone.tolist(),
            self.side.tolist(),
            near,
            self.distance_to_lines_km.tolist(),
            self.west_of.tolist(),
            self.east_of.tolist(),
            strict=True,
        )
        for in_zone, side, sites, distances, west, east in columns:
            yield self._placement(in_zone, side, tuple(sites), distances, west, east)

    def _placement(
        self,
        in_zone: list[bool],
        side: str | None,
        sites: tuple[NearSite, ...],
        distances: list[float],
        west: list[bool],
        east: list[bool],
    ) -> Placement:
        return Placement(
            zones=tuple(code for code, hit in zip(self.zone_codes, in_zone, strict=True) if hit),
            side=side,
            protected_sites=sites,
            distance_to_lines_km=dict(zip(self.line_codes, distances, strict=True)),
            line_sides={
                code: ("west",) * w + ("east",) * e for code, w, e in zip(self.line_codes, west, east, strict=True)
            },
        )
