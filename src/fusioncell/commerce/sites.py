"""The site rule of the cell definition: an economic site lies inside the economic zone (`cell.commerce.zone`,
by default the Area of Separation), which stays demilitarised. A site outside it is refused or kept and flagged,
as `cell.commerce.site_outside_zone` says.

Shapes are compared in UTM 36N as the geo module builds them; a Polygon site must lie wholly inside the zone
(a site reaching out of it is outside in part, and that is what the rule is about).
"""

from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from fusioncell.cell.commerce import SiteRule
from fusioncell.cell.definition import CellDefinition
from fusioncell.geo.geometry import to_utm
from fusioncell.geo.service import geography_for


def site_shape_utm(site: dict[str, Any]) -> BaseGeometry:
    """A validated GeoJSON site (lon/lat) in UTM 36N metres."""
    return to_utm(shape(site))


def zone_shape_utm(cell: CellDefinition) -> BaseGeometry:
    """The economic zone in UTM metres. A fresh copy: the geography's own shapes are prepared and GEOS's
    prepared geometries must not be used from two threads at once (see geo/service.py)."""
    return shapely.from_wkb(shapely.to_wkb(geography_for(cell).zones[cell.commerce.zone]))


def outside_zone(cell: CellDefinition, site: dict[str, Any]) -> bool:
    """True when any part of the site lies outside the economic zone."""
    return not zone_shape_utm(cell).covers(site_shape_utm(site))


def site_problems(cell: CellDefinition, site: dict[str, Any]) -> dict[str, str]:
    """{"site": why} when the rule refuses the site; nothing when it is inside or the rule only flags."""
    if cell.commerce.site_outside_zone != SiteRule.REJECT or not outside_zone(cell, site):
        return {}
    zone = cell.zone(cell.commerce.zone)
    return {"site": f"the site lies outside the {zone.names.en} ({zone.code}); economic sites must lie inside it"}


def bounding_box(site: dict[str, Any]) -> dict[str, float]:
    """The site's box as the projects table keeps it, so candidates are found without reading geometries."""
    min_lon, min_lat, max_lon, max_lat = shape(site).bounds
    return {"site_min_lat": min_lat, "site_max_lat": max_lat, "site_min_lon": min_lon, "site_max_lon": max_lon}
