"""Stage dates: the date each stage was (or is planned to be) reached, kept in stage order.

A project stores them as {stage: "YYYY-MM-DD"}; these helpers read and write that form and keep it consistent
when the project moves (every move itself is kept in the project's history, with its reason).
"""

from datetime import date, datetime, timedelta

from fusioncell.cell.commerce import STAGE_ORDER, ProjectStage
from fusioncell.commerce.models import Project
from fusioncell.commerce.schemas import stage_dates_in_order
from fusioncell.db.types import utcnow

DATE_SKEW = timedelta(days=1)  # a stage reached "today" somewhere east of UTC is still today


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).date()


def dates_problems(stage: ProjectStage, dates: dict[ProjectStage, date], now: datetime | None) -> dict[str, str]:
    """The current stage is reached, so its date is not ahead (planned dates of later stages may be)."""
    reached = dates.get(stage)
    if reached is not None and reached > today(now) + DATE_SKEW:
        return {f"stage_dates.{stage}": f"{reached.isoformat()} is ahead: the current stage is reached already"}
    return {}


def order_problems(dates: dict[ProjectStage, date]) -> dict[str, str]:
    try:
        stage_dates_in_order(dates)
    except ValueError as exc:
        return {"stage_dates": str(exc)}
    return {}


def stored_dates(project: Project) -> dict[ProjectStage, date]:
    return {ProjectStage(s): date.fromisoformat(d) for s, d in (project.stage_dates or {}).items()}


def dates_json(dates: dict[ProjectStage, date]) -> dict[str, str]:
    ordered = sorted(dates.items(), key=lambda item: STAGE_ORDER[item[0]])
    return {str(stage): on.isoformat() for stage, on in ordered}


def dates_after_move(
    dates: dict[ProjectStage, date], stage: ProjectStage, on: date, *, backwards: bool
) -> dict[ProjectStage, date]:
    """The new stage dated `on`. Going back voids the later stages' dates; going forward drops what no longer
    fits the order (a skipped stage planned later, a plan for a later stage now overtaken)."""
    rank = STAGE_ORDER[stage]
    kept = {}
    for other, when in dates.items():
        if STAGE_ORDER[other] < rank and when <= on:
            kept[other] = when
        elif STAGE_ORDER[other] > rank and not backwards and when >= on:
            kept[other] = when
    return kept | {stage: on}
