"""The cell's declarative incident rules, compiled once and evaluated against placements.

A rule holds for an incident of a type it covers when every condition of its `when` holds for where the
incident lies (cell/incidents.py has the vocabulary). Compiling resolves each rule to the incident types
it covers and each zone-kind condition to zone codes, so evaluating one placement is a few set lookups:
the benchmark classifies reports by the hundred thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fusioncell.cell.definition import CellDefinition, IncidentRule, Names, Side
from fusioncell.errors import Invalid
from fusioncell.geo.placement import Placement, PointPlacements
from fusioncell.i18n import N_


@dataclass(frozen=True)
class Violation:
    """A rule of the cell that an incident breaks by where it lies."""

    rule: str
    names: Names
    severity: int | None  # an incident breaking the rule is at least this severe; None: the rule sets none


@dataclass(frozen=True)
class _CompiledRule:
    rule: IncidentRule
    zone_sets: tuple[frozenset[str], ...]  # each must meet the placement's zones (one per zone condition)
    beyond_own_line: bool
    near_protected_site: bool
    violation: Violation


class RuleBook:
    """The rules of one cell definition, by the incident type they apply to."""

    def __init__(self, cell: CellDefinition) -> None:
        self._compiled = tuple(_compile(cell, rule) for rule in cell.incident_rules)
        self._by_type = {
            kind.code: tuple(c for c in self._compiled if c.rule.covers(kind)) for kind in cell.incident_types
        }
        # Per party, the lines that hold its forces back and the side of each it must stay on.
        self._held: dict[str, tuple[tuple[str, Side], ...]] = {party: () for party in cell.party_codes}
        for line in cell.lines:
            if line.forces is not None:
                party = line.forces.party
                self._held[party] = (*self._held[party], (line.code, line.forces.stay))

    def knows_type(self, kind: str) -> bool:
        return kind in self._by_type

    def violations(self, placement: Placement, *, kind: str, party: str | None) -> list[Violation]:
        """The rules an incident of type `kind` by `party` (None: unknown) breaks by lying at `placement`."""
        self._check_codes([kind], [party])
        return [c.violation for c in self._by_type[kind] if self._holds(c, placement, party)]

    def point_violations(
        self, placements: PointPlacements, *, kinds: Sequence[str], parties: Sequence[str | None]
    ) -> list[tuple[Violation, ...]]:
        """`violations` for every point of `placements` at once, as one rule-by-point mask per condition;
        `kinds` and `parties` give each point's incident type and acting party."""
        if not len(kinds) == len(parties) == len(placements):
            raise ValueError(f"{len(placements)} placements, {len(kinds)} kinds and {len(parties)} parties")
        self._check_codes(set(kinds), set(parties))
        type_codes = list(self._by_type)
        covers = np.array([[c in self._by_type[code] for c in self._compiled] for code in type_codes], dtype=bool)
        positions = {code: i for i, code in enumerate(type_codes)}
        holds = covers.reshape(len(type_codes), len(self._compiled))[[positions[k] for k in kinds]]
        near = np.bincount(placements.site_point, minlength=len(placements)) > 0
        beyond = self._points_beyond_own_line(placements, parties)
        columns = {code: i for i, code in enumerate(placements.zone_codes)}
        for r, compiled in enumerate(self._compiled):
            for zone_set in compiled.zone_sets:
                holds[:, r] &= placements.in_zone[:, [columns[z] for z in sorted(zone_set)]].any(axis=1)
            if compiled.near_protected_site:
                holds[:, r] &= near
            if compiled.beyond_own_line:
                holds[:, r] &= beyond
        found: list[list[Violation]] = [[] for _ in range(len(placements))]
        points, rules = np.nonzero(holds)
        for point, r in zip(points.tolist(), rules.tolist(), strict=True):
            found[point].append(self._compiled[r].violation)
        return [tuple(v) for v in found]

    def _points_beyond_own_line(self, placements: PointPlacements, parties: Sequence[str | None]) -> np.ndarray:
        beyond = np.zeros(len(placements), dtype=bool)
        acting = np.array(parties, dtype=object)
        for party, held in self._held.items():
            rows = acting == party
            for line, stay in held:
                column = placements.line_codes.index(line)
                past = placements.east_of if stay is Side.WEST else placements.west_of
                beyond[rows] |= past[rows, column]
        return beyond

    def _check_codes(self, kinds: Sequence[str] | set[str], parties: Sequence[str | None] | set[str | None]) -> None:
        for kind in kinds:
            if kind not in self._by_type:
                raise Invalid(N_("unknown incident type {kind!r}"), kind=kind, details={"known": sorted(self._by_type)})
        for party in parties:
            if party is not None and party not in self._held:
                raise Invalid(N_("unknown party {party!r}"), party=party, details={"known": sorted(self._held)})

    def beyond_own_line(self, placement: Placement, party: str | None) -> bool:
        """Whether any part of the placement lies past a line that holds `party`'s forces back."""
        for line, stay in self._held.get(party, ()) if party is not None else ():
            if any(side != stay for side in placement.line_sides.get(line, ())):
                return True
        return False

    def _holds(self, compiled: _CompiledRule, placement: Placement, party: str | None) -> bool:
        if any(zone_set.isdisjoint(placement.zones) for zone_set in compiled.zone_sets):
            return False
        if compiled.near_protected_site and not placement.protected_sites:
            return False
        return not compiled.beyond_own_line or self.beyond_own_line(placement, party)


def _compile(cell: CellDefinition, rule: IncidentRule) -> _CompiledRule:
    when = rule.when
    zone_sets = []
    if when.in_zone_kinds:
        zone_sets.append(frozenset(z.code for z in cell.zones if z.kind in when.in_zone_kinds))
    if when.in_zones:
        zone_sets.append(frozenset(when.in_zones))
    return _CompiledRule(
        rule=rule,
        zone_sets=tuple(zone_sets),
        beyond_own_line=when.beyond_own_line,
        near_protected_site=when.near_protected_site,
        violation=Violation(rule=rule.code, names=rule.names, severity=rule.severity),
    )
