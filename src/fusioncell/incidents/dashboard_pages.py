"""The de-escalation desk's dashboard (GET /dashboard/deescalation): counts by stage and overdue, rendered here,
and charts drawn in the browser (static/js/dashboard.js, the vendored Chart.js) from GET
/api/v1/incidents/statistics. Both come from incidents/statistics.py, over what the caller may read.
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.incidents.statistics import incident_statistics
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

WEEKS = 12
STATISTICS_URL = f"/api/v1/incidents/statistics?weeks={WEEKS}"


@router.get("/dashboard/deescalation", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    figures = incident_statistics(session, cell=runtime.cell, subject=caller.subject, weeks=WEEKS)
    return render(
        request, "dashboard.html", caller, runtime, figures=figures, statistics_url=STATISTICS_URL, weeks=WEEKS
    )
