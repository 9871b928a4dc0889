"""The meeting pages: the calendar (GET /meetings: a week or a month in the cell's time zone, with UTC beside
it, then the upcoming and past meetings, and the form to schedule one), one meeting (GET /meetings/{id}) with
its agenda, participants, files, minutes, the form to draft them and the button to approve them.

Every read goes through the service and so the releasability rule; what is shown is the API's view
(endpoints.meetings_read). A meeting the caller may not read answers the 404 of a missing one, on its page and
on every button, before any form field is looked at. The forms run the API's own body schemas (form_body),
so their problems are the API's 422s. Times typed into the form are read in the cell's time zone.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.meetings import endpoints, service
from fusioncell.diplomacy.meetings.models import MinutesState
from fusioncell.diplomacy.meetings.schemas import ApprovalIn, MeetingCreate, MeetingRead, MinutesIn
from fusioncell.diplomacy.meetings.service import When
from fusioncell.i18n import current_language, formats
from fusioncell.i18n import gettext as _
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

SECTION_SIZE = 20
CALENDAR_SIZE = 200


@dataclass(frozen=True)
class Clock:
    """Shows a UTC moment in the cell's time zone, UTC beside it, as the page's language writes dates and times
    (i18n.formats, called while the template renders, so in the language `render` speaks)."""

    zone: ZoneInfo

    def local(self, moment: datetime) -> str:
        """The day (with its weekday) and the time of day in the cell's zone."""
        day = formats.day(moment, self.zone.key, style="full")
        return _("%(day)s, %(time)s") % {"day": day, "time": self.time(moment)}

    def time(self, moment: datetime) -> str:
        """The time of day only, in the cell's zone (a calendar cell's line)."""
        return formats.time_of_day(moment, self.zone.key)

    def utc(self, moment: datetime) -> str:
        return formats.time_of_day(moment, "UTC") + " UTC"

    def weekday(self, day: date) -> str:
        """A calendar column's heading: the day's abbreviated weekday name in the page's language (CLDR)."""
        return format_date(day, "EEE", locale=current_language())

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as a page shows it: the caller's view and what the caller may do about it."""

    view: MeetingRead
    may_draft: bool
    may_approve: bool


def _row(subject: Subject, view: MeetingRead, now: datetime) -> MeetingRow:
    minutes = view.minutes
    open_minutes = view.status == Status.RELEASED and minutes.state != MinutesState.AGREED
    approved = {a.party for a in minutes.approvals}
    return MeetingRow(
        view=view,
        may_draft=open_minutes and service.can_chair(subject) and view.starts_at <= now,
        may_approve=open_minutes
        and minutes.state == MinutesState.DRAFT
        and subject.party in view.approving_parties
        and subject.party not in approved
        and service.can_approve_for_party(subject),
    )


def _rows(session: Session, subject: Subject, runtime: Runtime, meetings) -> list[MeetingRow]:
    now = utcnow()
    return [_row(subject, v, now) for v in endpoints.meetings_read(session, subject, runtime.cell, meetings)]


def _span(view: str, anchor: date) -> tuple[date, date]:
    """The days a week (Monday first) or a month shows, whole weeks either way."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=7)
    month_start = anchor.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    first = month_start - timedelta(days=month_start.weekday())
    last = month_end + timedelta(days=(7 - month_end.weekday()) % 7)
    return first, last


def _step(view: str, anchor: date, forward: bool) -> date:
    if view == "week":
        return anchor + timedelta(days=7 if forward else -7)
    month_start = anchor.replace(day=1)
    return (
        (month_start + timedelta(days=32)).replace(day=1)
        if forward
        else (month_start - timedelta(days=1)).replace(day=1)
    )


def _weeks(first: date, last: date, rows: list[MeetingRow], clock: Clock) -> list[list[tuple[date, list[MeetingRow]]]]:
    by_day: dict[date, list[MeetingRow]] = {}
    for row in rows:
        by_day.setdefault(clock.day(row.view.starts_at), []).append(row)
    days = [first + timedelta(days=i) for i in range((last - first).days)]
    return [[(d, by_day.get(d, [])) for d in days[i : i + 7]] for i in range(0, len(days), 7)]


@router.get("/meetings", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    view: str = Query(default="month", pattern="^(week|month)$"),
    at: date | None = None,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, clock = caller.subject, Clock(ZoneInfo(runtime.cell.timezone))
    anchor = at or clock.day(utcnow())
    first, last = _span(view, anchor)
    shown = service.list_meetings(
        session,
        subject=subject,
        starts_from=clock.start_of(first),
        starts_before=clock.start_of(last),
        limit=CALENDAR_SIZE,
    )
    return render(
        request,
        "meetings.html",
        caller,
        runtime,
        clock=clock,
        view=view,
        anchor=anchor,
        today=clock.day(utcnow()),
        previous=_step(view, anchor, False),
        following=_step(view, anchor, True),
        weeks=_weeks(first, last, _rows(session, subject, runtime, shown), clock),
        upcoming=_rows(
            session,
            subject,
            runtime,
            service.list_meetings(session, subject=subject, when=When.UPCOMING, limit=SECTION_SIZE),
        ),
        past=_rows(
            session,
            subject,
            runtime,
            service.list_meetings(session, subject=subject, when=When.PAST, limit=SECTION_SIZE),
        ),
        section_size=SECTION_SIZE,
        may_schedule=service.can_chair(subject),
        parties=runtime.cell.parties,
        places=runtime.cell.places,
        markings=[str(m) for m in Marking],
        default_marking=str(Marking.AMBER),
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(
    meeting_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    meeting = service.readable_meeting(session, subject=caller.subject, meeting_id=meeting_id)
    row = _rows(session, caller.subject, runtime, [meeting])[0]
    clock = Clock(ZoneInfo(runtime.cell.timezone))
    parties = {p.code: p for p in runtime.cell.parties}
    return render(request, "meeting.html", caller, runtime, row=row, meeting=row.view, clock=clock, parties=parties)


async def form_fields(request: Request) -> dict:
    """The posted form as a dict of lists (a participant's delegates are named per party); async because
    reading a form is, and it touches no database."""
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form.keys()}


def _one(fields: dict, name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def _lines(text: str, separators: str = "\n") -> list[str]:
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [line.strip() for line in text.split(separators[0]) if line.strip()]


def _local_time(value: str, zone: ZoneInfo) -> str | None:
    """A datetime-local field has no zone: the form says the cell's, so it is read in it."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return value  # left for the schema to refuse in its words
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()


@router.post("/meetings")
def schedule_meeting(
    fields: dict = Depends(form_fields),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The form, as the API's body: checked by MeetingCreate, scheduled by the API's handler."""
    zone = ZoneInfo(runtime.cell.timezone)
    venue_kind = _one(fields, "venue_kind")
    body = form_body(
        MeetingCreate,
        title=_one(fields, "title"),
        place=(_one(fields, "place") or None) if venue_kind != "text" else None,
        venue=(_one(fields, "venue") or None) if venue_kind == "text" else None,
        starts_at=_local_time(_one(fields, "starts_at"), zone),
        ends_at=_local_time(_one(fields, "ends_at"), zone),
        participants=[
            {"party": code, "delegates": _lines(_one(fields, f"delegates_{code}"), "\n,")}
            for code in fields.get("party", [])
        ],
        agenda=_lines(_one(fields, "agenda")),
        attachments=_lines(_one(fields, "attachments"), "\n, "),
        marking=_one(fields, "marking") or None,
    )
    scheduled = endpoints.schedule_meeting(body=body, caller=caller, session=session, runtime=runtime)
    return RedirectResponse(f"/meetings/{scheduled.id}", status_code=303)


@router.post("/meetings/{meeting_id}/minutes")
def draft_minutes(
    meeting_id: uuid.UUID,
    text: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    # Read first: an unreadable meeting is the 404 of a missing one before its form is looked at.
    service.readable_meeting(session, subject=caller.subject, meeting_id=meeting_id)
    body = form_body(MinutesIn, text=text)
    service.draft_minutes(session, subject=caller.subject, meeting_id=meeting_id, text=body.text)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)


@router.post("/meetings/{meeting_id}/minutes/approve")
def approve_minutes(
    meeting_id: uuid.UUID,
    draft: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    service.readable_meeting(session, subject=caller.subject, meeting_id=meeting_id)
    body = form_body(ApprovalIn, draft=draft)
    service.approve_minutes(session, subject=caller.subject, meeting_id=meeting_id, draft=body.draft)
    return RedirectResponse(f"/meetings/{meeting_id}", status_code=303)
