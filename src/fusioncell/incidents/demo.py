"""The demo cell's illustrative incidents, so the de-escalation desk has something on first run: one at
Quneitra under investigation, one near Hader awaiting Israel's acknowledgement. Clearly marked; they go
through the same service calls (and into the record) as any report."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.incidents.lifecycle import acknowledge_incident, open_investigation
from fusioncell.incidents.models import GeoPrecision, TimePrecision
from fusioncell.incidents.service import Casualties, Report, report_incident


def seed_demo_incidents(session: Session, *, cell: CellDefinition, isr: Subject, syr: Subject, usa: Subject) -> None:
    now = utcnow()
    quneitra = report_incident(
        session,
        cell=cell,
        subject=isr,
        report=Report(
            occurred_at=now - timedelta(hours=5),
            time_precision=TimePrecision.HOUR,
            location={"type": "Point", "coordinates": [35.8239, 33.1256]},
            geo_precision=GeoPrecision.NEAR,
            type="armed-clash",
            severity=3,
            description=ILLUSTRATIVE + "Small-arms fire exchanged near the old city of Quneitra, inside the "
            "Area of Separation; the units involved are not identified.",
            sources=("ISR forward observation post", "UNDOF patrol log"),
        ),
        now=now - timedelta(hours=4),
    )
    acknowledge_incident(session, subject=syr, incident_id=quneitra.id, now=now - timedelta(hours=3))
    open_investigation(session, subject=usa, incident_id=quneitra.id, now=now - timedelta(hours=2))
    report_incident(
        session,
        cell=cell,
        subject=syr,
        report=Report(
            occurred_at=now - timedelta(minutes=40),
            location={"type": "Point", "coordinates": [35.8400, 33.2810]},
            type="shelling-artillery-missile-attack",
            severity=3,  # raised to 5 by the server: harm near a protected site (Hader)
            casualties=Casualties(injured=2, civilians_injured=2),
            description=ILLUSTRATIVE + "Two shells landed on the western edge of Hader; two civilians "
            "lightly injured. Origin of fire unknown.",
            sources=("Hader local council",),
        ),
        now=now - timedelta(minutes=30),
    )
