"""The verification pages: the desk part (GET /verification: posture declarations with their over-limit
flags, inspections, the withdrawal tracker) and one position with its milestones (GET /positions/{id}), with
the buttons of the moves the caller may make.

Every read goes through verification/queries.py and so through the releasability rule; a position the caller
may not read answers the 404 of one that does not exist, on its page and on its buttons alike. The buttons run
the API's service calls (404, 403, 409 as there).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.subjects import Subject
from fusioncell.db.types import utcnow
from fusioncell.i18n import N_
from fusioncell.incidents.service import invalid
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.verification import queries, withdrawals
from fusioncell.verification.forms import forms_for
from fusioncell.verification.models import Position
from fusioncell.verification.schemas import MAX_NOTE_CHARS, PositionRead
from fusioncell.verification.views import inspection_read, position_read, posture_read
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

SHOWN = 200  # of each kind, newest first


@dataclass(frozen=True)
class PositionRow:
    view: PositionRead
    move: str | None  # the move the caller may make now: schedule, withdraw, verify


def _row(subject: Subject, position: Position, now: datetime) -> PositionRow:
    return PositionRow(view=position_read(position, now), move=withdrawals.next_move(subject, position))


def _zone_names(runtime: Runtime) -> dict:
    """The cell's zones by code, with their names in the three languages (the templates pick the page's)."""
    return {zone.code: zone.names for zone in runtime.cell.zones}


@router.get("/verification", response_class=HTMLResponse)
def verification_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, now = caller.subject, utcnow()
    postures = queries.list_postures(session, subject=subject, limit=SHOWN)
    inspections = queries.list_inspections(session, subject=subject, limit=SHOWN)
    positions = [_row(subject, p, now) for p in queries.list_positions(session, subject=subject, limit=SHOWN)]
    return render(
        request,
        "verification.html",
        caller,
        runtime,
        postures=[posture_read(p) for p in postures],
        inspections=[inspection_read(i) for i in inspections],
        positions=positions,
        overdue=[r for r in positions if r.view.overdue],
        zone_names=_zone_names(runtime),
        form=forms_for(subject, runtime.cell),
        today=now.date().isoformat(),
        now=now,
    )


@router.get("/positions/{position_id}", response_class=HTMLResponse)
def position_page(
    position_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    now = utcnow()
    position = queries.readable_position(session, subject=caller.subject, position_id=position_id)
    return render(
        request,
        "position.html",
        caller,
        runtime,
        row=_row(caller.subject, position, now),
        zone_names=_zone_names(runtime),
        line_names={line.code: line.names for line in runtime.cell.lines},
        today=now.date().isoformat(),
        now=now,
    )


# The forms' fields are optional here and checked after the position is read, so a position the caller may
# not read answers its 404 whatever the form holds.


@router.post("/positions/{position_id}/schedule")
def schedule(
    position_id: uuid.UUID,
    due_on: str = Form(default="", max_length=32),
    note: str = Form(default="", max_length=MAX_NOTE_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    """occupied → scheduled: due by the end of the chosen day (UTC)."""
    queries.readable_position(session, subject=caller.subject, position_id=position_id)
    try:
        due = datetime.combine(date.fromisoformat(due_on.strip()), time(23, 59, 59), tzinfo=UTC)
    except ValueError:
        raise invalid({"due_on": N_("give the date the withdrawal is due, as YYYY-MM-DD")}, prefix="form.") from None
    withdrawals.schedule_withdrawal(
        session, subject=caller.subject, position_id=position_id, due_at=due, note=note.strip() or None
    )
    return RedirectResponse(f"/positions/{position_id}", status_code=303)


@router.post("/positions/{position_id}/withdraw")
def withdraw(
    position_id: uuid.UUID,
    note: str = Form(default="", max_length=MAX_NOTE_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    withdrawals.declare_withdrawn(session, subject=caller.subject, position_id=position_id, note=note.strip() or None)
    return RedirectResponse(f"/positions/{position_id}", status_code=303)


@router.post("/positions/{position_id}/verify")
def verify(
    position_id: uuid.UUID,
    note: str = Form(default="", max_length=MAX_NOTE_CHARS),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    withdrawals.verify_withdrawal(session, subject=caller.subject, position_id=position_id, note=note.strip() or None)
    return RedirectResponse(f"/positions/{position_id}", status_code=303)
