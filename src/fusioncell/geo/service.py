"""Where reports lie: `Geography` holds one cell definition's shapes, prepared, and classifies against them.

Build it with `geography_for(cell)`, which builds each definition's geography once per process: the
shapes, their prepared indexes and the compiled rules are the expensive part, classifying is cheap.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from fusioncell.cell.definition import CellDefinition, Side
from fusioncell.errors import Invalid
from fusioncell.geo.features import feature_collection
from fusioncell.geo.geometry import circle, line_string, side_region, to_utm, to_wgs84, utm_xy, zone_shapes
from fusioncell.geo.placement import NearSite, Placement, PointPlacements
from fusioncell.geo.rules import RuleBook, Violation
from fusioncell.i18n import N_

__all__ = ["Geography", "NearSite", "Placement", "PointPlacements", "Violation", "geography_for"]


@dataclass(frozen=True)
class _Separation:
    """The area between two lines (the AOS) and, for each line, the side facing away from it."""

    zone_index: int
    label: str  # the zone's kind: "area-of-separation"
    outer: tuple[tuple[int, Side, str], ...]  # (line index, outer side, label "west-of-alpha")


class Geography:
    """The shapes of one cell definition in UTM 36N, prepared for classifying locations."""

    def __init__(self, cell: CellDefinition) -> None:
        self.cell = cell
        self.lines = {line.code: to_utm(line_string(line)) for line in cell.lines}
        self.zones = zone_shapes(cell, self.lines)
        self._zone_codes = tuple(self.zones)
        self._zone_array = np.array(list(self.zones.values()), dtype=object)
        self._line_codes = tuple(self.lines)
        self._line_array = np.array(list(self.lines.values()), dtype=object)
        self._west = np.array([side_region(line, Side.WEST) for line in self.lines.values()], dtype=object)
        self._east = np.array([side_region(line, Side.EAST) for line in self.lines.values()], dtype=object)
        for shapes in (self._zone_array, self._line_array, self._west, self._east):
            shapely.prepare(shapes)  # prepared once: every classification reuses their indexes
        # GEOS's prepared geometries keep mutable state (libgeos/geos#825) and requests classify from
        # several threads, so their use is one thread at a time; a classification takes microseconds.
        self._geos = threading.Lock()
        self._separation = self._find_separation()
        sites = cell.protected_places
        self._site_codes = tuple(place.code for place in sites)
        self._sites = shapely.points(*utm_xy([p.lon for p in sites], [p.lat for p in sites]))
        self._site_tree = STRtree(self._sites)
        self._radius_m = cell.protected_site_radius_km * 1000
        self.rules = RuleBook(cell)

    # -- one location ------------------------------------------------------------------------------

    def place(self, geometry: BaseGeometry) -> Placement:
        """Where a WGS 84 lon/lat geometry lies: a point, or an area (which counts where it reaches).

        A self-intersecting or empty shape is refused: what it covers has no meaning to classify."""
        if geometry.is_empty or not geometry.is_valid:
            reason = "it is empty" if geometry.is_empty else shapely.is_valid_reason(geometry)
            raise Invalid(N_("the location is not a valid shape: {reason}"), reason=reason)
        shape = to_utm(geometry)
        with self._geos:
            in_zone = shapely.intersects(self._zone_array, shape).tolist()
            west, east = shapely.intersects(self._west, shape).tolist(), shapely.intersects(self._east, shape).tolist()
            found = self._site_tree.query(shape, predicate="dwithin", distance=self._radius_m).tolist()
            site_km = (shapely.distance(self._sites[found], shape) / 1000).tolist()
            line_km = (shapely.distance(self._line_array, shape) / 1000).tolist()
        sites = sorted((NearSite(self._site_codes[i], km) for i, km in zip(found, site_km, strict=True)), key=_nearest)
        return Placement(
            zones=tuple(code for code, hit in zip(self._zone_codes, in_zone, strict=True) if hit),
            side=self._side_of(in_zone, west, east),
            protected_sites=tuple(sites),
            distance_to_lines_km=dict(zip(self._line_codes, line_km, strict=True)),
            line_sides={
                code: ("west",) * w + ("east",) * e for code, w, e in zip(self._line_codes, west, east, strict=True)
            },
        )

    def place_point(self, *, lat: float, lon: float) -> Placement:
        return self.place(shapely.Point(lon, lat))

    def _side_of(self, in_zone: list[bool], west: list[bool], east: list[bool]) -> str | None:
        sep = self._separation
        if sep is None:
            return None
        if in_zone[sep.zone_index]:
            return sep.label
        for line, outer, label in sep.outer:
            if (west if outer is Side.WEST else east)[line]:
                return label
        return None

    # -- many points ------------------------------------------------------------------------------

    def place_points(self, lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray) -> PointPlacements:
        """Where each of many WGS 84 points lies, in a few array passes (no Python loop per point)."""
        if len(lats) != len(lons):
            raise ValueError(f"{len(lats)} latitudes but {len(lons)} longitudes")
        x, y = utm_xy(lons, lats)
        points = shapely.points(x, y)
        with self._geos:
            in_zone = _columns([shapely.intersects_xy(zone, x, y) for zone in self._zone_array], len(x), bool)
            west_of = _columns([shapely.intersects_xy(region, x, y) for region in self._west], len(x), bool)
            east_of = _columns([shapely.intersects_xy(region, x, y) for region in self._east], len(x), bool)
            distances = _columns([shapely.distance(line, points) / 1000 for line in self._line_array], len(x), float)
            pair_point, pair_site = self._site_tree.query(points, predicate="dwithin", distance=self._radius_m)
            site_km = shapely.distance(points[pair_point], self._sites[pair_site]) / 1000
        order = np.lexsort((site_km, pair_point))  # by point, nearest site first
        return PointPlacements(
            zone_codes=self._zone_codes,
            in_zone=in_zone,
            side=self._sides(in_zone, west_of, east_of),
            line_codes=self._line_codes,
            distance_to_lines_km=distances,
            west_of=west_of,
            east_of=east_of,
            site_codes=self._site_codes,
            site_point=pair_point[order],
            site_index=pair_site[order],
            site_distance_km=site_km[order],
        )

    def _sides(self, in_zone: np.ndarray, west_of: np.ndarray, east_of: np.ndarray) -> np.ndarray:
        """`_side_of` for every point at once: the later assignments win, as the earlier returns do there."""
        side = np.full(len(in_zone), None, dtype=object)
        sep = self._separation
        if sep is None:
            return side
        for line, outer, label in reversed(sep.outer):
            side[(west_of if outer is Side.WEST else east_of)[:, line]] = label
        side[in_zone[:, sep.zone_index]] = sep.label
        return side

    # -- rules and output -------------------------------------------------------------------------

    def violations(self, placement: Placement, *, kind: str, party: str | None) -> list[Violation]:
        """The incident rules an incident of type `kind` by `party` breaks by lying at `placement`."""
        return self.rules.violations(placement, kind=kind, party=party)

    def point_violations(
        self, placements: PointPlacements, *, kinds: Sequence[str], parties: Sequence[str | None]
    ) -> list[tuple[Violation, ...]]:
        """`violations` for each point of `place_points`, evaluated as arrays (the bulk path)."""
        return self.rules.point_violations(placements, kinds=kinds, parties=parties)

    def protected_circles(self) -> dict[str, BaseGeometry]:
        """Each protected place's circle of the cell's radius, in lon/lat (for drawing and overlap checks;
        classifying measures distances instead, exactly)."""
        radius_km = self.cell.protected_site_radius_km
        return {
            code: to_wgs84(circle(site.x, site.y, radius_km))
            for code, site in zip(self._site_codes, self._sites.tolist(), strict=True)
        }

    @functools.cached_property
    def zones_geojson(self) -> bytes:
        """GET /api/v1/zones: the same for every caller and every call, so serialised once."""
        zones = {code: to_wgs84(shape) for code, shape in self.zones.items()}
        return json.dumps(feature_collection(self.cell, zones), ensure_ascii=False).encode()

    def _find_separation(self) -> _Separation | None:
        """The first zone drawn between two lines, and which side of each line faces away from it."""
        for index, zone in enumerate(self.cell.zones):
            if zone.derived is not None and zone.derived.from_lines is not None:
                first, second = zone.derived.from_lines
                # The line further west faces west: lines run north to south, so they lie side by side.
                west, east = sorted((first, second), key=lambda code: self.lines[code].centroid.x)
                outer = tuple(
                    (self._line_codes.index(code), side, f"{side}-of-{code}")
                    for code, side in ((west, Side.WEST), (east, Side.EAST))
                )
                return _Separation(zone_index=index, label=zone.kind, outer=outer)
        return None


def _nearest(site: NearSite) -> float:
    return site.distance_km


def _columns(arrays: list[np.ndarray], rows: int, dtype: type) -> np.ndarray:
    """Arrays of one value per point as the columns of a (points, len(arrays)) array."""
    return np.column_stack(arrays).astype(dtype) if arrays else np.zeros((rows, 0), dtype=dtype)


_CACHE_SIZE = 8  # a process serves one cell; tests and tools may build a few
_cache: OrderedDict[int, Geography] = OrderedDict()
_cache_lock = threading.Lock()


def geography_for(cell: CellDefinition) -> Geography:
    """The geography of `cell`, built on first use and kept (by identity: hashing a definition costs more
    than a lookup should, and the cache holds the definition so its id cannot be reused meanwhile)."""
    with _cache_lock:
        found = _cache.get(id(cell))
        if found is not None and found.cell is cell:
            _cache.move_to_end(id(cell))
            return found
        geography = Geography(cell)
        _cache[id(cell)] = geography
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return geography
