"""GET /api/v1/incidents/statistics: the de-escalation desk's figures, over what the caller may read.

Mounted before the incidents router in app.py: `/api/v1/incidents/{incident_id}` would otherwise match.
"""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.incidents.statistics import MAX_WEEKS, IncidentStatistics, incident_statistics
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["incidents"])


@router.get("/incidents/statistics", response_model=IncidentStatistics)
def statistics(
    weeks: int = Query(default=12, ge=1, le=MAX_WEEKS, description="How many weeks back, this week included."),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Incidents per week by zone and by type, the time to acknowledge (median and 90th percentile per
    week), counts by stage and overdue acknowledgements: only incidents the caller may read are counted."""
    return incident_statistics(session, cell=runtime.cell, subject=caller.subject, weeks=weeks)
