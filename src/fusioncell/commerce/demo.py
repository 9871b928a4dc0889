"""The demo cell's illustrative portfolio of the joint economic zone, so the register, the project pages and the
targets dashboard show something on first run.

Made up, and marked so: every name starts with fusioncell.demo.ILLUSTRATIVE and every project is `illustrative`.
The figures are of a plausible order for the reported proposal (a wind farm, a pipeline segment, a data centre,
a pharmaceutical plant, a ski resort), not anyone's estimate. Recorded through the same service calls (and into
the record) as any project, each stage back-dated over the past two years so the dashboard has months to show.
The sites lie in the AOS (the default economic zone), but the pharmaceutical plant, east of Line B near Khan
Arnabah, which is kept and flagged outside the zone. The ski resort is floated to the mediator alone.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import ProjectStage
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce import service
from fusioncell.commerce.schemas import ProjectCreate
from fusioncell.db.types import utcnow
from fusioncell.demo import ILLUSTRATIVE

EVERYONE = ("USA", "ISR", "SYR", "FRA", "JOR", "UNDOF")


def _polygon(south: float, west: float, north: float, east: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass(frozen=True)
class DemoProject:
    by: str  # usa / isr / syr: whose project
    name: str
    sector: str
    description: str
    site: dict
    stages_days_ago: tuple[int, ...]  # the day each stage from concept on was reached, oldest first
    release_to: tuple[str, ...]
    figures: dict = field(default_factory=dict)
    sponsors: tuple[str, ...] = ()


PORTFOLIO = (
    DemoProject(
        "usa",
        "Hader ridge wind farm, phase 1",
        "energy-wind",
        "Forty 3.6 MW turbines on the ridge inside the Area of Separation; grid connection to the Syrian side.",
        _polygon(33.285, 35.798, 33.31, 35.815),
        (700, 640, 560, 480, 400, 75),
        EVERYONE,
        {"power_mw": 150, "gdp_usd_per_year": 90e6, "jobs": 350, "capital_cost_usd": 240e6},
        ("Example Wind Partners (illustrative)",),
    ),
    DemoProject(
        "usa",
        "Southern crude-oil pipeline segment",
        "energy-pipeline",
        "A 10 km buried segment along the southern strip, with one pumping station; transit fees and supply.",
        _polygon(32.93, 35.862, 33.02, 35.872),
        (690, 600, 500, 420, 210),
        EVERYONE,
        {"gdp_usd_per_year": 600e6, "jobs": 1200, "capital_cost_usd": 1.1e9},
        ("Example Pipeline Company (illustrative)", "Example Development Bank (illustrative)"),
    ),
    DemoProject(
        "isr",
        "Quneitra data centre",
        "data-centre",
        "A 40 MW-load data centre beside the old city, cooled from a closed loop; it draws power, claims none.",
        {"type": "Point", "coordinates": [35.835, 33.135]},
        (540, 450, 330, 120),
        ("USA", "SYR"),
        {"gdp_usd_per_year": 350e6, "jobs": 800, "capital_cost_usd": 900e6},
        ("Example Cloud Holdings (illustrative)",),
    ),
    DemoProject(
        "syr",
        "Khan Arnabah generic-medicines plant",
        "pharmaceutical",
        "Tablets and injectables for the Syrian market; the site proposed lies east of Line B, outside the zone.",
        {"type": "Point", "coordinates": [35.9, 33.175]},
        (420, 300, 150),
        ("USA", "ISR", "UNDOF"),
        {"gdp_usd_per_year": 250e6, "jobs": 1500, "pharma_import_substitution_percent": 12, "capital_cost_usd": 300e6},
        ("Example Pharma Group (illustrative)",),
    ),
    DemoProject(
        "isr",
        "Mount Hermon ski resort",
        "tourism",
        "Lifts and a lodge on the lower slopes of Mount Hermon, open to visitors from both sides.",
        {"type": "Point", "coordinates": [35.855, 33.385]},
        (90,),
        ("USA",),  # floated to the mediator before the other side sees it
        {"gdp_usd_per_year": 80e6, "jobs": 600, "capital_cost_usd": 150e6},
    ),
)


def seed_demo_projects(session: Session, *, cell: CellDefinition, usa: Subject, isr: Subject, syr: Subject) -> None:
    """Each project created at its concept date, moved through its stages on their dates, then released."""
    subjects = {"usa": usa, "isr": isr, "syr": syr}
    for demo in PORTFOLIO:
        _seed(session, cell, subjects[demo.by], demo)


def _seed(session: Session, cell: CellDefinition, subject: Subject, demo: DemoProject) -> None:
    days = [_days_ago(n) for n in demo.stages_days_ago]
    stages = list(ProjectStage)
    data = ProjectCreate(
        name=ILLUSTRATIVE + demo.name,
        sector=demo.sector,
        description=ILLUSTRATIVE + demo.description,
        site=demo.site,
        stage=ProjectStage.CONCEPT,
        stage_dates={ProjectStage.CONCEPT: days[0].date()},
        sponsors=[{"name": name} for name in demo.sponsors],
        illustrative=True,
        **demo.figures,
    )
    project = service.create_project(session, subject=subject, cell=cell, data=data, now=days[0])
    for stage, day in zip(stages[1:], days[1:], strict=False):
        service.change_stage(
            session, subject=subject, cell=cell, project_id=project.id, stage=stage, on=day.date(), reason=None, now=day
        )
    service.release_project(session, subject=subject, project_id=project.id, releasable_to=list(demo.release_to))


def _days_ago(days: int) -> datetime:
    """Noon UTC that many days ago: a stage date and the moment it was recorded."""
    return datetime.combine((utcnow() - timedelta(days=days)).date(), time(12), tzinfo=UTC)
