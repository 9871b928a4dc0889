"""Pydantic models of a cell definition; default.yaml is a complete example.

Rules spanning several items (unique codes, one mediator, references) are checked once in
`CellDefinition`, each problem reported at the path of the item at fault so the loader can name its line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from fusioncell.cell.commerce import CommerceSettings
from fusioncell.cell.common import (
    PARTY_CODE_PATTERN,
    SLUG_PATTERN,
    Latitude,
    Longitude,
    Model,
    Names,
    PartyCode,
    Problem,
    Side,
    Slug,
    Text,
    duplicate_code_problems,
)
from fusioncell.cell.deconfliction import LeadHours, LeadWhere, deconfliction_problems, default_lead_hours
from fusioncell.cell.fusion import FusionThresholds
from fusioncell.cell.incidents import IncidentRule, IncidentType, RuleCondition, TypeFlag, incident_problems
from fusioncell.cell.intel import IntelSettings
from fusioncell.cell.witnesses import WitnessSettings, witness_problems
from fusioncell.cell.zones import (
    AreaOfInterest,
    Confidence,
    Derivation,
    Limits,
    Line,
    LineForces,
    Place,
    Zone,
    zone_problems,
)

LOG_ORIGIN_PATTERN = r"^[^\s+]+$"  # a C2SP origin line: no spaces, no '+'

__all__ = [  # the parts defined in common, zones and incidents, importable from here as they always were
    "PARTY_CODE_PATTERN",
    "SLUG_PATTERN",
    "AreaOfInterest",
    "Confidence",
    "Derivation",
    "IncidentRule",
    "IncidentType",
    "Latitude",
    "Limits",
    "Line",
    "LineForces",
    "Longitude",
    "Names",
    "Place",
    "RuleCondition",
    "Side",
    "TypeFlag",
    "Zone",
]

# The type name the loader looks for to expand cross-reference problems into one line each.
CROSS_REFERENCE_ERROR = "cell_cross_reference"


class UnknownCodeError(KeyError):
    """A lookup by code that names nothing in this cell (a KeyError with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown code"


class PartyRole(StrEnum):
    MEDIATOR = "mediator"
    PRINCIPAL = "principal"
    OBSERVER = "observer"


class ChannelKind(StrEnum):
    PLENARY = "plenary"
    BILATERAL = "bilateral"
    HOTLINE = "hotline"
    OBSERVERS = "observers"
    DESK = "desk"


class Precedence(StrEnum):
    """Message precedence, lowest first (so list order is rank order)."""

    ROUTINE = "routine"
    PRIORITY = "priority"
    IMMEDIATE = "immediate"
    FLASH = "flash"


class Party(Model):
    code: PartyCode  # also the releasability marking ("REL TO ISR")
    names: Names
    role: PartyRole


class Desk(Model):
    code: Slug
    names: Names
    supervised_delivery: bool = False  # releases on this desk wait for the mediator's approval


class Channel(Model):
    code: Slug
    names: Names
    kind: ChannelKind
    members: tuple[PartyCode, ...] = Field(min_length=2)
    desk: Slug | None = None
    # Messages wait in the mediator's review queue until approved or returned with a comment.
    supervised_delivery: bool = False


Severity = Annotated[int, Field(ge=1, le=5)]  # of an incident: 5 is the gravest


class Deadlines(Model):
    # null means "no deadline"; every precedence must be listed so an omission is never silent.
    # Fractions are allowed (0.5 = 30 s) for drills and tests.
    acknowledgement_minutes: dict[Precedence, Annotated[float, Field(gt=0)] | None] = Field(
        default_factory=lambda: {
            Precedence.FLASH: 5,
            Precedence.IMMEDIATE: 15,
            Precedence.PRIORITY: 60,
            Precedence.ROUTINE: None,
        }
    )
    # Per activity, the hours of notice a deconfliction notice asks, and where (cell/deconfliction.py).
    deconfliction_lead_hours: LeadHours = Field(default_factory=default_lead_hours)
    deconfliction_lead_where: LeadWhere = Field(default_factory=dict)
    # By incident severity (1-5): hours within which a party an incident is released to must acknowledge
    # it; null means no deadline. Every severity must be listed so an omission is never silent.
    incident_response_hours: dict[Severity, Annotated[float, Field(gt=0)] | None] = Field(
        default_factory=lambda: {5: 1, 4: 4, 3: 12, 2: 24, 1: 72}
    )

    @field_validator("acknowledgement_minutes")
    @classmethod
    def _every_precedence(cls, value: dict[Precedence, int | None]) -> dict[Precedence, int | None]:
        missing = [p.value for p in Precedence if p not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (use null for no deadline)")
        return value

    @field_validator("incident_response_hours")
    @classmethod
    def _every_severity(cls, value: dict[int, float | None]) -> dict[int, float | None]:
        missing = [str(s) for s in range(1, 6) if s not in value]
        if missing:
            raise ValueError(f"missing severities {', '.join(missing)} (use null for no deadline)")
        return value


class Targets(Model):
    """Claimed economic effects, shown beside the commerce desk's progress."""

    gdp_usd_per_year: float = Field(ge=0)
    gdp_percent_of_output: float | None = Field(default=None, ge=0)
    power_mw: float = Field(ge=0)
    jobs: int = Field(ge=0)
    pharma_import_reduction_percent: float = Field(ge=0, le=100)
    unverified: bool
    source: Text


class CellDefinition(Model):
    schema_version: Literal[1]
    code: Slug
    names: Names
    log_origin: Annotated[str, StringConstraints(pattern=LOG_ORIGIN_PATTERN)]  # the ledger origin line
    timezone: str = "Asia/Damascus"
    parties: tuple[Party, ...] = Field(min_length=3)
    desks: tuple[Desk, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = Field(min_length=1)
    lines: tuple[Line, ...] = ()
    zones: tuple[Zone, ...] = ()
    places: tuple[Place, ...] = ()  # the gazetteer
    protected_site_radius_km: float = Field(default=5, gt=0)
    area_of_interest: AreaOfInterest | None = None  # None: reports may lie anywhere
    incident_types: tuple[IncidentType, ...] = ()
    incident_rules: tuple[IncidentRule, ...] = ()
    deadlines: Deadlines = Field(default_factory=Deadlines)
    fusion: FusionThresholds = Field(default_factory=FusionThresholds)  # proposing duplicate reports as one
    targets: Targets | None = None
    commerce: CommerceSettings = Field(default_factory=CommerceSettings)  # economic sites, stage weights
    intel: IntelSettings = Field(default_factory=IntelSettings)  # TAXII collections, correlation limits
    witnesses: WitnessSettings = Field(default_factory=WitnessSettings)  # who cosigns checkpoints; none by default

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Asia/Damascus") from None
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> CellDefinition:
        problems = _cross_reference_problems(self)
        if problems:  # one error carrying every problem with its path; the loader expands it
            ctx = {"summary": "; ".join(m for _, m in problems), "problems": problems}
            raise PydanticCustomError(CROSS_REFERENCE_ERROR, "{summary}", ctx)
        return self

    # Lookups raise UnknownCodeError (a KeyError) naming what exists.
    def _find(self, items: tuple[Any, ...], code: str, what: str) -> Any:
        for item in items:
            if item.code == code:
                return item
        known = ", ".join(i.code for i in items) or "none"
        raise UnknownCodeError(f"unknown {what} {code!r} in cell {self.code!r} (known: {known})")

    def party(self, code: str) -> Party:
        return self._find(self.parties, code, "party")

    def desk(self, code: str) -> Desk:
        return self._find(self.desks, code, "desk")

    def channel(self, code: str) -> Channel:
        return self._find(self.channels, code, "channel")

    def line(self, code: str) -> Line:
        return self._find(self.lines, code, "line")

    def zone(self, code: str) -> Zone:
        return self._find(self.zones, code, "zone")

    def place(self, code: str) -> Place:
        return self._find(self.places, code, "place")

    def incident_type(self, code: str) -> IncidentType:
        return self._find(self.incident_types, code, "incident type")

    def incident_rule(self, code: str) -> IncidentRule:
        return self._find(self.incident_rules, code, "incident rule")

    @property
    def mediator(self) -> Party:
        return next(p for p in self.parties if p.role is PartyRole.MEDIATOR)

    @property
    def principals(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.PRINCIPAL)

    @property
    def observers(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role is PartyRole.OBSERVER)

    @property
    def party_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.parties)

    @property
    def protected_places(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if p.protected)


def _cross_reference_problems(cell: CellDefinition) -> list[Problem]:
    """Every rule that spans more than one item, each problem at the path of the item at fault."""
    out: list[Problem] = []

    def add(*path: str | int, msg: str) -> None:
        out.append((path, msg))

    for field in ("parties", "desks", "channels", "lines", "zones", "places", "incident_types", "incident_rules"):
        out += duplicate_code_problems(field, getattr(cell, field))

    mediators = [i for i, p in enumerate(cell.parties) if p.role is PartyRole.MEDIATOR]
    mediator = cell.parties[mediators[0]].code if mediators else None
    if not mediators:
        add("parties", msg="no party has role 'mediator'; exactly one must")
    for i in mediators[1:]:
        add(
            "parties",
            i,
            "role",
            msg=f"{cell.parties[i].code} would be a second mediator after {mediator}; "
            "exactly one party may have role 'mediator'",
        )
    if len(cell.principals) < 2:
        add("parties", msg=f"at least two parties must have role 'principal', found {len(cell.principals)}")

    parties = ", ".join(p.code for p in cell.parties)
    desks = ", ".join(d.code for d in cell.desks)
    for i, ch in enumerate(cell.channels):
        for j, member in enumerate(ch.members):
            if member not in cell.party_codes:
                add("channels", i, "members", j, msg=f"unknown party {member!r} (parties: {parties})")
            elif member in ch.members[:j]:
                add("channels", i, "members", j, msg=f"{member} is listed twice")
        if ch.kind is ChannelKind.DESK and ch.desk is None:
            add("channels", i, msg="a desk channel needs `desk`")
        if ch.desk is not None and ch.desk not in {d.code for d in cell.desks}:
            add("channels", i, "desk", msg=f"unknown desk {ch.desk!r} (desks: {desks})")
        if ch.kind is ChannelKind.BILATERAL and len(set(ch.members)) != 2:
            add("channels", i, "members", msg="a bilateral channel has exactly two members")
        if ch.kind is ChannelKind.HOTLINE and mediator and mediator not in ch.members:
            add("channels", i, "members", msg=f"the hotline must include the mediator {mediator}")

    out += [(("intel", *path), msg) for path, msg in duplicate_code_problems("collections", cell.intel.collections)]
    for i, collection in enumerate(cell.intel.collections):
        for j, member in enumerate(collection.readers):
            if member not in cell.party_codes:
                add("intel", "collections", i, "readers", j, msg=f"unknown party {member!r} (parties: {parties})")
        if mediator and mediator not in collection.readers:
            add("intel", "collections", i, "readers", msg=f"the mediator {mediator} reads every collection")

    if cell.zones and cell.commerce.zone not in {z.code for z in cell.zones}:
        zones = ", ".join(z.code for z in cell.zones)
        add("commerce", "zone", msg=f"unknown zone {cell.commerce.zone!r} for economic sites (zones: {zones})")

    out += witness_problems(cell.witnesses, cell.party_codes)
    return out + zone_problems(cell) + incident_problems(cell) + deconfliction_problems(cell)
