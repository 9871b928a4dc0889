"""The incident taxonomy (ACLED event types and sub-types plus an agreement's own) and the declarative
incident rules that turn where an incident lies into the violations it is.

A rule names the incident types it covers (by code, an event type covering its sub-types, or by flag)
and a condition on the incident's placement; `fusioncell.geo` evaluates them. The condition vocabulary is
deliberately small so an operator can read every rule of a cell at a glance.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from fusioncell.cell.common import Model, Names, Problem, Slug, Text

if TYPE_CHECKING:
    from fusioncell.cell.definition import CellDefinition


class TypeFlag(StrEnum):
    MILITARY = "military"
    FIRING = "firing"
    MISSILE = "missile"


class IncidentType(Model):
    code: Slug
    names: Names
    parent: Slug | None = None  # the event type a sub-type belongs to; None for an event type
    acled: Text | None = None  # the ACLED event or sub-event type name, for ACLED-compatible exports
    # What the reported place means for this type, as the rules read it:
    military: bool = False  # armed forces act at the place (combat, presence, movement)
    firing: bool = False  # fire from a distance lands at the place (the place is the target)
    missile: bool = False  # surface-to-air or surface-to-surface missiles stand at the place

    def has(self, flag: TypeFlag) -> bool:
        return bool(getattr(self, flag.value))


class RuleCondition(Model):
    """Where an incident must lie for a rule to hold; every condition given must hold."""

    in_zone_kinds: tuple[Slug, ...] = ()  # lies in (an area: reaches into) a zone of any of these kinds
    in_zones: tuple[Slug, ...] = ()  # lies in (an area: reaches into) any of these zones
    beyond_own_line: bool = False  # the acting party is past a line that holds its forces back
    near_protected_site: bool = False  # within protected_site_radius_km of a protected place

    @model_validator(mode="after")
    def _something(self) -> RuleCondition:
        if not (self.in_zone_kinds or self.in_zones or self.beyond_own_line or self.near_protected_site):
            raise ValueError("give at least one of in_zone_kinds, in_zones, beyond_own_line, near_protected_site")
        return self


class IncidentRule(Model):
    code: Slug
    names: Names
    types: tuple[Slug, ...] = ()  # incident type codes; an event type covers its sub-types
    flags: tuple[TypeFlag, ...] = ()  # ...and every type carrying any of these flags
    when: RuleCondition
    severity: Annotated[int, Field(ge=1, le=5)] | None = None  # an incident breaking the rule is at least this

    @model_validator(mode="after")
    def _covers_something(self) -> IncidentRule:
        if not (self.types or self.flags):
            raise ValueError("give the incident types the rule covers: types, flags or both")
        return self

    def covers(self, kind: IncidentType) -> bool:
        """Whether the rule applies to incidents of type `kind`."""
        listed = kind.code in self.types or (kind.parent is not None and kind.parent in self.types)
        return listed or any(kind.has(flag) for flag in self.flags)


def incident_problems(cell: CellDefinition) -> list[Problem]:
    """Types and rules that name what does not exist in the cell."""
    out: list[Problem] = []
    types = {t.code: t for t in cell.incident_types}
    for i, kind in enumerate(cell.incident_types):
        parent = types.get(kind.parent) if kind.parent is not None else None
        if kind.parent is not None and parent is None:
            out.append((("incident_types", i, "parent"), f"unknown incident type {kind.parent!r}"))
        elif parent is not None and parent.parent is not None:
            message = f"{kind.parent!r} is itself a sub-type; a parent must be an event type (no parent)"
            out.append((("incident_types", i, "parent"), message))

    kinds = {z.kind for z in cell.zones}
    zones = {z.code for z in cell.zones}
    holding = any(line.forces is not None for line in cell.lines)
    for i, rule in enumerate(cell.incident_rules):
        for j, code in enumerate(rule.types):
            if code not in types:
                out.append((("incident_rules", i, "types", j), f"unknown incident type {code!r}"))
        for j, kind in enumerate(rule.when.in_zone_kinds):
            if kind not in kinds:
                known = ", ".join(sorted(kinds)) or "none"
                out.append((("incident_rules", i, "when", "in_zone_kinds", j), f"no zone has kind {kind!r} ({known})"))
        for j, code in enumerate(rule.when.in_zones):
            if code not in zones:
                out.append((("incident_rules", i, "when", "in_zones", j), f"unknown zone {code!r}"))
        if rule.when.beyond_own_line and not holding:
            message = "no line holds a party's forces back: give a line `forces: {party, stay}`"
            out.append((("incident_rules", i, "when", "beyond_own_line"), message))
    return out
