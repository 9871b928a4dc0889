"""The de-escalation desk's figures (GET /api/v1/incidents/statistics, the dashboard): incidents per week by
zone and by type, the time to acknowledge per week, counts by stage and overdue acknowledgements.

Computed over `readable` incidents only (access/rule.py), so each party's figures count exactly the
incidents it may read: a report released to the mediator alone is never counted for a principal.
"""

import math
import statistics
from collections import Counter
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.incidents.models import Incident, Stage

NO_ZONE = "none"  # the bucket of incidents in no zone of the cell (beyond the zones drawn)
MAX_WEEKS = 104


class Series(BaseModel):
    code: str
    label: str
    counts: list[int] = Field(description="One per week, oldest first.")


class AckTimes(BaseModel):
    """Hours from release to acknowledgement by every party asked, of the incidents released that week."""

    median_hours: list[float | None]
    p90_hours: list[float | None]
    counted: list[int]


class IncidentStatistics(BaseModel):
    generated_at: datetime
    weeks: list[str] = Field(description="The Monday (UTC) starting each week, oldest first.")
    total: int = Field(description="Incidents the caller may read, drafts included.")
    by_zone: list[Series] = Field(description="Incidents occurred per week, by zone; one may lie in several.")
    by_type: list[Series] = Field(description="Incidents occurred per week, by event type (sub-types in theirs).")
    time_to_acknowledge: AckTimes
    by_stage: dict[str, int] = Field(description="Released incidents by stage.")
    by_status: dict[str, int]
    overdue: int = Field(description="Released incidents whose acknowledgement is past its deadline.")
    overdue_owed_by_you: int = Field(description="Of those, the ones the caller's party still owes.")


def week_start(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that occurred, never an interpolation between two."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def is_overdue(incident: Incident, now: datetime) -> bool:
    return (
        incident.status == Status.RELEASED
        and incident.stage == Stage.REPORTED
        and incident.ack_due_at is not None
        and incident.ack_due_at <= now
        and not frozenset(incident.acknowledged_parties) >= frozenset(incident.ack_parties)
    )


def incident_statistics(
    session: Session, *, cell: CellDefinition, subject: Subject, weeks: int = 12, now: datetime | None = None
) -> IncidentStatistics:
    now = now or utcnow()
    first = week_start(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    incidents = list(session.execute(select(Incident).where(readable(subject, Incident))).scalars())

    def slot(moment: datetime | None) -> int | None:
        if moment is None or moment < first:
            return None
        index = (moment - first) // timedelta(weeks=1)
        return index if index < weeks else None

    event_of = {t.code: t.parent or t.code for t in cell.incident_types}
    zones: dict[str, list[int]] = {}
    types: dict[str, list[int]] = {}
    ack_hours: list[list[float]] = [[] for _ in starts]
    for incident in incidents:
        week = slot(incident.occurred_at)
        if week is not None and incident.status != Status.DRAFT:
            for zone in sorted(incident.zones) or [NO_ZONE]:
                zones.setdefault(zone, [0] * weeks)[week] += 1
            types.setdefault(event_of.get(incident.type, incident.type), [0] * weeks)[week] += 1
        released = slot(incident.released_at)
        if released is not None and incident.ack_parties and incident.acknowledged_at is not None:
            ack_hours[released].append((incident.acknowledged_at - incident.released_at) / timedelta(hours=1))

    live = [i for i in incidents if i.status == Status.RELEASED]
    overdue = [i for i in live if is_overdue(i, now)]
    return IncidentStatistics(
        generated_at=now,
        weeks=[s.date().isoformat() for s in starts],
        total=len(incidents),
        by_zone=_series(zones, {z.code: z.names.en for z in cell.zones} | {NO_ZONE: "No zone"}),
        by_type=_series(types, {t.code: t.names.en for t in cell.incident_types}),
        time_to_acknowledge=AckTimes(
            median_hours=[round(statistics.median(h), 2) if h else None for h in ack_hours],
            p90_hours=[round(percentile(h, 0.9), 2) if h else None for h in ack_hours],
            counted=[len(h) for h in ack_hours],
        ),
        by_stage={str(s): n for s, n in _counted(Counter(i.stage for i in live), [str(s) for s in Stage])},
        by_status={s: n for s, n in _counted(Counter(i.status for i in incidents), [str(s) for s in Status])},
        overdue=len(overdue),
        overdue_owed_by_you=sum(
            1 for i in overdue if subject.party in i.ack_parties and subject.party not in i.acknowledged_parties
        ),
    )


def _series(counts: dict[str, list[int]], labels: dict[str, str]) -> list[Series]:
    """The largest first, so a chart's legend leads with what matters."""
    ordered = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    return [Series(code=code, label=labels.get(code, code), counts=values) for code, values in ordered]


def _counted(counter: Counter, order: list[str]) -> list[tuple[str, int]]:
    return [(key, counter.get(key, 0)) for key in order]
