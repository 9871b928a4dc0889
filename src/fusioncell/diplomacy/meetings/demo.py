"""The demo cell's meetings: clearly marked illustrative records, so the calendar is alive on first run. Only
`fusioncell demo` (or `init --demo`) gives them, through the same service as the API."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.diplomacy.meetings.service import MeetingPlan, approve_minutes, draft_minutes, schedule_meeting

DELEGATIONS = {
    "USA": ("US mediator (chair)",),
    "ISR": ("Israeli liaison officer",),
    "SYR": ("Syrian liaison officer",),
}


def _hold(
    session: Session, cell: CellDefinition, usa: Subject, *, title: str, starts_at: datetime, hours: int, **plan
) -> Meeting:
    return schedule_meeting(
        session,
        cell=cell,
        subject=usa,
        now=starts_at - timedelta(days=3) if starts_at < utcnow() else None,
        plan=MeetingPlan(
            title=ILLUSTRATIVE + title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            participants=dict(DELEGATIONS),
            **plan,
        ),
    )


def seed_demo_meetings(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    """A past plenary whose minutes both parties agreed; a past technical meeting whose minutes wait for
    Syria's approval; an upcoming plenary."""
    if not {"USA", "ISR", "SYR"} <= cell.party_codes:
        return
    day = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)
    agreed = _hold(
        session,
        cell,
        usa,
        title="Plenary on crossing hours at Quneitra",
        starts_at=day - timedelta(days=9),
        hours=3,
        place="quneitra",
        agenda=("Crossing hours for civilians", "Medical evacuations at night"),
    )
    draft_minutes(
        session,
        subject=usa,
        meeting_id=agreed.id,
        now=agreed.ends_at + timedelta(hours=2),
        text=ILLUSTRATIVE + "1. The crossing opens 08:00-16:00 local time, every day.\n"
        "2. Medical evacuations at night are notified on the hotline and escorted by UNDOF.",
    )
    approve_minutes(session, subject=isr, meeting_id=agreed.id, draft=1, now=agreed.ends_at + timedelta(hours=20))
    approve_minutes(session, subject=syr, meeting_id=agreed.id, draft=1, now=agreed.ends_at + timedelta(hours=30))

    pending = _hold(
        session,
        cell,
        usa,
        title="Technical meeting on notification lead times",
        starts_at=day - timedelta(days=2),
        hours=2,
        venue="UNDOF Camp Faouar, conference room",
        agenda=("Lead times for convoys to Suwayda", "Hotline test schedule"),
    )
    draft_minutes(
        session,
        subject=usa,
        meeting_id=pending.id,
        now=pending.ends_at + timedelta(hours=1),
        text=ILLUSTRATIVE + "1. Convoys are notified 24 hours ahead.\n2. The hotline is tested every Monday 09:00.",
    )
    approve_minutes(session, subject=isr, meeting_id=pending.id, draft=1, now=pending.ends_at + timedelta(hours=5))

    _hold(
        session,
        cell,
        usa,
        title="Plenary: review of the first month",
        starts_at=day + timedelta(days=5),
        hours=3,
        place="quneitra",
        agenda=("Incidents of the month", "Commitments falling due", "Date of the next plenary"),
    )
