"""The map page (GET /map): the common operating picture.

The page is a frame; static/js/map.js draws it with the vendored Leaflet (static/vendor/leaflet) and no
tile layer, so it needs no internet: the country outlines shipped in static/map/borders.geojson (Natural
Earth, built by tools/build_borders.py), then the cell's lines, zones and places from GET /api/v1/zones,
fetched with the caller's session, so the map shows exactly what the API gives this caller. Every text the
user reads is in templates/map.html; the script only places it.
"""

import mimetypes

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.runtime import Runtime, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

BORDERS_URL = "/static/map/borders.geojson"
ZONES_URL = "/api/v1/zones"
# The static files answer with the type the platform's table gives; not every platform knows GeoJSON.
mimetypes.add_type("application/geo+json", ".geojson")


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, caller: Caller = PageCallerDep, runtime: Runtime = Depends(get_runtime)):
    return render(request, "map.html", caller, runtime, borders_url=BORDERS_URL, zones_url=ZONES_URL)
