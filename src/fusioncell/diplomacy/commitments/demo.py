"""The demo cell's illustrative commitments, so the register, its chart, the inbox and the mediator's overview
show something on first run. Clearly marked; recorded through the same service calls (and into the record) as
any commitment, back-dated so the chart has weeks to show."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy.commitments import service
from fusioncell.diplomacy.commitments.schemas import CommitmentCreate


def _record(session, cell, subject, *, text, party, made_days_ago, due_in_days, state="agreed"):
    now = utcnow()
    made = now - timedelta(days=made_days_ago)
    body = CommitmentCreate(
        text=ILLUSTRATIVE + text,
        responsible_party=party,
        source_kind="other",
        made_at=made,
        due_at=now + timedelta(days=due_in_days),
        state=state,
    )
    return service.record_commitment(session, cell=cell, subject=subject, body=body, now=made)


def seed_demo_commitments(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    """One of each kind a chair meets: done, under way, overdue, contested, and a fresh proposal."""
    now = utcnow()
    done = _record(
        session,
        cell,
        usa,
        text="Israel reopens the Quneitra crossing to UNDOF convoys on weekdays.",
        party="ISR",
        made_days_ago=40,
        due_in_days=-20,
    )
    service.claim(
        session,
        subject=isr,
        commitment_id=done.id,
        state="done",
        now=now - timedelta(days=25),
        note="Crossing open Monday to Friday 06:00-18:00 since the start of the month.",
    )
    under_way = _record(
        session,
        cell,
        usa,
        text="Syria removes the checkpoint on the Khan Arnabah road inside the AOS.",
        party="SYR",
        made_days_ago=30,
        due_in_days=10,
    )
    service.claim(
        session,
        subject=syr,
        commitment_id=under_way.id,
        state="in_progress",
        now=now - timedelta(days=12),
        note="Engineering unit assigned; concrete blocks removed on the northern side.",
    )
    _record(
        session,
        cell,
        usa,
        text="Israel shares the map of unexploded ordnance cleared near Hader.",
        party="ISR",
        made_days_ago=21,
        due_in_days=-3,
    )  # overdue: agreed, due three days ago, nothing claimed
    contested = _record(
        session,
        cell,
        usa,
        text="Syria pulls heavy weapons back beyond the 10 km band of Area Bravo.",
        party="SYR",
        made_days_ago=28,
        due_in_days=-1,
    )
    service.claim(
        session,
        subject=syr,
        commitment_id=contested.id,
        state="done",
        now=now - timedelta(days=2),
        note="Pullback completed; positions handed over to the local police.",
    )
    service.contest(
        session,
        subject=isr,
        commitment_id=contested.id,
        reasons="Two artillery pieces were observed at the old position yesterday; see the UNDOF report.",
    )
    _record(
        session,
        cell,
        isr,
        text="Monthly joint review of the hotline's response times.",
        party="USA",
        made_days_ago=1,
        due_in_days=30,
        state="proposed",
    )
