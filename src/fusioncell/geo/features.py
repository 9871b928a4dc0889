"""The cell's zones, lines and places as one GeoJSON FeatureCollection (GET /api/v1/zones).

The contract the map page draws from: every feature has `code`, `kind` and `names`; zones add
`schematic`, `applies_to` and `limits`; lines (kind "line") add `schematic`; places (kind "place") add
`protected`, `radius_km` (protected places only, else null) and `approximate`. Coordinates are
[lon, lat], rounded to 6 decimals.
"""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from fusioncell.cell.definition import CellDefinition, Line, Place, Zone
from fusioncell.geo.geometry import line_string, place_point, rounded


def feature_collection(cell: CellDefinition, zones: dict[str, BaseGeometry]) -> dict[str, Any]:
    """Zones (their lon/lat shapes in `zones`, by code), then lines, then places: the order they are drawn."""
    features = [zone_feature(zone, zones[zone.code]) for zone in cell.zones]
    features += [line_feature(line) for line in cell.lines]
    features += [place_feature(place, cell.protected_site_radius_km) for place in cell.places]
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": mapping(rounded(geometry)), "properties": properties}


def zone_feature(zone: Zone, shape: BaseGeometry) -> dict[str, Any]:
    return _feature(
        shape,
        {
            "code": zone.code,
            "kind": zone.kind,
            "names": zone.names.model_dump(),
            "schematic": zone.schematic,
            "applies_to": zone.applies_to,
            "limits": zone.limits.model_dump(mode="json") if zone.limits is not None else None,
        },
    )


def line_feature(line: Line) -> dict[str, Any]:
    properties = {"code": line.code, "kind": "line", "names": line.names.model_dump(), "schematic": line.schematic}
    return _feature(line_string(line), properties)


def place_feature(place: Place, radius_km: float) -> dict[str, Any]:
    return _feature(
        place_point(place.lat, place.lon),
        {
            "code": place.code,
            "kind": "place",
            "names": place.names.model_dump(),
            "protected": place.protected,
            "radius_km": radius_km if place.protected else None,
            "approximate": place.approximate,
        },
    )
