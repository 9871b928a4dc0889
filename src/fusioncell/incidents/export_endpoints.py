"""Exports of the caller's readable incidents: GeoJSON, CSV (ACLED column names) and Cursor-on-Target.

The same filters as GET /api/v1/incidents; the results are streamed, read a page at a time.
"""

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.incidents import queries
from fusioncell.incidents.cot import cot_document_chunks
from fusioncell.incidents.endpoints import incident_filters
from fusioncell.incidents.exports import csv_chunks, geojson_chunks, readable_incidents
from fusioncell.runtime import Runtime, get_runtime

router = APIRouter(prefix="/api/v1", tags=["incidents"])

MAX_EXPORT = 1_000_000


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
