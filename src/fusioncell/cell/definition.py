"""Pydantic models of a cell definition; default.yaml is a complete example.

Rules spanning several items (unique codes, one mediator, references) are checked once in
`CellDefinition`, each problem reported at the path of the item at fault so the loader can name its line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SLUG_PATTERN = r"^[a-z][a-z0-9-]*$"
PARTY_CODE_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
LOG_ORIGIN_PATTERN = r"^[^\s+]+$"  # a C2SP origin line: no spaces, no '+'
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
PartyCode = Annotated[str, StringConstraints(pattern=PARTY_CODE_PATTERN)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]

# The type name the loader looks for to expand cross-reference problems into one line each.
CROSS_REFERENCE_ERROR = "cell_cross_reference"


class UnknownCodeError(KeyError):
    """A lookup by code that names nothing in this cell (a KeyError with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown code"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Side(StrEnum):
    WEST = "west"
    EAST = "east"
    NORTH = "north"
    SOUTH = "south"


class Confidence(StrEnum):
    NORMAL = "normal"
    LOW = "low"


class Names(_Model):
    """A display name in each of the cell's working languages."""

    en: Text
    ar: Text
    he: Text

    def get(self, language: str) -> str:
        """The name in `language` ("en", "ar", "he"), English when there is none."""
        return getattr(self, language) if language in ("en", "ar", "he") else self.en


class Party(_Model):
    code: PartyCode  # also the releasability marking ("REL TO ISR")
    names: Names
    role: PartyRole


class Desk(_Model):
    code: Slug
    names: Names
    supervised_delivery: bool = False  # releases on this desk wait for the mediator's approval


class Channel(_Model):
    code: Slug
    names: Names
    kind: ChannelKind
    members: tuple[PartyCode, ...] = Field(min_length=2)
    desk: Slug | None = None
    # Messages wait in the mediator's review queue until approved or returned with a comment.
    supervised_delivery: bool = False


class Deadlines(_Model):
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
    deconfliction_lead_hours: dict[Slug, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: {
            "air-within-25km": 6,
            "ground-movement-aol": 24,
            "exercise": 72,
            "humanitarian-convoy": 12,
        }
    )

    @field_validator("acknowledgement_minutes")
    @classmethod
    def _every_precedence(cls, value: dict[Precedence, int | None]) -> dict[Precedence, int | None]:
        missing = [p.value for p in Precedence if p not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (use null for no deadline)")
        return value


class Line(_Model):
    code: Slug
    names: Names
    coordinates: tuple[tuple[Latitude, Longitude], ...] = Field(min_length=2)  # [lat, lon], north to south
    schematic: bool

    @property
    def lon_lat(self) -> tuple[tuple[float, float], ...]:
        """The coordinates in GeoJSON / Shapely order (lon, lat)."""
        return tuple((lon, lat) for lat, lon in self.coordinates)


class Derivation(_Model):
    """How a zone's geometry follows from lines or other zones (computed by the geo module)."""

    from_lines: tuple[Slug, Slug] | None = None  # polygon between two lines (the AOS)
    buffer_line: Slug | None = None  # band beside a line, from_km..km out on `side`
    side: Side | None = None
    from_km: float = Field(default=0, ge=0)
    km: float | None = Field(default=None, gt=0)
    same_as: Slug | None = None  # the same geometry as another zone

    @model_validator(mode="after")
    def _one_form(self) -> Derivation:
        if sum(f is not None for f in (self.from_lines, self.buffer_line, self.same_as)) != 1:
            raise ValueError("give exactly one of from_lines, buffer_line or same_as")
        if self.buffer_line is None and (self.side or self.km or self.from_km):
            raise ValueError("side, from_km and km belong with buffer_line only")
        if self.buffer_line is not None and (self.side is None or self.km is None or self.from_km >= self.km):
            raise ValueError("buffer_line needs side and km, with from_km (default 0) less than km")
        return self


class Limits(_Model):
    """Force limits in an area of limitation; None means the agreement sets no figure."""

    troops: int | None = Field(default=None, ge=0)
    tanks: int | None = Field(default=None, ge=0)
    artillery: int | None = Field(default=None, ge=0)
    artillery_max_range_km: float | None = Field(default=None, gt=0)
    heavy_artillery_allowed: bool | None = None
    missiles_allowed: bool | None = None  # surface-to-air and surface-to-surface
    unverified: bool = False
    note: str | None = None


_GEOJSON_TYPES = ("Polygon", "MultiPolygon", "LineString", "MultiLineString")


class Zone(_Model):
    code: Slug
    names: Names
    kind: Slug  # e.g. area-of-separation, area-of-limitation, economic-zone
    schematic: bool
    geojson: dict[str, Any] | None = None
    derived: Derivation | None = None
    applies_to: PartyCode | None = None  # the party whose forces the limits bind
    limits: Limits | None = None

    @field_validator("geojson")
    @classmethod
    def _geojson_geometry(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            if value.get("type") not in _GEOJSON_TYPES:
                raise ValueError(f"type must be one of {', '.join(_GEOJSON_TYPES)}")
            if not isinstance(value.get("coordinates"), list) or not value["coordinates"]:
                raise ValueError("coordinates must be a non-empty list")
        return value

    @model_validator(mode="after")
    def _one_geometry(self) -> Zone:
        if (self.geojson is None) == (self.derived is None):
            raise ValueError("give exactly one of geojson or derived")
        return self


class Place(_Model):
    code: Slug
    names: Names
    lat: Latitude
    lon: Longitude
    approximate: bool = False  # ±1–2 km
    protected: bool = False  # e.g. Druze communities: nearby notices and incidents are flagged
    note: str | None = None
    confidence: Confidence = Confidence.NORMAL


class Targets(_Model):
    """Claimed economic effects, shown beside the commerce desk's progress."""

    gdp_usd_per_year: float = Field(ge=0)
    gdp_percent_of_output: float | None = Field(default=None, ge=0)
    power_mw: float = Field(ge=0)
    jobs: int = Field(ge=0)
    pharma_import_reduction_percent: float = Field(ge=0, le=100)
    unverified: bool
    source: Text


class CellDefinition(_Model):
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
    deadlines: Deadlines = Field(default_factory=Deadlines)
    targets: Targets | None = None

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


Problem = tuple[tuple[str | int, ...], str]  # (path into the definition, message)


def _cross_reference_problems(cell: CellDefinition) -> list[Problem]:
    """Every rule that spans more than one item, each problem at the path of the item at fault."""
    out: list[Problem] = []

    def add(*path: str | int, msg: str) -> None:
        out.append((path, msg))

    for field in ("parties", "desks", "channels", "lines", "zones", "places"):
        first: dict[str, int] = {}
        for i, item in enumerate(getattr(cell, field)):
            if item.code in first:
                add(field, i, "code", msg=f"duplicate code {item.code!r} (also {field}[{first[item.code]}])")
            first.setdefault(item.code, i)

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

    lines = {ln.code for ln in cell.lines}
    zones = {z.code: z for z in cell.zones}
    for i, zone in enumerate(cell.zones):
        if zone.applies_to is not None and zone.applies_to not in cell.party_codes:
            add("zones", i, "applies_to", msg=f"unknown party {zone.applies_to!r} (parties: {parties})")
        d = zone.derived
        if d is None:
            continue
        for j, code in enumerate(d.from_lines or ()):
            if code not in lines:
                add("zones", i, "derived", "from_lines", j, msg=f"unknown line {code!r}")
        if d.from_lines and d.from_lines[0] == d.from_lines[1]:
            add("zones", i, "derived", "from_lines", msg="needs two different lines")
        if d.buffer_line is not None and d.buffer_line not in lines:
            add("zones", i, "derived", "buffer_line", msg=f"unknown line {d.buffer_line!r}")
        seen, target = {zone.code}, d.same_as
        while target:  # follow same_as chains so a cycle is an error here, not a hang in the geo code
            if target not in zones or target in seen:
                problem = "unknown zone" if target not in zones else "same_as forms a cycle through"
                add("zones", i, "derived", "same_as", msg=f"{problem} {target!r}")
                break
            seen.add(target)
            target = zones[target].derived and zones[target].derived.same_as
    return out
