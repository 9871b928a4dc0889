"""Exports of the caller's readable incidents: GeoJSON, CSV (ACLED column names), Cursor-on-Target, and the
map's picture.

The same filters as GET /api/v1/incidents; the exports are streamed, read a page at a time.
"""

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.incidents import queries
from fusioncell.incidents.cot import cot_document_chunks
from fusioncell.incidents.endpoints import incident_filters
from fusioncell.incidents.exports import csv_chunks, geojson_chunks, readable_incidents
from fusioncell.incidents.schemas import IncidentMap
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["incidents"])

MAX_EXPORT = 1_000_000
MAX_MAP = 20_000  # the map is interactive in about 0.8 s with 10,000 and 1.4 s with 20,000 (bench/README.md)


def _incidents(runtime: Runtime, caller: Caller, filters: queries.IncidentFilters, limit: int):
    return readable_incidents(runtime.database, cell=runtime.cell, subject=caller.subject, filters=filters, limit=limit)


@router.get("/incidents/export.geojson", response_class=StreamingResponse)
def export_geojson(
    limit: int = Query(default=MAX_EXPORT, ge=1, le=MAX_EXPORT),
    filters: queries.IncidentFilters = Depends(incident_filters),
    caller: Caller = CallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A GeoJSON FeatureCollection of the incidents the caller may read, newest first; each feature's
    properties are the incident as the API shows it to the caller."""
    return StreamingResponse(
        geojson_chunks(_incidents(runtime, caller, filters, limit)),
        media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="incidents.geojson"'},
    )


@router.get("/incidents/export.csv", response_class=StreamingResponse)
def export_csv(
    limit: int = Query(default=MAX_EXPORT, ge=1, le=MAX_EXPORT),
    filters: queries.IncidentFilters = Depends(incident_filters),
    caller: Caller = CallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """CSV with ACLED's column names (docs/incidents.md has the mapping); formula-like cells are quoted."""
    return StreamingResponse(
        csv_chunks(runtime.cell, _incidents(runtime, caller, filters, limit)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="incidents.csv"'},
    )


@router.get("/cot", response_class=StreamingResponse)
def cot_events(
    limit: int = Query(default=10_000, ge=1, le=MAX_EXPORT),
    filters: queries.IncidentFilters = Depends(incident_filters),
    caller: Caller = CallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Cursor-on-Target: an `<events>` document of one CoT `<event>` per incident the caller may read."""
    return StreamingResponse(
        cot_document_chunks(_incidents(runtime, caller, filters, limit)), media_type="application/xml"
    )


@router.get("/incidents/map", response_model=IncidentMap)
def incident_map(
    limit: int = Query(default=MAX_MAP, ge=1, le=MAX_MAP),
    filters: queries.IncidentFilters = Depends(incident_filters),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Every incident the caller may read, newest first, as the map draws it (about 250 bytes each, not the
    whole record): one request for the common operating picture. `truncated` says that more match."""
    rows = queries.map_points(session, cell=runtime.cell, subject=caller.subject, filters=filters, limit=limit + 1)
    # Built as plain JSON: validating tens of thousands of small models would cost more than the query.
    items = [
        {
            "id": str(row.id),
            "version": row.version,
            "origin_party": row.origin_party,
            "status": str(row.status),
            "stage": row.stage,
            "type": row.type,
            "severity": row.severity,
            "occurred_at": row.occurred_at.isoformat().replace("+00:00", "Z"),
            "lat": row.lat,
            "lon": row.lon,
            "area": row.location if row.location["type"] == "Polygon" else None,
        }
        for row in rows[:limit]
    ]
    return JSONResponse({"items": items, "truncated": len(rows) > limit})
