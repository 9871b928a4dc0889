"""The area a notice covers: a polygon as given, or a circle drawn as one; and whether it lies where the
cell's reports may lie.

Everything here is WGS 84 lon/lat (GeoJSON order); circles are drawn in UTM 36N, where a kilometre is
a kilometre, and brought back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, Polygon
from shapely.geometry.polygon import orient

from fusioncell.cell.definition import CellDefinition
from fusioncell.geo.geometry import to_wgs84, utm_xy
from fusioncell.i18n import N_

DECIMALS = 6  # about 10 cm: as everything fusioncell sends out
# Segments per quarter circle of a drawn circle: its chords cut inside the true circle by r(1 - cos(pi/32)),
# 50 m at 10 km; a notice's area is a planning figure, and a smaller polygon is cheaper to overlap.
CIRCLE_QUAD_SEGS = 16

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class PolygonArea:
    """A GeoJSON Polygon's rings: the exterior first, then any holes; each closed, (lon, lat) points."""

    rings: tuple[Ring, ...]


@dataclass(frozen=True)
class CircleArea:
    lat: float
    lon: float
    radius_km: float


Area = PolygonArea | CircleArea


def shape_of(area: Area) -> Polygon:
    """The area as a lon/lat polygon, exterior counter-clockwise (RFC 7946), points rounded as stored."""
    if isinstance(area, CircleArea):
        (x,), (y,) = utm_xy([area.lon], [area.lat])
        drawn = to_wgs84(Point(x, y).buffer(area.radius_km * 1000, quad_segs=CIRCLE_QUAD_SEGS))
        polygon = Polygon(round_ring(drawn.exterior.coords))
    else:
        exterior, *holes = area.rings
        polygon = Polygon(exterior, holes)
    return orient(polygon, sign=1.0)


def round_ring(points) -> Ring:
    """A ring's points rounded as stored, closed if the client left it open."""
    ring = tuple((round(float(lon), DECIMALS), round(float(lat), DECIMALS)) for lon, lat in points)
    return ring if not ring or ring[0] == ring[-1] else (*ring, ring[0])


def geojson_of(polygon: Polygon) -> dict[str, Any]:
    rings = [polygon.exterior, *polygon.interiors]
    return {"type": "Polygon", "coordinates": [[[x, y] for x, y in ring.coords] for ring in rings]}


def polygon_of(geojson: dict[str, Any]) -> Polygon:
    """A stored area back as a polygon."""
    exterior, *holes = geojson["coordinates"]
    return Polygon(exterior, holes)


def outside_area_of_interest(cell: CellDefinition, area: Area, polygon: Polygon) -> dict[str, str]:
    """Why the area lies (partly) outside the cell's area of interest, by the field at fault; empty when
    it lies inside, or the cell sets no area of interest."""
    box = cell.area_of_interest
    if box is None:
        return {}
    if isinstance(area, CircleArea):
        problems = {f"circle.{name}": text for name, text in box.problems(lat=area.lat, lon=area.lon).items()}
        if not problems and _beyond(box, polygon):
            problems["circle.radius_km"] = N_("the circle reaches outside the cell's area of interest")
        return problems
    for i, ring in enumerate(area.rings):
        for j, (lon, lat) in enumerate(ring):
            found = box.problems(lat=lat, lon=lon)
            if found:
                return {f"polygon.coordinates.{i}.{j}": "; ".join(found.values())}
    return {}


def _beyond(box, polygon: Polygon) -> bool:
    west, south, east, north = polygon.bounds
    return west < box.west or east > box.east or south < box.south or north > box.north
