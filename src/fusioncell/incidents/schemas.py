"""Bodies of the incident endpoints. What a body's shape can say is checked here (ranges, valid polygons,
time windows, the future); what depends on the cell (types, parties, the area of interest) by
service.report_problems, reported in the same shape."""

import math
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from shapely import is_valid_reason
from shapely.geometry import Polygon

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.common import PARTY_CODE_PATTERN, SLUG_PATTERN, Names, PartyCode
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.incidents.models import ComplaintStage, Finding, GeoPrecision, Ruling, Stage, TimePrecision

MAX_DESCRIPTION_CHARS = 10_000
MAX_REASON_CHARS = 4_000
MAX_VERTICES = 2_000  # of a polygon, all rings together: an area drawn by hand, not a coastline
MAX_CASUALTIES = 1_000_000
CLOCK_SKEW = timedelta(minutes=5)  # a reporter's clock may run this far ahead of the server's


def _position(value: Any, where: str) -> list[float]:
    """A GeoJSON position [longitude, latitude] in range, as floats."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(Phrase(N_("{where}: a position is [longitude, latitude]"), where=where))
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in value):
        raise ValueError(Phrase(N_("{where}: longitude and latitude are finite numbers"), where=where))
    lon, lat = float(value[0]), float(value[1])
    if not -180 <= lon <= 180:
        raise ValueError(Phrase(N_("{where}: longitude {lon} is out of range (-180 to 180)"), where=where, lon=lon))
    if not -90 <= lat <= 90:
        raise ValueError(Phrase(N_("{where}: latitude {lat} is out of range (-90 to 90)"), where=where, lat=lat))
    return [lon, lat]


def _rings(value: list[Any]) -> list[list[list[float]]]:
    """A GeoJSON Polygon's rings: closed, at least four positions each, a valid area together."""
    if not value:
        raise ValueError(N_("a polygon has at least one ring"))
    rings = []
    for i, ring in enumerate(value):
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValueError(
                Phrase(N_("ring {i}: a ring has at least four positions, the last repeating the first"), i=i)
            )
        rings.append([_position(p, f"ring {i} position {j}") for j, p in enumerate(ring)])
        if rings[-1][0] != rings[-1][-1]:
            raise ValueError(Phrase(N_("ring {i}: a ring is closed (its last position repeats its first)"), i=i))
    if sum(len(ring) for ring in rings) > MAX_VERTICES:
        raise ValueError(Phrase(N_("a polygon has at most {max_vertices} positions"), max_vertices=MAX_VERTICES))
    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        raise ValueError(
            Phrase(
                N_("the polygon is not a valid area ({reason}); does it cross itself?"), reason=is_valid_reason(polygon)
            )
        )
    return rings


class Location(Strict):
    """A GeoJSON geometry in WGS 84: a Point, or a Polygon for an area (lon/lat order, as GeoJSON)."""

    type: Literal["Point", "Polygon"]
    coordinates: list[Any]

    @field_validator("coordinates")
    @classmethod
    def _shape(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        kind = info.data.get("type")
        if kind == "Point":
            return _position(value, "point")
        if kind == "Polygon":
            return _rings(value)
        return value  # the type is wrong, and reported as such


class CasualtiesIn(Strict):
    killed: int = Field(default=0, ge=0, le=MAX_CASUALTIES, description="All killed, civilians included.")
    injured: int = Field(default=0, ge=0, le=MAX_CASUALTIES, description="All injured, civilians included.")
    civilians_killed: int = Field(default=0, ge=0, le=MAX_CASUALTIES)
    civilians_injured: int = Field(default=0, ge=0, le=MAX_CASUALTIES)

    @field_validator("civilians_killed", "civilians_injured")
    @classmethod
    def _among_all(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get(info.field_name.removeprefix("civilians_"))
        if total is not None and value > total:
            raise ValueError(
                Phrase(
                    N_("civilians are counted among all {field_name} ({total})"),
                    field_name=info.field_name.removeprefix("civilians_"),
                    total=total,
                )
            )
        return value


def _not_future(value: datetime) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise ValueError(N_("lies in the future: an incident is reported once it has occurred"))
    return value


class IncidentCreate(Strict):
    occurred_at: AwareDatetime = Field(description="When it occurred (the start of a time window), with a zone.")
    occurred_until: AwareDatetime | None = Field(default=None, description="The end of a time window, if any.")
    time_precision: TimePrecision = TimePrecision.EXACT
    location: Location
    geo_precision: GeoPrecision = GeoPrecision.EXACT
    type: str = Field(min_length=1, max_length=64, pattern=SLUG_PATTERN, description="A code of incident_types.")
    actor_party: str | None = Field(
        default=None, pattern=PARTY_CODE_PATTERN, description="The party whose forces acted, if known."
    )
    severity: int = Field(ge=1, le=5, description="1 (least) to 5; raised by rules the location breaks.")
    casualties: CasualtiesIn = Field(default_factory=CasualtiesIn)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS, description="Plain text.")
    sources: list[str] = Field(default_factory=list, max_length=20, description="Short source citations.")
    attachments: list[uuid.UUID] = Field(
        default_factory=list, max_length=10, description="Released hotline files your party may read."
    )
    releasable_to: list[PartyCode] | None = Field(
        default=None, max_length=20, description="The plenary (mediator and principals) if omitted."
    )
    marking: Marking = Marking.AMBER
    draft: bool = Field(default=False, description="Keep it as your party's draft; release it later.")

    @field_validator("occurred_at")
    @classmethod
    def _occurred(cls, value: datetime) -> datetime:
        return _not_future(value)

    @field_validator("occurred_until")
    @classmethod
    def _window(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("occurred_at")
        if value is not None and start is not None and value < start:
            raise ValueError(N_("the time window ends before it starts (occurred_at)"))
        return value if value is None else _not_future(value)

    @field_validator("sources")
    @classmethod
    def _short_sources(cls, value: list[str]) -> list[str]:
        for i, source in enumerate(value):
            if not 1 <= len(source.strip()) <= 200:
                raise ValueError(Phrase(N_("source {i}: 1 to 200 characters"), i=i))
        return [source.strip() for source in value]


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class FindingCreate(Strict):
    finding: Finding
    reasons: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class ComplaintCreate(Strict):
    grounds: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)


class AnswerCreate(Strict):
    answer: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)


class RulingCreate(Strict):
    ruling: Ruling
    reasons: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class Casualties(BaseModel):
    killed: int
    injured: int
    civilians_killed: int
    civilians_injured: int


class NearSite(BaseModel):
    place: str
    distance_km: float


class Violation(BaseModel):
    rule: str = Field(description="Code of the cell's incident rule the incident breaks.")
    names: Names
    severity: int | None


class IncidentRead(EnvelopeRead):
    occurred_at: datetime
    occurred_until: datetime | None
    time_precision: TimePrecision
    location: dict[str, Any] = Field(description="GeoJSON Point or Polygon, lon/lat.")
    geo_precision: GeoPrecision
    type: str
    actor_party: str | None
    reported_severity: int
    severity: int
    casualties: Casualties
    description: str | None = Field(description="None once retracted.")
    sources: list[str]
    attachments: list[uuid.UUID] = Field(description="The hotline files cited that the caller may read.")
    lat: float
    lon: float
    zones: list[str]
    side: str | None
    protected_sites: list[NearSite]
    violations: list[Violation]
    stage: Stage
    released_at: datetime | None
    ack_parties: list[str]
    acknowledged_parties: list[str]
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    investigation_opened_at: datetime | None
    finding: Finding | None
    finding_reasons: str | None
    finding_at: datetime | None
    closed_at: datetime | None
    handled_by: str | None
    retracted_at: datetime | None
    retraction_reason: str | None


class IncidentPoint(BaseModel):
    """An incident as the map draws it: its marker and its class; the popup fetches the rest."""

    id: uuid.UUID
    version: int
    origin_party: str
    status: Status
    stage: Stage
    type: str
    severity: int
    occurred_at: datetime
    lat: float
    lon: float
    area: dict[str, Any] | None = Field(description="The GeoJSON Polygon of an area; None for a point.")


class IncidentMap(BaseModel):
    items: list[IncidentPoint] = Field(description="Newest first.")
    truncated: bool = Field(description="More incidents match than the limit: narrow the time window.")


class IncidentPage(BaseModel):
    items: list[IncidentRead]
    next_cursor: uuid.UUID | None


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    incident_id: uuid.UUID
    origin_party: str
    accused_party: str
    created_by: str
    created_at: datetime
    version: int
    status: Status
    marking: str
    ledger_index: int | None
    grounds: str
    stage: ComplaintStage
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    ruling: Ruling | None
    ruling_reasons: str | None
    ruled_by: str | None
    ruled_at: datetime | None


class ComplaintPage(BaseModel):
    items: list[ComplaintRead]
    next_cursor: uuid.UUID | None


class IncidentEscalationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    incident_id: uuid.UUID
    party: str = Field(description="The party that did not acknowledge in time.")
    severity: int
    due_at: datetime
    created_at: datetime
    ledger_index: int | None


class IncidentEscalationPage(BaseModel):
    items: list[IncidentEscalationRead]
    next_cursor: uuid.UUID | None
