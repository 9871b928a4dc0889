"""/api/v1/projects/targets: progress against the cell's targets, now and month by month.

Both count only the caller's portfolio (rollups.portfolio: readable and released), so a project floated to the
mediator alone counts on the mediator's dashboard and nobody else's. The router must be included before the
projects API's, whose /api/v1/projects/{project_id} would otherwise take "targets" for an id.
"""

from datetime import date

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce import rollups
from fusioncell.db.types import utcnow
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["commerce"])


class Figures(BaseModel):
    delivered: float | None
    committed: float | None
    proposed: float | None
    expected: float | None


class Counts(BaseModel):
    delivered: int
    committed: int
    proposed: int
    expected: int


class MetricRead(BaseModel):
    metric: str  # the project's figure, e.g. power_mw
    target_field: str  # the field of the cell's targets it counts toward
    label: str
    unit: str
    target: float | None
    totals: Figures
    shares: Figures  # fractions of the target (0.25 = 25 %); null without a target
    contributing: Counts  # projects in each bucket whose figure is neither none nor zero


class TargetsInfo(BaseModel):
    unverified: bool
    source: str
    gdp_percent_of_output: float | None


class RollupRead(BaseModel):
    on: date
    projects: int  # the portfolio counted
    illustrative: int  # of which illustrative (the demo's made-up records)
    weights: dict[str, float]
    targets: TargetsInfo | None
    metrics: list[MetricRead]


class HistoryMetric(BaseModel):
    metric: str
    label: str
    unit: str
    target: float | None
    delivered: list[float]
    committed: list[float]
    proposed: list[float]
    expected: list[float]


class HistoryRead(BaseModel):
    dates: list[date]  # month ends, the last one today
    metrics: list[HistoryMetric]


def metric_read(item: rollups.MetricRollup) -> MetricRead:
    return MetricRead(
        metric=item.metric.key,
        target_field=item.metric.target,
        label=item.metric.label,
        unit=item.metric.unit,
        target=item.target,
        totals=Figures(**item.totals),
        shares=Figures(**{bucket: item.share(bucket) for bucket in rollups.BUCKETS}),
        contributing=Counts(**item.contributing),
    )


def targets_info(cell: CellDefinition) -> TargetsInfo | None:
    targets = cell.targets
    if targets is None:
        return None
    return TargetsInfo(
        unverified=targets.unverified, source=targets.source, gdp_percent_of_output=targets.gdp_percent_of_output
    )


def rollup_now(session: Session, *, caller: Caller, cell: CellDefinition, on: date | None = None) -> RollupRead:
    """The caller's roll-up at today's stages, or as the stage dates say the portfolio stood `on` a day."""
    projects = rollups.portfolio(session, subject=caller.subject)
    staged = rollups.stages_on(projects, on) if on else rollups.current_stages(projects)
    weights = cell.commerce.stage_weights
    return RollupRead(
        on=on or utcnow().date(),
        projects=len(staged),
        illustrative=sum(1 for project, _ in staged if project.illustrative),
        weights={str(stage): weight for stage, weight in weights.items()},
        targets=targets_info(cell),
        metrics=[metric_read(item) for item in rollups.rollup(staged, cell.targets, weights)],
    )


def rollup_history(session: Session, *, caller: Caller, cell: CellDefinition, months: int) -> HistoryRead:
    projects = rollups.portfolio(session, subject=caller.subject)
    points = rollups.history(
        projects, cell.targets, cell.commerce.stage_weights, today=utcnow().date(), max_points=months
    )
    metrics = []
    for i, metric in enumerate(rollups.METRICS):
        series = {bucket: [items[i].totals[bucket] for _, items in points] for bucket in rollups.BUCKETS}
        target = rollups.target_of(metric, cell.targets)
        metrics.append(HistoryMetric(metric=metric.key, label=metric.label, unit=metric.unit, target=target, **series))
    return HistoryRead(dates=[day for day, _ in points], metrics=metrics)


@router.get("/projects/targets", response_model=RollupRead)
def get_targets(
    on: date | None = Query(default=None, description="Replay the portfolio as it stood on this day."),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Per target: what operating projects deliver, what is committed, what is only proposed, and the
    stage-weighted expectation, over the projects released to the caller."""
    return rollup_now(session, caller=caller, cell=runtime.cell, on=on)


@router.get("/projects/targets/history", response_model=HistoryRead)
def get_history(
    months: int = Query(default=rollups.MAX_POINTS, ge=1, le=rollups.MAX_POINTS),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The same roll-up at each month end from the first stage date to today (the latest `months` points)."""
    return rollup_history(session, caller=caller, cell=runtime.cell, months=months)
