"""Bodies and views of the fusion endpoints."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.cell.common import PartyCode
from fusioncell.fusion.models import FusionStage, MemberState
from fusioncell.i18n import N_
from fusioncell.incidents.schemas import MAX_DESCRIPTION_CHARS, MAX_REASON_CHARS, IncidentRead

MAX_MEMBERS = 50  # reports of one event: more is a mistake, not an event


def _distinct(value: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(value)) != len(value):
        raise ValueError(N_("an incident is named twice"))
    return value


class FusionDecision(Strict):
    """What the mediator says when merging: to whom the fused incident goes, and in its own words."""

    releasable_to: list[PartyCode] | None = Field(
        default=None, max_length=20, description="The parties whose reports it holds, if omitted."
    )
    description: str | None = Field(default=None, min_length=1, max_length=MAX_DESCRIPTION_CHARS)


class FusionCreate(FusionDecision):
    """Reports the mediator holds to be one event, fused by hand (or added to a merged fusion: `into`)."""

    incident_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_MEMBERS)
    into: uuid.UUID | None = Field(default=None, description="A merged fusion to add the reports to.")

    @field_validator("incident_ids")
    @classmethod
    def _distinct_ids(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return _distinct(value)


class FusionSplit(Strict):
    incident_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_MEMBERS, description="Reports to take out.")
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)

    @field_validator("incident_ids")
    @classmethod
    def _distinct_ids(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return _distinct(value)


class FusionDismissal(Strict):
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class FusionMemberRead(BaseModel):
    incident_id: uuid.UUID
    origin_party: str = Field(description="Who said it.")
    state: MemberState
    minutes_apart: float | None
    km_apart: float | None
    added_at: datetime
    incident: IncidentRead | None = Field(
        default=None, description="The report as the caller may read it; None where it was not released to the caller."
    )


class FusionRead(EnvelopeRead):
    stage: FusionStage
    extends_id: uuid.UUID | None
    occurred_at: datetime
    occurred_until: datetime | None
    lat: float
    lon: float
    type: str
    severity: int
    score: float
    description: str | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    members: list[FusionMemberRead]


class FusionPage(BaseModel):
    items: list[FusionRead]
    next_cursor: uuid.UUID | None
