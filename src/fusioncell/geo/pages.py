"""The map page (GET /map): the common operating picture.

The page is a frame; static/js/map.js draws it with the vendored Leaflet (static/vendor/leaflet) and no
tile layer, so it needs no internet: the country outlines shipped in static/map/borders.geojson (Natural
Earth, built by tools/build_borders.py), then the cell's lines, zones and places from GET /api/v1/zones,
fetched with the caller's session, so the map shows exactly what the API gives this caller. Every text the
user reads is in templates/map.html and _map_canvas.html (marked for translation); the script only places it.
"""

import mimetypes

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.cell.definition import CellDefinition
from fusioncell.i18n import N_
from fusioncell.incidents.models import Stage
from fusioncell.ledger.service import tree_size
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

BORDERS_URL = "/static/map/borders.geojson"
ZONES_URL = "/api/v1/zones"
INCIDENTS_URL = "/api/v1/incidents/map"  # every readable incident, compactly (up to 20,000)
NOTICES_URL = "/api/v1/notices"  # ?when=active and ?when=upcoming
POSITIONS_URL = "/api/v1/positions?limit=200"  # the withdrawal tracker
# An incident's stages as the filter names them; translated where shown (map.html).
STAGE_LABELS = {
    Stage.REPORTED: N_("reported"),
    Stage.ACKNOWLEDGED: N_("acknowledged"),
    Stage.UNDER_INVESTIGATION: N_("under investigation"),
    Stage.FINDING: N_("finding"),
    Stage.CLOSED: N_("closed"),
}
# The static files answer with the type the platform's table gives; not every platform knows GeoJSON.
mimetypes.add_type("application/geo+json", ".geojson")


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return render(
        request,
        "map.html",
        caller,
        runtime,
        **map_sources(session),
        type_options=type_options(runtime.cell),
        stages=[(str(stage), STAGE_LABELS.get(stage, str(stage).replace("_", " "))) for stage in Stage],
    )


def map_sources(session: Session) -> dict:
    """What the map canvas (_map_canvas.html) reads its layers from, for every page that draws the map."""
    return {
        "borders_url": BORDERS_URL,
        "zones_url": ZONES_URL,
        "incidents_url": INCIDENTS_URL,
        "notices_url": NOTICES_URL,
        "positions_url": POSITIONS_URL,
        # The live stream resumes after the last ledger entry the page's data can reflect.
        "stream_after": tree_size(session) - 1,
    }


def type_options(cell: CellDefinition) -> list[dict]:
    """The filter's incident types: each event type, then its sub-types; an event type covers its sub-types.
    `names` are the type's in the three languages (a template shows `in_language(names)`), `label` the English
    one (a sub-type's with a dash), `sub` whether it is a sub-type."""
    options = []
    for event in (t for t in cell.incident_types if t.parent is None):
        subs = [t for t in cell.incident_types if t.parent == event.code]
        codes = [event.code, *(t.code for t in subs)]
        options.append(
            {"code": event.code, "label": event.names.en, "names": event.names, "sub": False, "codes": codes}
        )
        options += [
            {"code": t.code, "label": "– " + t.names.en, "names": t.names, "sub": True, "codes": [t.code]} for t in subs
        ]
    return options
