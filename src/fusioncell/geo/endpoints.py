"""/api/v1/zones (the cell's zones, lines and places as GeoJSON) and /api/v1/zones/classify."""

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from fusioncell import validation_messages
from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.errors import Invalid, Phrase
from fusioncell.geo.schemas import ClassificationRead, PlacementRead, ViolationRead
from fusioncell.geo.service import geography_for
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, get_runtime

router = APIRouter(prefix="/api/v1", tags=["geo"])

GEOJSON = "application/geo+json"


@router.get(
    "/zones",
    dependencies=[CallerDep],
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "A GeoJSON FeatureCollection (see docs/geo.md)."}},
)
def zones(runtime: Runtime = Depends(get_runtime)) -> Response:
    """The cell's zones, lines and places; zones and lines say whether they are schematic."""
    return Response(geography_for(runtime.cell).zones_geojson, media_type=GEOJSON)


@router.get("/zones/classify", response_model=ClassificationRead)
def classify(
    lat: float = Query(ge=-90, le=90, allow_inf_nan=False, description="WGS 84 latitude, in the area of interest."),
    lon: float = Query(ge=-180, le=180, allow_inf_nan=False, description="WGS 84 longitude, in the area of interest."),
    type: str | None = Query(default=None, max_length=64, description="Incident type code, for the violations."),
    party: str | None = Query(default=None, max_length=10, description="The acting party; the caller's by default."),
    caller: Caller = CallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Where a point lies (zones, side of the lines, protected sites near it) and, given an incident type,
    the cell's rules an incident of that type by `party` there would break."""
    cell = runtime.cell
    acting = party or caller.subject.party
    problems = cell.area_of_interest.problems(lat=lat, lon=lon) if cell.area_of_interest else {}
    if type is not None and type not in {t.code for t in cell.incident_types}:
        problems["type"] = Phrase(N_("unknown incident type {type!r}"), type=type)
    if acting not in cell.party_codes:
        problems["party"] = Phrase(
            N_("unknown party {acting!r} (parties: {parties})"),
            acting=acting,
            parties=", ".join(p.code for p in cell.parties),
        )
    if problems:
        raise _invalid_query(problems)
    geography = geography_for(cell)
    placement = geography.place_point(lat=lat, lon=lon)
    violations = geography.violations(placement, kind=type, party=acting) if type is not None else []
    return ClassificationRead(
        lat=lat,
        lon=lon,
        type=type,
        party=acting,
        placement=PlacementRead.model_validate(placement),
        violations=[ViolationRead.model_validate(v) for v in violations],
    )


def _invalid_query(problems: dict[str, str]) -> Invalid:
    """The one error shape, with details like those of a request that failed validation at the edge."""
    return validation_messages.invalid(problems, prefix="query.")
