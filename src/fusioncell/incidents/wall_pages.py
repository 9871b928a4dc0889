"""The operations-room wall (GET /wall): one full-screen page for a large display that needs no interaction.

The map is static/js/map.js, unchanged, on the DOM ids and data attributes it reads (those of map.html); the
live feed is static/js/wall.js on GET /api/v1/stream (already only what the caller may read); the overdue
queue is GET /wall/queue, an HTML fragment wall.js fetches every 30 s: incidents whose acknowledgement is past
its deadline and notices awaiting acknowledgement, read through the releasability rule like every list.
"""

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.deconfliction import queries as notice_queries
from fusioncell.deconfliction.pages import notice_rows
from fusioncell.deconfliction.queries import When
from fusioncell.events.representations import registered_kinds
from fusioncell.geo.pages import map_sources
from fusioncell.i18n import N_
from fusioncell.incidents import queries
from fusioncell.incidents.models import Stage
from fusioncell.incidents.pages import incident_row
from fusioncell.incidents.statistics import is_overdue
from fusioncell.incidents.views import incident_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

QUEUE_REFRESH_SECONDS = 30
SCAN = 200  # the newest reported incidents and standing notices looked through for the queue
# The overlays map.js names in its layers control, by the kinds it looks up (as map.html's legend has them);
# marked here, translated where wall.html shows them.
LEGEND = [
    ("area-of-separation", N_("Area of Separation")),
    ("area-of-limitation", N_("Areas of Limitation")),
    ("economic-zone", N_("Joint economic zone (proposed)")),
    ("line", N_("Lines of the 1974 agreement")),
    ("protected", N_("Protected sites")),
    ("place", N_("Places")),
    ("incidents", N_("Incidents")),
    ("notices-active", N_("Notices: active")),
    ("notices-upcoming", N_("Notices: upcoming")),
    ("positions", N_("Positions")),
    ("borders", N_("Country outlines")),
]
SWATCHES = {
    "incidents": "incident",
    "notices-active": "notice-active",
    "notices-upcoming": "notice-upcoming",
    "positions": "position-occupied",
}


@router.get("/wall", response_class=HTMLResponse)
def wall_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return render(
        request,
        "wall.html",
        caller,
        runtime,
        **map_sources(session),
        legend=LEGEND,
        swatches=SWATCHES,
        kinds=registered_kinds(),
        refresh_seconds=QUEUE_REFRESH_SECONDS,
        **overdue_queue(session, caller, runtime, utcnow()),
    )


@router.get("/wall/queue", response_class=HTMLResponse)
def wall_queue(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return render(request, "_wall_queue.html", caller, runtime, **overdue_queue(session, caller, runtime, utcnow()))


def overdue_queue(session: Session, caller: Caller, runtime: Runtime, now: datetime) -> dict:
    subject, cell = caller.subject, runtime.cell
    waiting = queries.list_incidents(
        session,
        cell=cell,
        subject=subject,
        filters=queries.IncidentFilters(status=Status.RELEASED, stage=Stage.REPORTED),
        limit=SCAN,
    )
    overdue = sorted((i for i in waiting if is_overdue(i, now)), key=lambda i: i.ack_due_at)
    standing = [
        notice
        for when in (When.ACTIVE, When.UPCOMING)
        for notice in notice_queries.list_notices(session, subject=subject, when=when, limit=SCAN, now=now)
    ]
    notices = [r for r in notice_rows(session, subject, runtime, standing) if r.awaiting]
    return {
        "overdue": [incident_row(cell, subject, incident_read(subject, i), now) for i in overdue],
        "awaiting_notices": sorted(notices, key=lambda r: r.view.starts_at),
        "now": now,
    }
