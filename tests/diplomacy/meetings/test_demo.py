"""The demo's meetings: clearly marked illustrative, one past with agreed minutes, one past awaiting SYR's
approval, one upcoming, seeded through the service (and so in the record)."""

from sqlalchemy import select

from fusioncell.access.models import User
from fusioncell.access.service import subject_for
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy.meetings.demo import seed_demo_meetings
from fusioncell.diplomacy.meetings.models import Meeting, MinutesState
from fusioncell.diplomacy.meetings.service import awaiting
from fusioncell.events.representations import registered


def test_the_demo_meetings(db, cell, population):
    def subject(party: str):  # the population's liaison officers stand in for the demo's accounts
        return subject_for(db.get(User, population.member(party, "liaison").user_id), cell)

    seed_demo_meetings(db, cell=cell, usa=subject("USA"), isr=subject("ISR"), syr=subject("SYR"))
    meetings = db.execute(select(Meeting).order_by(Meeting.starts_at)).scalars().all()
    assert len(meetings) == 3 and all(m.title.startswith(ILLUSTRATIVE) for m in meetings)
    agreed, pending, upcoming = meetings
    assert agreed.minutes_state == MinutesState.AGREED and agreed.minutes_text.startswith(ILLUSTRATIVE)
    assert pending.minutes_state == MinutesState.DRAFT and awaiting(pending) == ["SYR"]
    assert upcoming.starts_at > utcnow() and upcoming.minutes_state == MinutesState.NONE
    assert all(m.ledger_index is not None for m in meetings)
    told = registered("meeting").view(agreed)  # what the live stream and webhooks send its readers
    assert told["minutes"]["state"] == "agreed" and told["attachments"] == [] and told["title"] == agreed.title
