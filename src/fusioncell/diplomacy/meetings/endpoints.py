"""/api/v1/meetings: scheduling meetings, drafting their minutes and approving them.

Every read goes through service.readable_meeting / list_meetings and so the releasability rule: a meeting the
caller may not read answers the 404 of a missing one, on its path and on every action under it.
"""

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.diplomacy.meetings import service
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.diplomacy.meetings.schemas import (
    ApprovalIn,
    AttachmentRef,
    MeetingCreate,
    MeetingPage,
    MeetingRead,
    MinutesIn,
)
from fusioncell.diplomacy.meetings.service import When
from fusioncell.events.representations import Representation, register
from fusioncell.hotline.models import Attachment
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["diplomacy"])


def meeting_view(meeting: Meeting, cell: CellDefinition | None = None) -> dict:
    """A meeting as every one of its readers may see it; the files it refers to are added per reader."""
    place = _place(cell, meeting.place_code)
    return {
        **{f: getattr(meeting, f) for f in ("id", "origin_party", "created_by", "created_at", "version", "status")},
        "marking": str(meeting.marking),
        "ledger_index": meeting.ledger_index,
        "releasable_to": sorted(meeting.releasable_to),
        "title": meeting.title,
        "venue": {
            "place": meeting.place_code,
            "names": None if place is None else place.names.model_dump(exclude_none=True),
            "lat": None if place is None else place.lat,
            "lon": None if place is None else place.lon,
            "text": meeting.venue_text,
        },
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "participants": meeting.participants,
        "agenda": meeting.agenda,
        "attachments": [],
        "approving_parties": sorted(meeting.approving_parties),
        "minutes": {
            "state": meeting.minutes_state,
            "draft": meeting.minutes_draft,
            "text": meeting.minutes_text,
            "drafted_by": meeting.minutes_drafted_by,
            "drafted_at": meeting.minutes_drafted_at,
            "approvals": [{"party": p, **a} for p, a in sorted(meeting.minutes_approvals.items())],
            "awaiting": service.awaiting(meeting),
            "agreed_at": meeting.minutes_agreed_at,
        },
    }


def _place(cell: CellDefinition | None, code: str | None):
    if cell is None or code is None:
        return None
    return next((p for p in cell.places if p.code == code), None)


def meetings_read(
    session: Session, subject: Subject, cell: CellDefinition, meetings: list[Meeting]
) -> list[MeetingRead]:
    """The caller's view: each meeting with the files it refers to that the caller may read."""
    wanted = {uuid.UUID(i) for m in meetings for i in m.attachment_ids}
    files: dict[str, Attachment] = {}
    if wanted:
        query = select(Attachment).where(Attachment.id.in_(wanted), readable(subject, Attachment))
        files = {str(a.id): a for a in session.execute(query).scalars()}
    return [
        MeetingRead.model_validate(
            meeting_view(m, cell)
            | {
                "attachments": [
                    AttachmentRef.model_validate(files[i], from_attributes=True) for i in m.attachment_ids if i in files
                ]
            }
        )
        for m in meetings
    ]


def meeting_read(session: Session, subject: Subject, cell: CellDefinition, meeting: Meeting) -> MeetingRead:
    return meetings_read(session, subject, cell, [meeting])[0]


@router.get("/meetings", response_model=MeetingPage)
def list_meetings(
    when: When | None = Query(default=None, description="upcoming (not yet over) or past"),
    starts_from: datetime | None = Query(default=None, description="Meetings starting at or after this time."),
    starts_before: datetime | None = Query(default=None, description="Meetings starting before this time."),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    found = service.list_meetings(
        session,
        subject=caller.subject,
        when=when,
        starts_from=starts_from,
        starts_before=starts_before,
        after=cursor,
        limit=limit,
    )
    return MeetingPage(
        items=meetings_read(session, caller.subject, runtime.cell, found),
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.post("/meetings", response_model=MeetingRead, status_code=201)
def schedule_meeting(
    body: MeetingCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Schedule a meeting (the mediator). Readable by its participants; the mediator is always one."""
    plan = service.MeetingPlan(
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        participants={p.party: tuple(p.delegates) for p in body.participants},
        place=body.place,
        venue=body.venue,
        agenda=tuple(body.agenda),
        attachments=tuple(body.attachments),
        marking=body.marking,
    )
    meeting = service.schedule_meeting(session, cell=runtime.cell, subject=caller.subject, plan=plan)
    return meeting_read(session, caller.subject, runtime.cell, meeting)


@router.get("/meetings/{meeting_id}", response_model=MeetingRead)
def get_meeting(
    meeting_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    meeting = service.readable_meeting(session, subject=caller.subject, meeting_id=meeting_id)
    return meeting_read(session, caller.subject, runtime.cell, meeting)


@router.post("/meetings/{meeting_id}/minutes", response_model=MeetingRead)
def draft_minutes(
    meeting_id: uuid.UUID,
    body: MinutesIn,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Draft or redraft the minutes (the mediator); a redraft voids every approval of an earlier draft."""
    meeting = service.draft_minutes(session, subject=caller.subject, meeting_id=meeting_id, text=body.text)
    return meeting_read(session, caller.subject, runtime.cell, meeting)


@router.post("/meetings/{meeting_id}/minutes/approve", response_model=MeetingRead)
def approve_minutes(
    meeting_id: uuid.UUID,
    body: ApprovalIn,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Your party's approval of the draft numbered `draft`, which must be the current one."""
    meeting = service.approve_minutes(session, subject=caller.subject, meeting_id=meeting_id, draft=body.draft)
    return meeting_read(session, caller.subject, runtime.cell, meeting)


register(
    "meeting",
    Representation(model=Meeting, view=lambda m: MeetingRead.model_validate(meeting_view(m)).model_dump(mode="json")),
)
