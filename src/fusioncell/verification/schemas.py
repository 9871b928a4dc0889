"""Bodies of the verification endpoints. What a body's shape can say is checked here (ranges, dates, the
location's geometry); what depends on the cell (zones and their limits, parties) by the services'
`*_problems`, reported in the same shape."""

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.common import PARTY_CODE_PATTERN, SLUG_PATTERN, PartyCode
from fusioncell.db.base import Marking
from fusioncell.db.types import utcnow
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.incidents.schemas import Location
from fusioncell.verification.models import PositionStage, Result

MAX_COUNT = 1_000_000
MAX_TEXT_CHARS = 10_000
MAX_NOTE_CHARS = 2_000
CLOCK_SKEW = timedelta(minutes=5)  # a client's clock may run this far ahead of the server's
ZoneCode = Field(min_length=1, max_length=64, pattern=SLUG_PATTERN)


def _not_future(value: datetime, what: str) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise ValueError(Phrase(N_("lies in the future: {what}"), what=what))
    return value


class Envelope(Strict):
    releasable_to: list[PartyCode] | None = Field(
        default=None, max_length=20, description="The plenary (mediator and principals) if omitted."
    )
    marking: Marking = Marking.AMBER


class PostureCreate(Envelope):
    zone: str = ZoneCode
    as_of: AwareDatetime = Field(description="The date the counts hold at; not in the future.")
    troops: int = Field(default=0, ge=0, le=MAX_COUNT)
    tanks: int = Field(default=0, ge=0, le=MAX_COUNT)
    artillery: int = Field(default=0, ge=0, le=MAX_COUNT, description="Short-range artillery pieces.")
    heavy_artillery: int = Field(default=0, ge=0, le=MAX_COUNT)
    missiles: int = Field(default=0, ge=0, le=MAX_COUNT, description="Surface-to-air and surface-to-surface.")
    remarks: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, value: datetime) -> datetime:
        return _not_future(value, "a posture is declared as it stands")


class CountsIn(Strict):
    """What an inspector counted; a count not taken is left out (null)."""

    troops: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    tanks: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    artillery: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    heavy_artillery: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    missiles: int | None = Field(default=None, ge=0, le=MAX_COUNT)


class FindingIn(Strict):
    zone: str = ZoneCode
    observed: CountsIn = Field(default_factory=CountsIn)
    compliant: bool
    remark: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class InspectionCreate(Envelope):
    zones: list[str] = Field(min_length=1, max_length=20, description="Zone codes inspected.")
    inspected_at: AwareDatetime
    position_id: uuid.UUID | None = Field(default=None, description="A position your party may read it checks.")
    declaration_id: uuid.UUID | None = Field(default=None, description="A declaration your party may read.")
    findings: list[FindingIn] = Field(min_length=1, max_length=50)
    result: Result = Field(description="Overall; the server makes it a violation when any finding is one.")
    summary: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)

    @field_validator("zones")
    @classmethod
    def _zone_codes(cls, value: list[str]) -> list[str]:
        for i, code in enumerate(value):
            if not 1 <= len(code) <= 64 or not re.fullmatch(SLUG_PATTERN, code):
                raise ValueError(Phrase(N_("zone {i}: not a zone code"), i=i))
        return list(dict.fromkeys(value))

    @field_validator("inspected_at")
    @classmethod
    def _inspected(cls, value: datetime) -> datetime:
        return _not_future(value, "an inspection is reported once made")


class PositionCreate(Envelope):
    name: str = Field(min_length=1, max_length=200)
    holding_party: str | None = Field(
        default=None, pattern=PARTY_CODE_PATTERN, description="A principal; your own party if omitted."
    )
    location: Location
    description: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class ScheduleCreate(Strict):
    due_at: AwareDatetime = Field(description="When the withdrawal is due; in the future.")
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)

    @field_validator("due_at")
    @classmethod
    def _ahead(cls, value: datetime) -> datetime:
        if value <= utcnow():
            raise ValueError(N_("lies in the past: a withdrawal is scheduled ahead"))
        return value


class NoteCreate(Strict):
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class LimitFinding(BaseModel):
    limit: str
    declared: int
    allowed: int
    over: bool


class PostureRead(EnvelopeRead):
    zone: str
    as_of: datetime
    troops: int
    tanks: int
    artillery: int
    heavy_artillery: int
    missiles: int
    remarks: str | None
    findings: list[LimitFinding]
    over_limit: bool


class PosturePage(BaseModel):
    items: list[PostureRead]
    next_cursor: uuid.UUID | None


class OverLimit(BaseModel):
    limit: str
    observed: int
    allowed: int


class FindingRead(BaseModel):
    zone: str
    observed: dict[str, int | None]
    compliant: bool = Field(description="False wherever the observed counts exceed the zone's limits.")
    remark: str | None
    over: list[OverLimit] = Field(description="Observed counts over the zone's limits, computed by the server.")


class InspectionRead(EnvelopeRead):
    zones: list[str]
    inspected_at: datetime
    position_id: uuid.UUID | None
    declaration_id: uuid.UUID | None
    findings: list[FindingRead]
    reported_result: Result
    result: Result
    summary: str


class InspectionPage(BaseModel):
    items: list[InspectionRead]
    next_cursor: uuid.UUID | None


class Milestone(BaseModel):
    stage: PositionStage
    at: datetime
    by: str
    party: str
    note: str | None
    due_at: datetime | None = None


class PositionRead(EnvelopeRead):
    name: str
    holding_party: str
    location: dict[str, Any] = Field(description="GeoJSON Point or Polygon, lon/lat.")
    description: str | None
    lat: float
    lon: float
    zones: list[str]
    side: str | None
    stage: PositionStage
    due_at: datetime | None
    scheduled_at: datetime | None
    withdrawn_at: datetime | None
    verified_at: datetime | None
    overdue: bool = Field(description="Scheduled, and its due date has passed (as of this view).")
    milestones: list[Milestone]


class PositionPage(BaseModel):
    items: list[PositionRead]
    next_cursor: uuid.UUID | None
