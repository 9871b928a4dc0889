"""Shapes from a cell definition: lines, the area between two lines, one-sided bands, circles.

Everything is built in UTM zone 36N (EPSG:32636), where a kilometre is a kilometre and a buffer is
a distance; lines, points and GeoJSON stay in WGS 84 lon/lat (always_xy: x is longitude everywhere).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from fusioncell.cell.definition import CellDefinition, Line, Side, Zone

WGS84 = "EPSG:4326"
UTM_36N = "EPSG:32636"
# How far "west of a line" reaches: far past any area of interest, so the region is a half-plane in effect.
FAR_M = 2_000_000.0
# Segments per quarter circle where a buffer rounds a bend: chords cut inside the true arc by at most
# r(1 - cos(pi / 4q)), 1.5 m at 25 km with q = 64, so a band keeps its distances to the metre.
QUAD_SEGS = 64

# pyproj's Transformer is thread-safe (each thread gets its own PROJ context), so one pair serves all.
_TO_UTM = Transformer.from_crs(WGS84, UTM_36N, always_xy=True)
_TO_WGS84 = Transformer.from_crs(UTM_36N, WGS84, always_xy=True)


class CellGeometryError(ValueError):
    """The cell definition validates but its lines do not make the shapes it declares (lines that cross)."""


def utm_xy(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project arrays of WGS 84 coordinates to UTM 36N metres, in one call for all of them."""
    x, y = _TO_UTM.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x), np.asarray(y)


def to_utm(geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry in UTM 36N metres."""
    return shapely.transform(geometry, _TO_UTM.transform, interleaved=False)


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    """A UTM 36N geometry back in lon/lat."""
    return shapely.transform(geometry, _TO_WGS84.transform, interleaved=False)


def line_string(line: Line) -> LineString:
    """A line of the definition as a lon/lat LineString, north to south as declared."""
    return LineString(line.lon_lat)


def place_point(lat: float, lon: float) -> Point:
    return Point(lon, lat)


def area_between(first: LineString, second: LineString, *, what: str) -> Polygon:
    """The polygon between two north-to-south lines: `first` north to south, then `second` back north.

    Lines that cross make a figure-of-eight, not an area; `what` names the zone in the error."""
    polygon = Polygon([*first.coords, *reversed(second.coords)])
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise CellGeometryError(f"zone {what!r}: the lines do not enclose one area ({reason}); do they cross?")
    return polygon


def side_region(line: LineString, side: Side) -> Polygon:
    """Everything on `side` (west or east) of a north-to-south line, between the latitudes of its ends.

    The line closed off by a far-away edge: a point in it is on that side of the line wherever the
    line bends, and a point north or south of the line's ends is on neither side."""
    coords = list(line.coords)
    xs = [x for x, _ in coords]
    far = min(xs) - FAR_M if side is Side.WEST else max(xs) + FAR_M
    (_, north), (_, south) = coords[0], coords[-1]
    region = Polygon([*coords, (far, south), (far, north)])
    if not region.is_valid:
        raise CellGeometryError("a line must run north to south without turning back north of its start")
    return region


def band(line: LineString, side: Side, *, from_km: float, km: float) -> BaseGeometry:
    """The points on `side` (west or east) of a north-to-south line from `from_km` to `km` away from it.

    Two-sided buffers cut to the line's side region rather than Shapely's single-sided buffer: that
    one's side flips with the line's direction, and its flat ends leave wedges near the line's ends
    that are less than `from_km` away, so the bands would neither tile nor keep their distances."""
    ring = line.buffer(km * 1000, quad_segs=QUAD_SEGS)
    if from_km > 0:
        ring = ring.difference(line.buffer(from_km * 1000, quad_segs=QUAD_SEGS))
    return ring.intersection(side_region(line, side))


def circle(x: float, y: float, radius_km: float) -> Polygon:
    """A circle around a UTM point (a protected site's radius)."""
    return Point(x, y).buffer(radius_km * 1000, quad_segs=QUAD_SEGS)


def zone_shapes(cell: CellDefinition, lines: dict[str, LineString]) -> dict[str, BaseGeometry]:
    """Every zone's shape in UTM metres, in definition order; `lines` are the cell's lines in UTM.

    Areas between lines come first: bands are measured from them and must not overlap them."""
    shapes: dict[str, BaseGeometry] = {}
    for zone in cell.zones:
        if zone.geojson is not None:
            shapes[zone.code] = to_utm(shape(zone.geojson))
        elif zone.derived.from_lines is not None:
            first, second = zone.derived.from_lines
            shapes[zone.code] = area_between(lines[first], lines[second], what=zone.code)
    between = shapely.union_all([shapes[z.code] for z in cell.zones if _between_lines(z)])
    for zone in cell.zones:
        d = zone.derived
        if d is not None and d.buffer_line is not None:
            strip = band(lines[d.buffer_line], d.side, from_km=d.from_km, km=d.km)
            shapes[zone.code] = strip.difference(between)
    for zone in cell.zones:
        target = zone
        while target.code not in shapes:  # same_as chains; the definition has ruled out cycles
            target = cell.zone(target.derived.same_as)
        shapes[zone.code] = shapes[target.code]
    return {zone.code: shapes[zone.code] for zone in cell.zones}


def _between_lines(zone: Zone) -> bool:
    return zone.derived is not None and zone.derived.from_lines is not None


def rounded(geometry: BaseGeometry, decimals: int = 6) -> BaseGeometry:
    """Coordinates rounded (6 decimals of a degree: about 10 cm, finer than any schematic line)."""
    return shapely.transform(geometry, lambda coords: np.round(coords, decimals))
