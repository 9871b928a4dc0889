"""GET /api/v1/intel/reports/{id}/correlations: the reports the caller may read that share a value, an actor
or a place and time with one it may read. An unreadable report answers the 404 of a missing one, so the
path tells nothing either."""

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.intel import queries
from fusioncell.intel.correlation import correlations_for
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1/intel", tags=["intelligence"])


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    report_id: uuid.UUID
    title: str
    origin_party: str
    kind: str
    status: str
    shared: list[str]


class CommonValueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    key: str
    reports: int


class CorrelationsRead(BaseModel):
    """Links first by how much they share, then newest; values too common to link, with their counts."""

    model_config = ConfigDict(from_attributes=True)

    links: list[LinkRead]
    common: list[CommonValueRead]


@router.get("/reports/{report_id}/correlations", response_model=CorrelationsRead)
def report_correlations(
    report_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """What else the caller may read that shares an observable, a threat actor, or a place and time window
    with this report. Every link and count covers readable reports only."""
    report = queries.readable_report(session, subject=caller.subject, report_id=report_id)
    found = correlations_for(session, cell=runtime.cell, subject=caller.subject, report=report)
    return CorrelationsRead.model_validate(found)
