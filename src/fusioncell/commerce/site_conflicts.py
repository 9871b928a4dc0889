"""Military activity within a project site: the economic zone stays demilitarised, so an incident of a military
type (the cell's incident types flagged `military`) inside a site is flagged on both records.

Computed when read, never stored: each side of the pair is filtered through the one readable() rule for the
reader, so the flag never tells a party about an incident, or a project, it may not read. A Polygon site is its
area; a Point site stands for a circle of `cell.commerce.site_radius_km`. Retracted records flag nothing.
"""

import math
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce.models import Project
from fusioncell.commerce.sites import site_shape_utm
from fusioncell.db.base import Status
from fusioncell.geo.geometry import to_utm, to_wgs84
from fusioncell.incidents.models import Incident

KM_PER_DEGREE = 111.0
# An area incident is indexed by its representative point (incidents.lat/lon): one reaching into a site from
# further than this is not found. Reports of areas are hand-drawn and small; 10 km covers them.
AREA_REACH_KM = 10.0
MAX_SHOWN = 200


def military_types(cell: CellDefinition) -> list[str]:
    return [t.code for t in cell.incident_types if t.military]


def site_reach(cell: CellDefinition, site: dict[str, Any]) -> BaseGeometry:
    """The site as the check reads it, in UTM metres: its area, or the circle around a point."""
    shape_utm = site_shape_utm(site)
    if shape_utm.geom_type == "Point":
        return shape_utm.buffer(cell.commerce.site_radius_km * 1000)
    return shape_utm


def military_incidents_in_site(
    session: Session, *, subject: Subject, cell: CellDefinition, project: Project
) -> list[Incident]:
    """The military incidents the reader may read that lie within the project's site, newest first."""
    codes = military_types(cell)
    if not codes or project.status == Status.RETRACTED:
        return []
    reach = site_reach(cell, project.site)
    min_lon, min_lat, max_lon, max_lat = to_wgs84(reach).bounds
    margin = _degrees(AREA_REACH_KM, max(abs(min_lat), abs(max_lat)))
    query = select(Incident).where(
        readable(subject, Incident),
        Incident.status != Status.RETRACTED,
        Incident.type.in_(codes),
        Incident.lat.between(min_lat - margin, max_lat + margin),
        Incident.lon.between(min_lon - margin, max_lon + margin),
    )
    found = session.execute(query.order_by(Incident.occurred_at.desc(), Incident.id)).scalars()
    return [i for i in found if to_utm(shape(i.location)).intersects(reach)][:MAX_SHOWN]


def projects_at_incident(
    session: Session, *, subject: Subject, cell: CellDefinition, incident: Incident
) -> list[Project]:
    """The projects the reader may read whose site the incident lies in, if it is military activity."""
    if incident.type not in military_types(cell) or incident.status == Status.RETRACTED:
        return []
    where = shape(incident.location)
    min_lon, min_lat, max_lon, max_lat = where.bounds
    margin = _degrees(cell.commerce.site_radius_km, max(abs(min_lat), abs(max_lat)))
    query = select(Project).where(
        readable(subject, Project),
        Project.status != Status.RETRACTED,
        Project.site_min_lat <= max_lat + margin,
        Project.site_max_lat >= min_lat - margin,
        Project.site_min_lon <= max_lon + margin,
        Project.site_max_lon >= min_lon - margin,
    )
    where_utm = to_utm(where)
    found = session.execute(query.order_by(Project.name, Project.id)).scalars()
    return [p for p in found if site_reach(cell, p.site).intersects(where_utm)][:MAX_SHOWN]


def _degrees(km: float, latitude: float) -> float:
    """At least `km` in degrees of latitude and of longitude near `latitude` (a box, so generous)."""
    return km / (KM_PER_DEGREE * max(math.cos(math.radians(min(latitude, 80.0))), 0.1))
