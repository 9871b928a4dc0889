"""Scheduling meetings, drafting their minutes and approving them. Never commits.

The mediator chairs: it schedules, and it drafts (and redrafts) the minutes. Each attending principal
approves the draft it read, by number, so an approval can never land on a text the party did not see; a
redraft voids every earlier approval. When the last attending principal approves, the minutes are agreed
and frozen. Observers attend and read the minutes; they are not asked to approve them.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.rule import can_read_record, readable
from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.meetings.models import Meeting, MinutesState
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound, Phrase
from fusioncell.hotline.models import Attachment
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "diplomacy"


class When(StrEnum):
    UPCOMING = "upcoming"  # not yet over: soonest first
    PAST = "past"  # over: latest first


@dataclass(frozen=True)
class MeetingPlan:
    """What the mediator schedules; validated for shape at the edge (schemas.MeetingCreate)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    participants: dict[str, tuple[str, ...]]  # party code -> named delegates
    place: str | None = None
    venue: str | None = None
    agenda: tuple[str, ...] = ()
    attachments: tuple[uuid.UUID, ...] = field(default=())
    marking: Marking = Marking.AMBER


def can_chair(subject: Subject) -> bool:
    """Schedule meetings and draft their minutes: the mediator's liaison officers, supervisors and diplomacy
    officers."""
    roles = subject.roles
    return subject.is_mediator and (Role.LIAISON in roles or Role.SUPERVISOR in roles or f"officer:{DESK}" in roles)


def can_approve_for_party(subject: Subject) -> bool:
    """Approve minutes for the party: its liaison officers and diplomacy officers."""
    return speaks_on_desk(subject, DESK)


def _invalid(problems: dict[str, str]) -> Invalid:
    """The one error shape, each problem at its field as the API's request body names it."""
    return validation_messages.invalid(problems, prefix="body.")


def readable_meeting(session: Session, *, subject: Subject, meeting_id: uuid.UUID, for_update: bool = False) -> Meeting:
    """The meeting if the caller may read it; the 404 of a missing one otherwise. Writers lock the row so
    two approvals arriving together cannot overwrite each other."""
    query = select(Meeting).where(Meeting.id == meeting_id, readable(subject, Meeting))
    if for_update:
        query = query.with_for_update()
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def list_meetings(
    session: Session,
    *,
    subject: Subject,
    when: When | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    after: uuid.UUID | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[Meeting]:
    """Readable meetings, upcoming soonest first, otherwise latest first; `after` is the last one of the
    previous page (one the caller may read)."""
    now = now or utcnow()
    query = select(Meeting).where(readable(subject, Meeting))
    if when == When.UPCOMING:
        query = query.where(Meeting.ends_at > now)
    elif when == When.PAST:
        query = query.where(Meeting.ends_at <= now)
    if starts_from is not None:
        query = query.where(Meeting.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Meeting.starts_at < starts_before)
    ascending = when == When.UPCOMING
    if after is not None:
        query = query.where(_beyond(_cursor(session, subject, after), ascending))
    order = (Meeting.starts_at, Meeting.id) if ascending else (Meeting.starts_at.desc(), Meeting.id.desc())
    return list(session.execute(query.order_by(*order).limit(limit)).scalars())


def _cursor(session: Session, subject: Subject, after: uuid.UUID) -> Meeting:
    try:
        return readable_meeting(session, subject=subject, meeting_id=after)
    except NotFound:
        raise Invalid(N_("cursor: no such meeting; start from the first page")) from None


def _beyond(last: Meeting, ascending: bool):
    if ascending:
        return or_(Meeting.starts_at > last.starts_at, and_(Meeting.starts_at == last.starts_at, Meeting.id > last.id))
    return or_(Meeting.starts_at < last.starts_at, and_(Meeting.starts_at == last.starts_at, Meeting.id < last.id))


def _participants(cell: CellDefinition, plan: MeetingPlan) -> list[dict]:
    """The parties attending, the mediator first (it chairs, named or not), then in the order given."""
    unknown = sorted(set(plan.participants) - cell.party_codes)
    if unknown:
        known = ", ".join(sorted(cell.party_codes))
        raise _invalid(
            {
                "participants": Phrase(
                    N_("unknown party {unknown} (parties: {known})"), unknown=", ".join(unknown), known=known
                )
            }
        )
    principals = {p.code for p in cell.principals}
    if not principals & set(plan.participants):
        raise _invalid({"participants": N_("name at least one principal party: someone must approve the minutes")})
    mediator = cell.mediator.code
    ordered = [mediator] + [code for code in plan.participants if code != mediator]
    return [{"party": code, "delegates": list(plan.participants.get(code, ()))} for code in ordered]


def _venue(cell: CellDefinition, plan: MeetingPlan) -> None:
    if plan.place is not None and plan.place not in {p.code for p in cell.places}:
        known = ", ".join(p.code for p in cell.places) or "none"
        raise _invalid(
            {
                "place": Phrase(
                    N_("unknown place {place!r} (the gazetteer's places: {known})"), place=plan.place, known=known
                )
            }
        )


def _attachments(session: Session, subject: Subject, ids: tuple[uuid.UUID, ...]) -> list[Attachment]:
    """Files the caller may read; one it may not answers exactly as one that does not exist."""
    found = []
    for attachment_id in dict.fromkeys(ids):
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or not can_read_record(subject, attachment):
            raise _invalid(
                {"attachments": Phrase(N_("no such file you may read: {attachment_id}"), attachment_id=attachment_id)}
            )
        found.append(attachment)
    return found


def _share_with(session: Session, subject: Subject, attachments: list[Attachment], parties: frozenset[str]) -> None:
    """The chair's own files no message carries are released to the meeting's participants (widened, never
    narrowed), so those who attend may read what the meeting refers to."""
    for attachment in attachments:
        if attachment.origin_party != subject.party or attachment.message_id is not None:
            continue
        wider = frozenset(attachment.releasable_to) | (parties - {subject.party})
        if attachment.status == Status.RELEASED and wider == frozenset(attachment.releasable_to):
            continue
        attachment.status, attachment.releasable_to = Status.RELEASED, wider
        attachment.version += 1
        record_change(
            session,
            record=attachment,
            action="attachment-shared-with-meeting",
            actor=subject.username,
            party=subject.party,
        )


def schedule_meeting(
    session: Session, *, cell: CellDefinition, subject: Subject, plan: MeetingPlan, now: datetime | None = None
) -> Meeting:
    """Record a meeting, readable at once by its participants (and the mediator, who chairs it)."""
    if not can_chair(subject):
        raise Forbidden(
            N_("meetings are scheduled by the mediator's liaison officers, supervisors and diplomacy officers")
        )
    participants = _participants(cell, plan)
    _venue(cell, plan)
    attachments = _attachments(session, subject, plan.attachments)
    parties = frozenset(p["party"] for p in participants)
    meeting = Meeting(
        title=plan.title,
        place_code=plan.place,
        venue_text=plan.venue,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        participants=participants,
        agenda=list(plan.agenda),
        attachment_ids=[str(a.id) for a in attachments],
        approving_parties=parties & {p.code for p in cell.principals},
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now or utcnow(),
        marking=str(plan.marking),
        status=Status.RELEASED,
        releasable_to=parties,
    )
    session.add(meeting)
    _share_with(session, subject, attachments, parties)
    record_change(session, record=meeting, action="meeting-scheduled", actor=subject.username, party=subject.party)
    return meeting


def _open_minutes(meeting: Meeting) -> None:
    """Minutes may change only on a meeting that stands and whose minutes are not agreed."""
    if meeting.status != Status.RELEASED:
        raise Conflict(N_("the meeting is {status}; its minutes cannot change"), status=meeting.status)
    if meeting.minutes_state == MinutesState.AGREED:
        raise Conflict(N_("the minutes are agreed and in the record; they cannot change"))


def draft_minutes(
    session: Session, *, subject: Subject, meeting_id: uuid.UUID, text: str, now: datetime | None = None
) -> Meeting:
    """Put a (new) draft of the minutes to the attending parties; any approval of an earlier draft is void."""
    meeting = readable_meeting(session, subject=subject, meeting_id=meeting_id, for_update=True)
    if not can_chair(subject):
        raise Forbidden(
            N_("minutes are drafted by the mediator's liaison officers, supervisors and diplomacy officers")
        )
    _open_minutes(meeting)
    now = now or utcnow()
    if meeting.starts_at > now:
        raise Conflict(N_("the meeting has not started yet; minutes are drafted once it has"))
    redraft = meeting.minutes_draft > 0
    meeting.minutes_state = MinutesState.DRAFT
    meeting.minutes_draft += 1
    meeting.minutes_text = text
    meeting.minutes_drafted_by = subject.username
    meeting.minutes_drafted_at = now
    meeting.minutes_approvals = {}
    meeting.version += 1
    action = "minutes-redrafted" if redraft else "minutes-drafted"
    record_change(session, record=meeting, action=action, actor=subject.username, party=subject.party)
    return meeting


def approve_minutes(
    session: Session, *, subject: Subject, meeting_id: uuid.UUID, draft: int, now: datetime | None = None
) -> Meeting:
    """The party's approval of draft `draft`, which must be the current one. Asked again for the same draft,
    the first approval stands and nothing is recorded. The last approval makes the minutes agreed."""
    meeting = readable_meeting(session, subject=subject, meeting_id=meeting_id, for_update=True)
    if subject.party not in meeting.approving_parties:
        raise Forbidden(N_("your party is not an attending party asked to approve these minutes"))
    if not can_approve_for_party(subject):
        raise Forbidden(N_("minutes are approved by a party's liaison officers and diplomacy officers"))
    _open_minutes(meeting)
    if meeting.minutes_state == MinutesState.NONE:
        raise Conflict(N_("no minutes have been drafted yet; there is nothing to approve"))
    if draft != meeting.minutes_draft:
        raise Conflict(
            N_(
                "draft {draft} is not the current draft: the minutes are at draft {minutes_draft}; read it "
                "and approve that one"
            ),
            draft=draft,
            minutes_draft=meeting.minutes_draft,
            details={"current_draft": meeting.minutes_draft},
        )
    if subject.party in meeting.minutes_approvals:
        return meeting
    now = now or utcnow()
    approval = {"by": subject.username, "at": now.isoformat(timespec="microseconds")}
    meeting.minutes_approvals = {**meeting.minutes_approvals, subject.party: approval}
    agreed = set(meeting.minutes_approvals) >= set(meeting.approving_parties)
    if agreed:
        meeting.minutes_state = MinutesState.AGREED
        meeting.minutes_agreed_at = now
    meeting.version += 1
    action = "minutes-agreed" if agreed else "minutes-approved"
    record_change(session, record=meeting, action=action, actor=subject.username, party=subject.party)
    return meeting


def awaiting(meeting: Meeting) -> list[str]:
    """Attending principals whose approval of the current draft is missing."""
    if meeting.minutes_state != MinutesState.DRAFT:
        return []
    return sorted(set(meeting.approving_parties) - set(meeting.minutes_approvals))
