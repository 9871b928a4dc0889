"""Deconfliction notices in a cell definition: the planned activities a party notifies, the hours of notice
each asks (`deadlines.deconfliction_lead_hours`), and where that lead time applies
(`deadlines.deconfliction_lead_where`: air activity only near the lines, ground movement only in the
areas of limitation). The notices themselves are `fusioncell.deconfliction`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field, model_validator

from fusioncell.cell.common import Model, Problem, Slug

if TYPE_CHECKING:
    from fusioncell.cell.definition import CellDefinition


class Activity(StrEnum):
    """What a deconfliction notice announces."""

    AIR = "air"
    GROUND_MOVEMENT = "ground-movement"
    EXERCISE = "exercise"
    DEMINING = "demining"
    HUMANITARIAN_CONVOY = "humanitarian-convoy"


def _every_activity(value: dict[Activity, float | None]) -> dict[Activity, float | None]:
    # An activity left out would silently need no notice at all; null says so on purpose.
    missing = [a.value for a in Activity if a not in value]
    if missing:
        raise ValueError(f"missing {', '.join(missing)} (use null for no lead time)")
    return value


# Hours of notice before the activity starts; null: none asked. Fractions serve drills and tests.
LeadHours = Annotated[dict[Activity, Annotated[float, Field(ge=0)] | None], AfterValidator(_every_activity)]


def default_lead_hours() -> dict[Activity, float | None]:
    """SCENARIO.md's figures (a cell without the key gets them)."""
    return {
        Activity.AIR: 6,
        Activity.GROUND_MOVEMENT: 24,
        Activity.EXERCISE: 72,
        Activity.DEMINING: None,
        Activity.HUMANITARIAN_CONVOY: 12,
    }


class LeadTimeArea(Model):
    """Where an activity's lead time applies: it applies when any condition given holds."""

    within_km_of_lines: float | None = Field(default=None, gt=0)  # the area comes this close to any line
    in_zone_kinds: tuple[Slug, ...] = ()  # the area reaches into a zone of any of these kinds

    @model_validator(mode="after")
    def _something(self) -> LeadTimeArea:
        if self.within_km_of_lines is None and not self.in_zone_kinds:
            raise ValueError("give within_km_of_lines, in_zone_kinds or both (leave the activity out: everywhere)")
        return self


# An activity not listed needs its lead time wherever it takes place.
LeadWhere = dict[Activity, LeadTimeArea]


def deconfliction_problems(cell: CellDefinition) -> list[Problem]:
    """Lead-time areas that name zone kinds the cell does not have, or lines it has none of."""
    out: list[Problem] = []
    kinds = {z.kind for z in cell.zones}
    for activity, area in cell.deadlines.deconfliction_lead_where.items():
        path = ("deadlines", "deconfliction_lead_where", activity.value)
        for j, kind in enumerate(area.in_zone_kinds):
            if kind not in kinds:
                known = ", ".join(sorted(kinds)) or "none"
                out.append(((*path, "in_zone_kinds", j), f"no zone has kind {kind!r} ({known})"))
        if area.within_km_of_lines is not None and not cell.lines:
            out.append(((*path, "within_km_of_lines"), "the cell has no lines to measure from"))
    return out
