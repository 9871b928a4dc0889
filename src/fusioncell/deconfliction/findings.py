"""What the server finds about a notice.

Two kinds, kept apart on purpose:
- About the notice alone (lead time, protected sites, the Area of Separation): computed once when it is
  given and stored with it; every reader of the notice may see them, for they tell nothing of any
  other record.
- Overlaps with other parties' notices: computed for each reader when read, from the notices that
  reader may read (access/rule.py `readable`), so a finding can never tell a party of a notice it may
  not see, not even that "something overlaps". The mediator, who reads every released notice, sees
  every overlap, and is told which party does not know of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shapely.geometry import Polygon

from fusioncell.cell.deconfliction import Activity, LeadTimeArea
from fusioncell.cell.definition import CellDefinition
from fusioncell.geo.service import Placement

AREA_OF_SEPARATION = "area-of-separation"  # the zone kind the 1974 agreement keeps free of military activity
# Activities of armed forces: in the AOS they are what the agreement forbids, not merely to coordinate.
MILITARY = frozenset({Activity.AIR, Activity.GROUND_MOVEMENT, Activity.EXERCISE})
# How a message names each activity.
SAID = {
    Activity.AIR: "air activity",
    Activity.GROUND_MOVEMENT: "ground movement",
    Activity.EXERCISE: "an exercise",
    Activity.DEMINING: "demining",
    Activity.HUMANITARIAN_CONVOY: "a humanitarian convoy",
}


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CONFLICT = "conflict"


class FindingCode(StrEnum):
    LEAD_TIME_SHORT = "lead-time-short"
    PROTECTED_SITE = "protected-site"
    AREA_OF_SEPARATION = "area-of-separation"
    OVERLAP = "overlap"


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    severity: Severity
    message: str
    related_id: uuid.UUID | None = None  # only ever a record the finding's reader may read
    details: dict[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        """As kept with the notice (and digested by the record): stored findings relate to no record."""
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "details": self.details,
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Finding:
        return cls(FindingCode(data["code"]), Severity(data["severity"]), data["message"], None, data["details"])


# -- about the notice alone ----------------------------------------------------------------------------


def lead_time_applies(where: LeadTimeArea | None, placement: Placement, cell: CellDefinition) -> bool:
    """Whether the activity's lead time holds where the notice lies (no declared area: everywhere)."""
    if where is None:
        return True
    near = where.within_km_of_lines is not None and any(
        km <= where.within_km_of_lines for km in placement.distance_to_lines_km.values()
    )
    kinds = {cell.zone(code).kind for code in placement.zones}
    return near or bool(kinds & set(where.in_zone_kinds))


def lead_time_finding(
    cell: CellDefinition, activity: Activity, placement: Placement, *, starts_at: datetime, given_at: datetime
) -> Finding | None:
    deadlines = cell.deadlines
    required = deadlines.deconfliction_lead_hours.get(activity)
    if required is None or not lead_time_applies(deadlines.deconfliction_lead_where.get(activity), placement, cell):
        return None
    given = (starts_at - given_at).total_seconds() / 3600
    if given >= required:
        return None
    said = "after it started" if given < 0 else f"{given:.1f} h ahead"
    return Finding(
        FindingCode.LEAD_TIME_SHORT,
        Severity.WARNING,
        f"Notified {said}; {SAID[Activity(activity)]} here asks {required:g} h of notice.",
        details={"required_hours": required, "given_hours": round(given, 2)},
    )


def protected_site_findings(cell: CellDefinition, placement: Placement) -> list[Finding]:
    findings = []
    for site in placement.protected_sites:
        place = cell.place(site.place)
        km = round(site.distance_km, 2)
        where = f"covers {place.names.en}" if km == 0 else f"comes within {km:g} km of {place.names.en}"
        findings.append(
            Finding(
                FindingCode.PROTECTED_SITE,
                Severity.WARNING,
                f"The area {where}, a protected site.",
                details={"place": place.code, "names": place.names.model_dump(), "distance_km": km},
            )
        )
    return findings


def separation_findings(cell: CellDefinition, activity: Activity, placement: Placement) -> list[Finding]:
    findings = []
    for code in placement.zones:
        zone = cell.zone(code)
        if zone.kind != AREA_OF_SEPARATION:
            continue
        military = activity in MILITARY
        rule = "where the 1974 agreement allows no military activity" if military else "coordinate with UNDOF"
        findings.append(
            Finding(
                FindingCode.AREA_OF_SEPARATION,
                Severity.CONFLICT if military else Severity.WARNING,
                f"The area reaches into the {zone.names.en}: {rule}.",
                details={"zone": zone.code},
            )
        )
    return findings


def notice_findings(
    cell: CellDefinition, activity: Activity, placement: Placement, *, starts_at: datetime, given_at: datetime
) -> list[Finding]:
    """Everything found about a notice from its own content and the cell's ground, gravest first."""
    lead = lead_time_finding(cell, activity, placement, starts_at=starts_at, given_at=given_at)
    found = [*separation_findings(cell, activity, placement), *([lead] if lead else [])]
    return found + protected_site_findings(cell, placement)


# -- overlaps, for one reader --------------------------------------------------------------------------


@dataclass(frozen=True)
class Extent:
    """Where and when a notice is, as the overlap test reads it."""

    id: uuid.UUID
    party: str
    activity: str
    starts_at: datetime
    ends_at: datetime
    altitude: tuple[int, int] | None
    shape: Polygon


def overlap(a: Extent, b: Extent) -> bool:
    """Other parties' notices sharing time, altitude (a notice without a band takes every altitude) and
    ground. Windows are half-open: one ending as the other starts does not overlap it."""
    if a.party == b.party or a.id == b.id:
        return False
    if not (a.starts_at < b.ends_at and b.starts_at < a.ends_at):
        return False
    if a.altitude and b.altitude and not (a.altitude[0] <= b.altitude[1] and b.altitude[0] <= a.altitude[1]):
        return False
    return a.shape.intersects(b.shape)


def overlap_finding(other: Extent, *, unaware: Sequence[str] = ()) -> Finding:
    """A finding for a reader who may read `other`; `unaware` (the mediator's view only) names the parties
    of the two notices that may not read the other party's notice, and so know nothing of the overlap."""
    window = f"{other.starts_at:%d %b %H:%M}–{other.ends_at:%d %b %H:%M} UTC"
    message = f"Overlaps {other.party}'s {other.activity} notice in space and time ({window})."
    details: dict[str, Any] = {"party": other.party, "activity": other.activity}
    if unaware:
        message += f" {' and '.join(unaware)} cannot read the other's notice: deconflict through the cell."
        details["unaware"] = list(unaware)
    return Finding(FindingCode.OVERLAP, Severity.CONFLICT, message, related_id=other.id, details=details)
