"""The demo cell's illustrative fused incidents, so the fusion pages have something on first run: one
proposal waiting for the mediator (each side's report of one drone strike near Khan Arnabah), and one
fusion the mediator merged (a shelling near Jubata al-Khashab that Israel reported to the mediator alone,
so Syria sees the fusion and its own report, not Israel's). Clearly marked; made by the same service
calls as any report and decision, so the desk proposes them itself."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.fusion.queries import list_fusions
from fusioncell.fusion.service import confirm_fusion
from fusioncell.incidents.service import Report, report_incident

KHAN_ARNABAH = (35.90, 33.175)  # lon, lat
JUBATA = (35.84, 33.22)


def _report(session: Session, cell: CellDefinition, subject: Subject, **fields) -> None:
    report_incident(session, cell=cell, subject=subject, report=Report(**fields), now=fields["occurred_at"])


def seed_demo_fusions(session: Session, *, cell: CellDefinition, isr: Subject, syr: Subject, usa: Subject) -> None:
    now = utcnow()
    strike = now - timedelta(hours=2)
    _report(
        session,
        cell,
        isr,
        occurred_at=strike,
        type="air-drone-strike",
        severity=3,
        location={"type": "Point", "coordinates": [KHAN_ARNABAH[0], KHAN_ARNABAH[1]]},
        description=ILLUSTRATIVE + "Drone observed striking a vehicle on the road east of Khan Arnabah.",
    )
    _report(
        session,
        cell,
        syr,
        occurred_at=strike + timedelta(minutes=12),
        type="air-drone-strike",
        severity=4,
        location={"type": "Point", "coordinates": [KHAN_ARNABAH[0] + 0.004, KHAN_ARNABAH[1] + 0.003]},
        description=ILLUSTRATIVE + "A drone strike hit a civilian car at the Khan Arnabah junction.",
    )

    shelling = now - timedelta(hours=7)
    _report(
        session,
        cell,
        isr,
        occurred_at=shelling,
        type="shelling-artillery-missile-attack",
        severity=3,
        location={"type": "Point", "coordinates": [JUBATA[0], JUBATA[1]]},
        releasable_to=frozenset({"USA"}),
        description=ILLUSTRATIVE + "Radar tracked three rounds fired from the east landing west of Jubata.",
    )
    _report(
        session,
        cell,
        syr,
        occurred_at=shelling + timedelta(minutes=8),
        type="shelling-artillery-missile-attack",
        severity=3,
        location={"type": "Point", "coordinates": [JUBATA[0] - 0.005, JUBATA[1]]},
        description=ILLUSTRATIVE + "Explosions heard on the western outskirts of Jubata al-Khashab.",
    )
    session.flush()  # the desk has proposed both pairs by now
    proposals = list_fusions(session, subject=usa)
    jubata = next(f for f in proposals if abs(f.lat - JUBATA[1]) < 0.01)
    confirm_fusion(
        session,
        cell=cell,
        subject=usa,
        fusion_id=jubata.id,
        now=now - timedelta(hours=6),
        description=ILLUSTRATIVE + "One shelling: both sides' accounts of the same three rounds.",
    )
