"""Progress against the cell's targets: what the reader's portfolio delivers, has committed, only proposes.

The roll-ups are pure functions over a list of projects (anything with `stage`, `stage_dates` and the four
figures), the cell's targets and the stage weights, so they can be checked against sums worked out by hand;
`portfolio()` is the one query, and it goes through the releasability rule's filter like every read.

Definitions (docs/commerce-dashboard.md says the same for users). A figure of None counts as 0.
  delivered = the sum over projects at stage operating
  committed = the sum over agreed, financing, construction and operating (so it includes delivered)
  proposed  = the sum over concept and feasibility
  expected  = the sum over every project of weight[stage] x figure (weights from the cell definition)
Over time, a project's stage on a day is the furthest stage (in stage order, never beyond its current one) whose
date in `stage_dates` is on or before that day; a project with no such date is not yet in the portfolio.
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import COMMITTED_STAGES, STAGE_ORDER, ProjectStage
from fusioncell.cell.definition import Targets
from fusioncell.commerce.models import Project
from fusioncell.db.base import Status

MAX_POINTS = 120  # ten years of month ends: enough for any dashboard, bounded for any portfolio
BUCKETS = ("delivered", "committed", "proposed", "expected")
STAGES_OF = {
    "delivered": frozenset({ProjectStage.OPERATING}),
    "committed": frozenset(COMMITTED_STAGES),
    "proposed": frozenset({ProjectStage.CONCEPT, ProjectStage.FEASIBILITY}),
    "expected": frozenset(ProjectStage),
}


@dataclass(frozen=True)
class Metric:
    key: str  # the project's figure
    target: str  # the field of the cell's Targets it counts toward
    label: str
    unit: str


METRICS = (
    Metric("gdp_usd_per_year", "gdp_usd_per_year", "GDP growth", "USD per year"),
    Metric("power_mw", "power_mw", "Power capacity", "MW"),
    Metric("jobs", "jobs", "Jobs", "jobs"),
    Metric(
        "pharma_import_substitution_percent",
        "pharma_import_reduction_percent",
        "Pharmaceutical import dependency reduced",
        "%",
    ),
)


@dataclass(frozen=True)
class MetricRollup:
    metric: Metric
    target: float | None  # None when the cell states no targets
    totals: Mapping[str, float]  # bucket -> sum
    contributing: Mapping[str, int]  # bucket -> projects in it with a figure other than none or zero

    def share(self, bucket: str) -> float | None:
        """The bucket as a fraction of the target; None when there is no target to measure against."""
        return self.totals[bucket] / self.target if self.target else None


Staged = tuple[Any, ProjectStage]  # a project and the stage it counts at


def current_stages(projects: Iterable[Any]) -> list[Staged]:
    return [(project, ProjectStage(project.stage)) for project in projects]


def stage_on(project: Any, day: date) -> ProjectStage | None:
    """The furthest stage reached by `day` per the project's stage dates, never beyond its current stage."""
    limit = STAGE_ORDER[ProjectStage(project.stage)]
    reached = None
    for name, when in (project.stage_dates or {}).items():
        stage, on = _parsed(name, when)
        if stage is None or on is None or on > day or STAGE_ORDER[stage] > limit:
            continue
        if reached is None or STAGE_ORDER[stage] > STAGE_ORDER[reached]:
            reached = stage
    return reached


def _parsed(name: str, when: str) -> tuple[ProjectStage | None, date | None]:
    """A stage-date entry, or Nones for one the service would never have stored (it is then ignored)."""
    try:
        return ProjectStage(name), date.fromisoformat(str(when))
    except ValueError:
        return None, None


def stages_on(projects: Iterable[Any], day: date) -> list[Staged]:
    staged = [(project, stage_on(project, day)) for project in projects]
    return [(project, stage) for project, stage in staged if stage is not None]


def rollup(staged: Sequence[Staged], targets: Targets | None, weights: Mapping[str, float]) -> list[MetricRollup]:
    """Each metric's delivered, committed, proposed and expected sums over projects at the given stages."""
    return [_metric_rollup(metric, staged, targets, weights) for metric in METRICS]


def _metric_rollup(metric: Metric, staged: Sequence[Staged], targets, weights) -> MetricRollup:
    totals = dict.fromkeys(BUCKETS, 0.0)
    contributing = dict.fromkeys(BUCKETS, 0)
    for project, stage in staged:
        value = float(getattr(project, metric.key) or 0)
        for bucket in BUCKETS:
            if stage not in STAGES_OF[bucket]:
                continue
            totals[bucket] += value * weights[stage] if bucket == "expected" else value
            contributing[bucket] += value != 0
    return MetricRollup(metric=metric, target=target_of(metric, targets), totals=totals, contributing=contributing)


def target_of(metric: Metric, targets: Targets | None) -> float | None:
    return float(getattr(targets, metric.target)) if targets is not None else None


def month_ends(projects: Iterable[Any], today: date, max_points: int = MAX_POINTS) -> list[date]:
    """The last day of each month from the earliest stage date's month up to today (today itself ends the
    current month's point); only the latest `max_points` are kept."""
    dates = [on for p in projects for name, when in (p.stage_dates or {}).items() if (on := _parsed(name, when)[1])]
    if not dates:
        return []
    year, month = min(dates).year, min(dates).month
    points = []
    while (year, month) <= (today.year, today.month):
        points.append(min(date(year, month, calendar.monthrange(year, month)[1]), today))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points[-max_points:]


def history(
    projects: Sequence[Any],
    targets: Targets | None,
    weights: Mapping[str, float],
    *,
    today: date,
    max_points: int = MAX_POINTS,
) -> list[tuple[date, list[MetricRollup]]]:
    """The roll-up replayed at each month end: the portfolio as its stage dates say it stood on that day."""
    return [
        (day, rollup(stages_on(projects, day), targets, weights)) for day in month_ends(projects, today, max_points)
    ]


def portfolio(session: Session, *, subject: Subject) -> list[Project]:
    """The projects the roll-ups count for this reader: readable to them and released. Drafts (their own
    included), releases still waiting for the mediator and retracted projects are not counted."""
    query = select(Project).where(readable(subject, Project), Project.status == Status.RELEASED)
    return list(session.execute(query.order_by(Project.id)).scalars())
