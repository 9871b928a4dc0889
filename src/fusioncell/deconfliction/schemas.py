"""Bodies of the notices endpoints. Everything that can be checked without the cell is checked here, each
problem at its field; what needs the cell (its area of interest, its parties) is checked by the service."""

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

import shapely
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from shapely.geometry import Polygon

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.deconfliction import Activity
from fusioncell.db.base import Marking
from fusioncell.db.types import utcnow
from fusioncell.deconfliction.areas import round_ring
from fusioncell.deconfliction.findings import FindingCode, Severity
from fusioncell.errors import Phrase
from fusioncell.i18n import N_

MAX_DESCRIPTION_CHARS = 4000
MAX_WINDOW = timedelta(days=31)  # a longer activity is notified in parts, so each notice stays specific
MIN_RADIUS_KM, MAX_RADIUS_KM = 0.1, 100.0
MAX_POINTS = 2000  # per ring
# Metres above mean sea level: the Dead Sea shore lies near -430 m, Mount Hermon's summit at 2,814 m.
MIN_ALTITUDE_M, MAX_ALTITUDE_M = -500, 30_000

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Position = tuple[Longitude, Latitude]  # GeoJSON order


class PolygonIn(Strict):
    """A GeoJSON Polygon: the exterior ring, then any holes; [lon, lat] points, a ring left open is closed."""

    type: Literal["Polygon"]
    coordinates: list[Annotated[list[Position], Field(min_length=3, max_length=MAX_POINTS)]] = Field(
        min_length=1, max_length=20
    )

    @field_validator("coordinates")
    @classmethod
    def _simple(cls, rings: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
        closed = [round_ring(ring) for ring in rings]
        for i, ring in enumerate(closed):
            if len(set(ring)) < 3:
                raise ValueError(Phrase(N_("ring {i} has fewer than 3 distinct points"), i=i))
        polygon = Polygon(closed[0], closed[1:])
        if not polygon.is_valid:
            raise ValueError(
                Phrase(N_("the polygon is not a simple area: {reason}"), reason=shapely.is_valid_reason(polygon))
            )
        return [list(ring) for ring in closed]


class CircleIn(Strict):
    lat: Latitude
    lon: Longitude
    radius_km: float = Field(ge=MIN_RADIUS_KM, le=MAX_RADIUS_KM, allow_inf_nan=False)


class AltitudeBand(Strict):
    """Metres above mean sea level."""

    min_m: int = Field(ge=MIN_ALTITUDE_M, le=MAX_ALTITUDE_M)
    max_m: int = Field(ge=MIN_ALTITUDE_M, le=MAX_ALTITUDE_M)

    @field_validator("max_m")
    @classmethod
    def _ordered(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min_m")
        if low is not None and value < low:
            raise ValueError(Phrase(N_("max_m ({max_m}) is below min_m ({low})"), max_m=value, low=low))
        return value


class NoticeCreate(Strict):
    activity: Activity
    polygon: PolygonIn | None = Field(default=None, description="The area as a GeoJSON Polygon; or give `circle`.")
    circle: CircleIn | None = Field(default=None, description="The area as a circle; or give `polygon`.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="After starts_at and in the future: a notice is of planned activity.")
    altitude: AltitudeBand | None = None
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    releasable_to: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Party codes; by default the mediator and the principals (the plenary).",
    )
    marking: Marking = Marking.AMBER

    @field_validator("ends_at")
    @classmethod
    def _after_start_and_ahead(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and value <= start:
            raise ValueError(N_("ends_at must be after starts_at"))
        if start is not None and value - start > MAX_WINDOW:
            raise ValueError(
                Phrase(
                    N_("the window is longer than {days} days: notify a long activity in parts"), days=MAX_WINDOW.days
                )
            )
        if value <= utcnow():
            raise ValueError(N_("the notice lies entirely in the past: notices are of planned activity"))
        return value

    @model_validator(mode="after")
    def _one_area(self) -> "NoticeCreate":
        if (self.polygon is None) == (self.circle is None):
            raise ValueError(N_("give the area as exactly one of polygon or circle"))
        return self


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class FindingRead(BaseModel):
    code: FindingCode
    severity: Severity
    message: str
    related_id: uuid.UUID | None = Field(description="A record the finding is about, one the caller may read.")
    details: dict


class CircleRead(BaseModel):
    lat: float
    lon: float
    radius_km: float


class AltitudeRead(BaseModel):
    min_m: int
    max_m: int


class AcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    notice_id: uuid.UUID
    party: str
    created_by: str
    created_at: datetime
    ledger_index: int | None


class NoticeRead(EnvelopeRead):
    activity: Activity
    area: dict | None = Field(description="A GeoJSON Polygon (a circle drawn as one); None once retracted.")
    circle: CircleRead | None = Field(description="The circle the area was given as; None once retracted.")
    starts_at: datetime
    ends_at: datetime
    altitude: AltitudeRead | None = Field(description="Metres above mean sea level; None once retracted.")
    description: str | None = Field(description="None once retracted.")
    findings: list[FindingRead] = Field(description="What the server found, as far as the caller may know.")
    ack_parties: list[str]
    acknowledgements: list[AcknowledgementRead]
    released_at: datetime | None
    retracted_at: datetime | None
    retraction_reason: str | None


class NoticePage(BaseModel):
    items: list[NoticeRead]
    next_cursor: uuid.UUID | None
