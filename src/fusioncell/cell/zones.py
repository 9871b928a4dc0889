"""The ground a cell covers: lines, zones, places (the gazetteer) and the area of interest.

The geometry itself is computed by `fusioncell.geo` from these declarations; here they are only checked.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field, field_validator, model_validator

from fusioncell.cell.common import Latitude, Longitude, Model, Names, PartyCode, Problem, Side, Slug

if TYPE_CHECKING:
    from fusioncell.cell.definition import CellDefinition


def _west_or_east(side: Side) -> Side:
    if side not in (Side.WEST, Side.EAST):
        raise ValueError("lines run north to south, so only 'west' or 'east' of a line has a meaning")
    return side


LineSide = Annotated[Side, AfterValidator(_west_or_east)]


class Confidence(StrEnum):
    NORMAL = "normal"
    LOW = "low"


class LineForces(Model):
    """Whose forces a line holds back, and the side of it they stay on (Line Alpha: ISR stays west)."""

    party: PartyCode
    stay: LineSide


class Line(Model):
    code: Slug
    names: Names
    coordinates: tuple[tuple[Latitude, Longitude], ...] = Field(min_length=2)  # [lat, lon], north to south
    schematic: bool
    forces: LineForces | None = None

    @field_validator("coordinates")
    @classmethod
    def _north_to_south(cls, value: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        # West and east of a line are the regions between it and the far west or east, bounded by the
        # latitudes of its two ends; that needs the ends to be its northern- and southernmost points.
        lats = [lat for lat, _ in value]
        if lats[0] != max(lats) or lats[-1] != min(lats) or lats[0] == lats[-1]:
            raise ValueError("lines run north to south: the first point must be northernmost, the last southernmost")
        return value

    @property
    def lon_lat(self) -> tuple[tuple[float, float], ...]:
        """The coordinates in GeoJSON / Shapely order (lon, lat)."""
        return tuple((lon, lat) for lat, lon in self.coordinates)


class Derivation(Model):
    """How a zone's geometry follows from lines or other zones (computed by the geo module)."""

    from_lines: tuple[Slug, Slug] | None = None  # polygon between two lines (the AOS)
    buffer_line: Slug | None = None  # band beside a line, from_km..km out on `side`
    side: LineSide | None = None
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


class Limits(Model):
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


class Zone(Model):
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


class Place(Model):
    code: Slug
    names: Names
    lat: Latitude
    lon: Longitude
    approximate: bool = False  # ±1–2 km
    protected: bool = False  # e.g. Druze communities: nearby notices and incidents are flagged
    note: str | None = None
    confidence: Confidence = Confidence.NORMAL


class AreaOfInterest(Model):
    """Where reports may lie: a report outside this box is a mistake, not news from afar.

    Places may lie outside it (the talks' venue); the box does not cross the antimeridian."""

    south: Latitude
    west: Longitude
    north: Latitude
    east: Longitude

    @model_validator(mode="after")
    def _ordered(self) -> AreaOfInterest:
        if self.south >= self.north or self.west >= self.east:
            raise ValueError("south must be less than north and west less than east")
        return self

    def problems(self, *, lat: float, lon: float) -> dict[str, str]:
        """Why each coordinate ("lat", "lon") lies outside the box; empty when the point is inside."""
        out = {}
        if not self.south <= lat <= self.north:
            out["lat"] = f"latitude {lat} is outside the cell's area of interest ({self.south} to {self.north})"
        if not self.west <= lon <= self.east:
            out["lon"] = f"longitude {lon} is outside the cell's area of interest ({self.west} to {self.east})"
        return out


def zone_problems(cell: CellDefinition) -> list[Problem]:
    """Lines and zones that name what does not exist, and lines that leave the area of interest."""
    out: list[Problem] = []

    def add(*path: str | int, msg: str) -> None:
        out.append((path, msg))

    parties = ", ".join(p.code for p in cell.parties)
    for i, line in enumerate(cell.lines):
        if line.forces is not None and line.forces.party not in cell.party_codes:
            add("lines", i, "forces", "party", msg=f"unknown party {line.forces.party!r} (parties: {parties})")
        area = cell.area_of_interest
        for j, (lat, lon) in enumerate(line.coordinates):
            if area is not None and area.problems(lat=lat, lon=lon):
                add("lines", i, "coordinates", j, msg="the point lies outside area_of_interest")

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
