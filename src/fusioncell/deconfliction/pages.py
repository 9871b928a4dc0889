"""The deconfliction notice pages: the list (GET /notices: awaiting your acknowledgement, active, upcoming,
past, and the form to give one), one notice (GET /notices/{id}) with its Acknowledge and Retract buttons.

Every read goes through deconfliction/queries.py and so the releasability rule; what is shown is the API's
view (endpoints.notices_read: findings and acknowledgements as far as the caller may know them). A notice the
caller may not read answers the 404 of a missing one, on its page and on every button. Giving a notice runs
the API's own body schema and handler, so the form's problems are the API's 422s.
"""

import json
import re
import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_give_notice, is_author_side
from fusioncell.access.subjects import Subject
from fusioncell.cell.deconfliction import Activity
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.deconfliction import endpoints, queries, service
from fusioncell.deconfliction.queries import When
from fusioncell.deconfliction.schemas import NoticeCreate, NoticeRead, Reason
from fusioncell.errors import Invalid
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

SECTION_SIZE = 50
_ZONE = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True)
class NoticeRow:
    """A notice as a page shows it: the caller's view, and what the caller may do about it."""

    view: NoticeRead
    may_acknowledge: bool
    may_retract: bool
    awaiting: list[str]  # parties asked whose acknowledgement the caller knows is missing


def notice_rows(session: Session, subject: Subject, runtime: Runtime, notices) -> list[NoticeRow]:
    return [_row(subject, view) for view in endpoints.notices_read(session, subject, runtime.cell, notices)]


def _row(subject: Subject, view: NoticeRead) -> NoticeRow:
    acknowledged = {a.party for a in view.acknowledgements}
    speaks = can_give_notice(subject, service.DESK)
    released = view.status == Status.RELEASED
    # Acknowledgements are released to the notice's origin (and so the mediator): another reader knows only
    # its own, so only its own is said to be missing.
    knows_all = is_author_side(subject, view.origin_party)
    asked = view.ack_parties if knows_all else [p for p in view.ack_parties if p == subject.party]
    return NoticeRow(
        view=view,
        may_acknowledge=released and speaks and subject.party in view.ack_parties and subject.party not in acknowledged,
        may_retract=speaks and view.origin_party == subject.party and view.status in (Status.PENDING, Status.RELEASED),
        awaiting=[p for p in asked if p not in acknowledged] if released else [],
    )


def zone_names(runtime: Runtime) -> dict:
    """The cell's zones by code, each with its names in the three languages (a finding names its zone)."""
    return {zone.code: zone.names for zone in runtime.cell.zones}


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject = caller.subject
    sections = {
        when: notice_rows(
            session, subject, runtime, queries.list_notices(session, subject=subject, when=when, limit=SECTION_SIZE)
        )
        for when in (When.ACTIVE, When.UPCOMING, When.PAST)
    }
    # Active and upcoming leave retracted notices out, past holds those whose window is over: the rest here.
    now = utcnow()
    newest = queries.list_notices(session, subject=subject, limit=SECTION_SIZE, now=now)
    withdrawn = [n for n in newest if n.status == Status.RETRACTED and n.ends_at > now]
    owed = [r for rows in (sections[When.ACTIVE], sections[When.UPCOMING]) for r in rows if r.may_acknowledge]
    return render(
        request,
        "notices.html",
        caller,
        runtime,
        sections=[(str(when), rows) for when, rows in sections.items()]
        + [("retracted", notice_rows(session, subject, runtime, withdrawn))],
        owed=owed,
        may_give=can_give_notice(subject, service.DESK),
        activities=[str(a) for a in Activity],
        markings=[str(m) for m in Marking],
        default_marking=str(Marking.AMBER),
        now=now,
        section_size=SECTION_SIZE,
        zone_names=zone_names(runtime),
    )


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    notice_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    notice = queries.readable_notice(session, subject=caller.subject, notice_id=notice_id)
    row = notice_rows(session, caller.subject, runtime, [notice])[0]
    return render(
        request, "notice.html", caller, runtime, row=row, notice=row.view, now=utcnow(), zone_names=zone_names(runtime)
    )


@router.post("/notices")
def give_notice(
    activity: str = Form(default=""),
    area_kind: str = Form(default="circle"),
    lat: str = Form(default=""),
    lon: str = Form(default=""),
    radius_km: str = Form(default=""),
    polygon: str = Form(default=""),
    starts_at: str = Form(default=""),
    ends_at: str = Form(default=""),
    altitude_min: str = Form(default=""),
    altitude_max: str = Form(default=""),
    description: str = Form(default=""),
    marking: str = Form(default=str(Marking.AMBER)),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The form, as the API's body: checked by NoticeCreate, given by the API's handler."""
    fields: dict = {
        "activity": activity,
        "starts_at": _utc(starts_at),
        "ends_at": _utc(ends_at),
        "description": description,
        "marking": marking,
    }
    if area_kind == "polygon":
        fields["polygon"] = _geometry(polygon)
    else:
        fields["circle"] = {"lat": lat, "lon": lon, "radius_km": radius_km}
    if altitude_min.strip() or altitude_max.strip():
        fields["altitude"] = {"min_m": altitude_min, "max_m": altitude_max}
    try:
        body = NoticeCreate.model_validate(fields)
    except ValidationError as exc:
        raise validation_messages.invalid_errors(exc.errors(), prefix="form.") from exc
    given = endpoints.give_notice(body=body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse(f"/notices/{given.id}", status_code=303)


@router.post("/notices/{notice_id}/acknowledge")
def acknowledge(notice_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    service.acknowledge_notice(session, subject=caller.subject, notice_id=notice_id)
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


@router.post("/notices/{notice_id}/retract")
def retract(
    notice_id: uuid.UUID,
    reason: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    # Read first: an unreadable notice is the 404 of a missing one before its reason is looked at.
    queries.readable_notice(session, subject=caller.subject, notice_id=notice_id)
    try:
        body = Reason.model_validate({"reason": reason})
    except ValidationError as exc:
        raise validation_messages.invalid_errors(exc.errors()[:1], prefix="form.") from exc
    service.retract_notice(session, subject=caller.subject, notice_id=notice_id, reason=body.reason)
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)


def _utc(value: str) -> str:
    """A datetime-local field has no zone: the form says UTC, so it is read as UTC."""
    value = value.strip()
    return value if not value or _ZONE.search(value) else value + "Z"


def _geometry(text: str) -> object:
    """The polygon field's GeoJSON text: a Polygon, or a Feature holding one."""
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise _invalid({"polygon": N_("not GeoJSON: paste a GeoJSON Polygon (its type and coordinates)")}) from exc
    if isinstance(found, dict) and found.get("type") == "Feature":
        found = found.get("geometry")
    return found


def _invalid(problems: dict[str, str]) -> Invalid:
    """The form's own problems (marked words), read in the language of the page that answers."""
    return validation_messages.invalid(problems, prefix="form.")
