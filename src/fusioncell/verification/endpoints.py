"""/api/v1/posture-declarations, /api/v1/inspections, /api/v1/positions and their withdrawal moves."""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.cell.definition import CellDefinition
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.incidents.service import invalid
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.verification import queries, service, withdrawals
from fusioncell.verification.models import PositionStage, Result
from fusioncell.verification.schemas import (
    InspectionCreate,
    InspectionPage,
    InspectionRead,
    NoteCreate,
    PositionCreate,
    PositionPage,
    PositionRead,
    PostureCreate,
    PosturePage,
    PostureRead,
    ScheduleCreate,
)
from fusioncell.verification.views import inspection_read, position_read, posture_read

router = APIRouter(prefix="/api/v1", tags=["verification"])

Cursor = Query(default=None, description="The last id of the previous page.")
Limit = Query(default=50, ge=1, le=200)


def _check(cell: CellDefinition, *, zone: str | None = None, party: str | None = None) -> None:
    """Filters naming what the cell does not have are mistakes, answered as a query that failed validation."""
    problems = {}
    if zone is not None and zone not in {z.code for z in cell.zones}:
        problems["zone"] = Phrase(N_("unknown zone {zone!r}"), zone=zone)
    if party is not None and party not in cell.party_codes:
        problems["party"] = Phrase(N_("unknown party {party!r}"), party=party)
    if problems:
        raise invalid(problems, prefix="query.")


@router.get("/posture-declarations", response_model=PosturePage)
def list_postures(
    zone: str | None = Query(default=None, max_length=64, description="Declarations for this zone."),
    party: str | None = Query(default=None, max_length=16, description="The declaring party."),
    over_limit: bool | None = Query(default=None, description="Only those over (or within) their limits."),
    cursor: uuid.UUID | None = Cursor,
    limit: int = Limit,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Newest first, as far as the caller may read them."""
    _check(runtime.cell, zone=zone, party=party)
    found = queries.list_postures(
        session, subject=caller.subject, zone=zone, party=party, over_limit=over_limit, before=cursor, limit=limit
    )
    return PosturePage(
        items=[posture_read(p) for p in found], next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post("/posture-declarations", response_model=PostureRead, status_code=201)
def declare_posture(
    body: PostureCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Declare your party's forces in one of its own bands as of a date. The answer carries what the server
    found against the zone's 1974 limits: each limit with the figure declared and allowed, over-limit flagged."""
    declaration = service.Declaration(
        **body.model_dump(exclude={"releasable_to", "marking"}),
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
        marking=body.marking,
    )
    posture = service.declare_posture(session, cell=runtime.cell, subject=caller.subject, declaration=declaration)
    return posture_read(posture)


@router.get("/posture-declarations/{declaration_id}", response_model=PostureRead)
def get_posture(declaration_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return posture_read(queries.readable_posture(session, subject=caller.subject, declaration_id=declaration_id))


@router.get("/inspections", response_model=InspectionPage)
def list_inspections(
    zone: str | None = Query(default=None, max_length=64, description="Inspections of this zone."),
    result: Result | None = None,
    cursor: uuid.UUID | None = Cursor,
    limit: int = Limit,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    _check(runtime.cell, zone=zone)
    found = queries.list_inspections(
        session, subject=caller.subject, zone=zone, result=result, before=cursor, limit=limit
    )
    return InspectionPage(
        items=[inspection_read(i) for i in found], next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post("/inspections", response_model=InspectionRead, status_code=201)
def file_inspection(
    body: InspectionCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """An observer's inspection report. Counts over a zone's limits make their finding a violation, and the
    result with it, whatever was marked."""
    report = service.InspectionReport(
        zones=tuple(body.zones),
        inspected_at=body.inspected_at,
        findings=tuple(
            service.Observation(zone=f.zone, observed=f.observed.model_dump(), compliant=f.compliant, remark=f.remark)
            for f in body.findings
        ),
        result=body.result,
        summary=body.summary,
        position_id=body.position_id,
        declaration_id=body.declaration_id,
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
        marking=body.marking,
    )
    inspection = service.file_inspection(session, cell=runtime.cell, subject=caller.subject, report=report)
    return inspection_read(inspection)


@router.get("/inspections/{inspection_id}", response_model=InspectionRead)
def get_inspection(inspection_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return inspection_read(queries.readable_inspection(session, subject=caller.subject, inspection_id=inspection_id))


@router.get("/positions", response_model=PositionPage)
def list_positions(
    stage: PositionStage | None = None,
    party: str | None = Query(default=None, max_length=16, description="The holding party."),
    cursor: uuid.UUID | None = Cursor,
    limit: int = Limit,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The withdrawal tracker, newest first; `overdue` marks scheduled withdrawals past their due date."""
    _check(runtime.cell, party=party)
    found = queries.list_positions(
        session, subject=caller.subject, stage=stage, party=party, before=cursor, limit=limit
    )
    return PositionPage(
        items=[position_read(p) for p in found], next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post("/positions", response_model=PositionRead, status_code=201)
def register_position(
    body: PositionCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Track a position, occupied as of now; the server derives the zones it lies in and its side of the lines."""
    draft = withdrawals.PositionDraft(
        name=body.name,
        location=body.location.model_dump(),
        holding_party=body.holding_party,
        description=body.description,
        releasable_to=None if body.releasable_to is None else frozenset(body.releasable_to),
        marking=body.marking,
    )
    position = withdrawals.register_position(session, cell=runtime.cell, subject=caller.subject, draft=draft)
    return position_read(position)


@router.get("/positions/{position_id}", response_model=PositionRead)
def get_position(position_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return position_read(queries.readable_position(session, subject=caller.subject, position_id=position_id))


@router.post("/positions/{position_id}/schedule", response_model=PositionRead)
def schedule(position_id: uuid.UUID, body: ScheduleCreate, caller: Caller = CallerDep, session: Session = SessionDep):
    """occupied → scheduled, with the due date: by the holding party's officers or the mediator."""
    position = withdrawals.schedule_withdrawal(
        session, subject=caller.subject, position_id=position_id, due_at=body.due_at, note=body.note
    )
    return position_read(position)


@router.post("/positions/{position_id}/withdraw", response_model=PositionRead)
def withdraw(
    position_id: uuid.UUID, body: NoteCreate | None = None, caller: Caller = CallerDep, session: Session = SessionDep
):
    """scheduled → withdrawn: declared by the holding party."""
    note = None if body is None else body.note
    position = withdrawals.declare_withdrawn(session, subject=caller.subject, position_id=position_id, note=note)
    return position_read(position)


@router.post("/positions/{position_id}/verify", response_model=PositionRead)
def verify(
    position_id: uuid.UUID, body: NoteCreate | None = None, caller: Caller = CallerDep, session: Session = SessionDep
):
    """withdrawn → verified: by an observer only."""
    note = None if body is None else body.note
    position = withdrawals.verify_withdrawal(session, subject=caller.subject, position_id=position_id, note=note)
    return position_read(position)
