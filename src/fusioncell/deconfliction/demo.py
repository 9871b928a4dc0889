"""The demo cell's deconfliction notices: clearly marked illustrative records, so the desk is alive on first
run. Only `fusioncell demo` (or `init --demo`) gives them, through the same service as the API."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.deconfliction import Activity
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.deconfliction.areas import CircleArea
from fusioncell.deconfliction.service import NoticeDraft, acknowledge_notice, give_notice
from fusioncell.demo import ILLUSTRATIVE


def seed_demo_notices(session: Session, *, cell: CellDefinition) -> None:
    """An Israeli air-activity notice given short of its lead time, acknowledged by Syria and the mediator;
    a Syrian convoy through Quneitra's old city (in the AOS), released to UNDOF too, acknowledged by the
    mediator and still awaiting Israel's acknowledgement."""
    if not {"USA", "ISR", "SYR", "UNDOF"} <= cell.party_codes:
        return
    isr, syr, usa = (
        subject_for(user_by_name(session, name), cell) for name in ("isr.liaison", "syr.liaison", "usa.mediator")
    )
    now = utcnow()
    air = give_notice(
        session,
        cell=cell,
        subject=isr,
        now=now,
        draft=NoticeDraft(
            activity=Activity.AIR,
            area=CircleArea(lat=33.05, lon=35.70, radius_km=6),
            starts_at=now + timedelta(hours=3),
            ends_at=now + timedelta(hours=6),
            altitude=(1500, 4500),
            description=ILLUSTRATIVE + "Helicopter training flights west of Line Alpha, two aircraft, "
            "no weapons release.",
        ),
    )
    acknowledge_notice(session, subject=syr, notice_id=air.id)
    acknowledge_notice(session, subject=usa, notice_id=air.id)
    convoy = give_notice(
        session,
        cell=cell,
        subject=syr,
        now=now,
        draft=NoticeDraft(
            activity=Activity.HUMANITARIAN_CONVOY,
            area=CircleArea(lat=33.1256, lon=35.8239, radius_km=1.5),
            starts_at=now + timedelta(hours=20),
            ends_at=now + timedelta(hours=26),
            releasable_to=frozenset({"USA", "ISR", "UNDOF"}),
            description=ILLUSTRATIVE + "Syrian Arab Red Crescent convoy, 12 trucks of food and medicine, "
            "through Quneitra towards Khan Arnabah; UNDOF asked to observe.",
        ),
    )
    acknowledge_notice(session, subject=usa, notice_id=convoy.id)
