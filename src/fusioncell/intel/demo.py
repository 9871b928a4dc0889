"""The demo cell's intelligence desk, alive on first run: clearly marked illustrative reports that show
each part working — a graded report to the mediator, its tearline approved for Syria, Syria's sighting
in answer, a report of Syria's that correlates with Israel's by address, a TLP:RED report waiting for a
second Israeli officer, one waiting in the mediator's review queue, and an UNDOF report to the whole
cell. They go through the same service calls (and into the record) as any other."""

from datetime import timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.intel import compose, service
from fusioncell.intel.grading import Credibility, SourceReliability
from fusioncell.intel.models import ReportKind

ADDRESS = "198.51.100.23"  # documentation range (RFC 5737): no real host


def _content(title: str, summary: str, grade: str, **parts) -> compose.ReportContent:
    return compose.ReportContent(
        title=title,
        summary=ILLUSTRATIVE + summary,
        source_reliability=SourceReliability(grade[0]),
        credibility=Credibility(grade[1]),
        **parts,
    )


def seed_demo_intel(
    session: Session,
    *,
    cell: CellDefinition,
    isr: Subject,
    isr_intel: Subject,
    syr: Subject,
    usa: Subject,
    undof: Subject,
) -> None:
    now = utcnow()
    quneitra = compose.Place(33.1256, 35.8244, "Quneitra")
    original = service.compose_report(
        session,
        cell=cell,
        subject=isr_intel,
        content=_content(
            "Drone launches controlled from a relay near Quneitra",
            "Two launches at dusk from a site 3 km east of the Alpha line; the controller's relay used the "
            "address below. Human source with direct access, reporting for two years.",
            "B2",
            observables=(compose.Observable("ipv4-addr", ADDRESS),),
            threat_actors=("Southern drone cell (illustrative)",),
            place=quneitra,
            observed_at=now - timedelta(hours=20),
        ),
        audience=service.Audience(frozenset({"USA"}), Marking.AMBER),
        source_description="Human source, direct access",
        now=now - timedelta(hours=19),
    )
    tearline = service.derive_tearline(
        session,
        cell=cell,
        subject=isr_intel,
        original_id=original.id,
        content=_content(
            "Drone activity in the Quneitra sector",
            "Drone launches observed in the Quneitra sector at dusk; a controller relay used the address below. "
            "Source details withheld.",
            "B2",
            observables=(compose.Observable("ipv4-addr", ADDRESS),),
        ),
        audience=service.Audience(frozenset({"SYR"}), Marking.AMBER),
        now=now - timedelta(hours=18),
    )
    service.review(session, subject=usa, report_id=tearline.id, approve=True, now=now - timedelta(hours=17))
    sighting = service.answer(
        session,
        cell=cell,
        subject=syr,
        report_id=tearline.id,
        kind=ReportKind.SIGHTING,
        build=lambda target, where, at: compose.sighting_object(
            target,
            first_seen=now - timedelta(hours=30),
            last_seen=now - timedelta(hours=16),
            count=3,
            note=ILLUSTRATIVE + "The same relay address was seen by our signals unit three times.",
            where=where,
            now=at,
        ),
        now=now - timedelta(hours=16),
    )
    service.review(session, subject=usa, report_id=sighting.id, approve=True, now=now - timedelta(hours=15))
    syrian = service.compose_report(
        session,
        cell=cell,
        subject=syr,
        content=_content(
            "Relay address linked to smuggling network",
            "The address is used by a smuggling network moving drone parts through the Area of Separation.",
            "C3",
            observables=(compose.Observable("ipv4-addr", ADDRESS),),
            place=compose.Place(33.07, 35.86, "Khan Arnabah"),
            observed_at=now - timedelta(hours=14),
        ),
        audience=service.Audience(frozenset({"ISR"}), Marking.GREEN),
        now=now - timedelta(hours=13),
    )
    service.review(session, subject=usa, report_id=syrian.id, approve=True, now=now - timedelta(hours=12))
    service.compose_report(
        session,
        cell=cell,
        subject=isr,
        content=_content(
            "Planned interdiction of the relay",
            "An operation against the relay site is planned; timing to be shared only with the mediator.",
            "A1",
            place=quneitra,
        ),
        audience=service.Audience(frozenset({"USA"}), Marking.RED),  # waits for a second Israeli officer
        now=now - timedelta(hours=3),
    )
    service.compose_report(
        session,
        cell=cell,
        subject=syr,
        content=_content(
            "Armed group movement near Beit Jinn",
            "Twenty armed men in four pickups moved west near Beit Jinn at 04:00.",
            "C2",
            place=compose.Place(33.31, 35.88, "Beit Jinn"),
        ),
        audience=service.Audience(frozenset({"ISR"}), Marking.AMBER),  # waits in the mediator's queue
        now=now - timedelta(hours=2),
    )
    cache = service.compose_report(
        session,
        cell=cell,
        subject=undof,
        content=_content(
            "Unexploded ordnance reported near the Quneitra crossing",
            "A patrol of Observer Group Golan marked unexploded ordnance 400 m south of the crossing.",
            "A1",
            place=compose.Place(33.12, 35.82, "Quneitra crossing"),
        ),
        audience=service.Audience(cell.party_codes - {"UNDOF"}, Marking.GREEN),
        now=now - timedelta(hours=6),
    )
    service.review(session, subject=usa, report_id=cache.id, approve=True, now=now - timedelta(hours=5))
