"""What the server derives from where an incident lies: zones, side, protected sites, violations, and the
severity those violations demand. Computed once, when the incident is reported, from the cell's geography."""

from dataclasses import dataclass
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from fusioncell.cell.definition import CellDefinition
from fusioncell.geo.service import geography_for

DECIMALS = 6  # of a degree, about 10 cm: as the zones are served (docs/geo.md)
KM_DECIMALS = 3  # a metre


@dataclass(frozen=True)
class Derived:
    lat: float  # the location's representative point: the point itself, or a point inside the area
    lon: float
    zones: frozenset[str]
    side: str | None
    protected_sites: list[dict[str, Any]]  # [{place, distance_km}], nearest first
    violations: list[dict[str, Any]]  # [{rule, names, severity}]
    severity: int  # the reported severity, raised to the highest a violated rule sets


def geometry_of(location: dict[str, Any]) -> BaseGeometry:
    """A GeoJSON Point or Polygon (lon/lat) as a Shapely geometry."""
    return shape(location)


def positions(location: dict[str, Any]) -> list[tuple[float, float]]:
    """Every (lon, lat) position of a GeoJSON Point or Polygon."""
    if location["type"] == "Point":
        return [tuple(location["coordinates"])]
    return [tuple(position) for ring in location["coordinates"] for position in ring]


def derive(
    cell: CellDefinition, *, location: dict[str, Any], type: str, actor_party: str | None, severity: int
) -> Derived:
    """Classify a validated location for an incident of `type` by `actor_party` (None: not known)."""
    geography = geography_for(cell)
    geometry = geometry_of(location)
    placement = geography.place(geometry)
    violations = geography.violations(placement, kind=type, party=actor_party)
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    floor = max((v.severity for v in violations if v.severity is not None), default=severity)
    return Derived(
        lat=round(float(point.y), DECIMALS),
        lon=round(float(point.x), DECIMALS),
        zones=frozenset(placement.zones),
        side=placement.side,
        protected_sites=[
            {"place": site.place, "distance_km": round(float(site.distance_km), KM_DECIMALS)}
            for site in placement.protected_sites
        ],
        violations=[{"rule": v.rule, "names": v.names.model_dump(), "severity": v.severity} for v in violations],
        severity=max(severity, floor),
    )
