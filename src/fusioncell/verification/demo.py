"""The demo cell's verification records, so the desk part is alive on first run: clearly marked illustrative
declarations (one over its limits), two UNDOF inspections (one a violation the counts make), and three
positions at different stages of their withdrawal. They go through the same service calls (and into the
record) as any other."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.verification.models import Result
from fusioncell.verification.service import Declaration, InspectionReport, Observation, declare_posture, file_inspection
from fusioncell.verification.withdrawals import (
    PositionDraft,
    declare_withdrawn,
    register_position,
    schedule_withdrawal,
    verify_withdrawal,
)


def seed_demo_verification(
    session: Session, *, cell: CellDefinition, isr: Subject, syr: Subject, usa: Subject, undof: Subject
) -> None:
    now = utcnow()
    yesterday = now - timedelta(days=1)
    declare_posture(
        session,
        cell=cell,
        subject=isr,
        declaration=Declaration(
            zone="aol-alpha-0-10",
            as_of=yesterday,
            troops=5400,
            tanks=70,
            artillery=32,
            remarks=ILLUSTRATIVE + "Weekly declaration of the 0–10 km band west of Line Alpha.",
        ),
    )
    declare_posture(
        session,
        cell=cell,
        subject=syr,
        declaration=Declaration(
            zone="aol-bravo-20-25",
            as_of=yesterday,
            troops=2100,
            tanks=40,
            missiles=4,  # over: no missiles within 25 km of the lines
            remarks=ILLUSTRATIVE + "Air-defence battery redeployed from Damascus; withdrawal to follow.",
        ),
    )
    inspected = now - timedelta(hours=6)
    file_inspection(
        session,
        cell=cell,
        subject=undof,
        report=InspectionReport(
            zones=("aol-bravo-0-10",),
            inspected_at=inspected,
            findings=(Observation("aol-bravo-0-10", {"troops": 4800, "tanks": 52, "artillery": 30}, True),),
            result=Result.COMPLIANT,
            summary=ILLUSTRATIVE + "Fortnightly inspection of the 0–10 km band east of Line Bravo by Observer "
            "Group Golan: within the limits.",
        ),
    )
    file_inspection(
        session,
        cell=cell,
        subject=undof,
        report=InspectionReport(
            zones=("aos",),
            inspected_at=inspected,
            findings=(
                Observation("aos", {"troops": 40}, True, "armed personnel at a checkpoint, unit not identified"),
            ),
            result=Result.INCONCLUSIVE,  # the counts make it a violation
            summary=ILLUSTRATIVE + "Patrol in the Area of Separation south of Quneitra.",
        ),
    )
    _positions(session, cell=cell, isr=isr, usa=usa, undof=undof, now=now)


def _positions(session: Session, *, cell: CellDefinition, isr: Subject, usa: Subject, undof: Subject, now) -> None:
    hermon = register_position(
        session,
        cell=cell,
        subject=isr,
        draft=PositionDraft(
            name="Post below Mount Hermon summit",
            location={"type": "Point", "coordinates": [35.845, 33.405]},
            description=ILLUSTRATIVE + "Held since December 2024; withdrawal discussed at the plenary.",
        ),
    )
    schedule_withdrawal(
        session, subject=usa, position_id=hermon.id, due_at=now + timedelta(days=10), note="as proposed by the mediator"
    )
    south = register_position(
        session,
        cell=cell,
        subject=isr,
        draft=PositionDraft(
            name="Forward post south of Quneitra",
            location={"type": "Point", "coordinates": [35.845, 33.05]},
            description=ILLUSTRATIVE + "Inside the Area of Separation.",
        ),
    )
    schedule_withdrawal(session, subject=isr, position_id=south.id, due_at=now + timedelta(days=2))
    declare_withdrawn(session, subject=isr, position_id=south.id, note="left this morning; awaiting UNDOF")
    rafid = register_position(
        session,
        cell=cell,
        subject=isr,
        draft=PositionDraft(
            name="Outpost south of Rafid",
            location={"type": "Point", "coordinates": [35.875, 32.90]},
            description=ILLUSTRATIVE + "Inside the Area of Separation.",
        ),
    )
    schedule_withdrawal(session, subject=isr, position_id=rafid.id, due_at=now + timedelta(days=1))
    declare_withdrawn(session, subject=isr, position_id=rafid.id)
    verify_withdrawal(session, subject=undof, position_id=rafid.id, note="patrol found the outpost empty")
