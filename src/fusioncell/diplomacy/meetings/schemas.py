"""Bodies of the meetings endpoints. What can be checked without the cell is checked here, each problem at
its field; what needs the cell (its parties, its gazetteer) and what needs the caller (readable attachments)
is checked by the service."""

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, ValidationInfo, field_validator, model_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.db.base import Marking
from fusioncell.diplomacy.meetings.models import MinutesState
from fusioncell.errors import Phrase
from fusioncell.i18n import N_

MAX_DURATION = timedelta(days=14)  # a longer conference is scheduled session by session
MAX_MINUTES_CHARS = 50_000

Delegate = Annotated[str, Field(min_length=1, max_length=200)]
AgendaItem = Annotated[str, Field(min_length=1, max_length=1000)]


class ParticipantIn(Strict):
    party: str = Field(min_length=1, max_length=16, description="A party code of the cell.")
    delegates: list[Delegate] = Field(default_factory=list, max_length=30, description="Named delegates.")


class MeetingCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    place: str | None = Field(default=None, max_length=64, description="A place code of the gazetteer.")
    venue: str | None = Field(default=None, min_length=1, max_length=300, description="Or a venue in words.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime = Field(description="After starts_at, at most 14 days later.")
    participants: list[ParticipantIn] = Field(
        min_length=1, max_length=12, description="The parties attending; the mediator is added if not named."
    )
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=50)
    attachments: list[uuid.UUID] = Field(default_factory=list, max_length=20, description="Files you may read.")
    marking: Marking = Marking.AMBER

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and value <= start:
            raise ValueError(N_("ends_at must be after starts_at: a meeting cannot end before it starts"))
        if start is not None and value - start > MAX_DURATION:
            raise ValueError(
                Phrase(
                    N_("the meeting lasts longer than {days} days: schedule it session by session"),
                    days=MAX_DURATION.days,
                )
            )
        return value

    @model_validator(mode="after")
    def _one_venue(self) -> "MeetingCreate":
        if (self.place is None) == (self.venue is None):
            raise ValueError(N_("give the venue as exactly one of place (a gazetteer code) or venue (free text)"))
        parties = [p.party for p in self.participants]
        if len(parties) != len(set(parties)):
            raise ValueError(N_("a party is named twice among the participants"))
        return self


class MinutesIn(Strict):
    text: str = Field(min_length=1, max_length=MAX_MINUTES_CHARS)


class ApprovalIn(Strict):
    draft: int = Field(ge=1, description="The number of the draft approved: a superseded one is refused.")


class VenueRead(BaseModel):
    place: str | None = Field(description="The gazetteer's code, if the venue is a place of it.")
    names: dict[str, str] | None = Field(description="The place's names (en, ar, he).")
    lat: float | None
    lon: float | None
    text: str | None = Field(description="The venue in words, if not a place of the gazetteer.")


class ParticipantRead(BaseModel):
    party: str
    delegates: list[str]


class AttachmentRef(BaseModel):
    id: uuid.UUID
    filename: str
    media_type: str
    size: int


class ApprovalRead(BaseModel):
    party: str
    by: str
    at: datetime


class MinutesRead(BaseModel):
    state: MinutesState
    draft: int = Field(description="The current draft's number; 0 before the first.")
    text: str | None
    drafted_by: str | None
    drafted_at: datetime | None
    approvals: list[ApprovalRead] = Field(description="Of the current draft only.")
    awaiting: list[str] = Field(description="Attending parties whose approval of the current draft is missing.")
    agreed_at: datetime | None


class MeetingRead(EnvelopeRead):
    title: str
    venue: VenueRead
    starts_at: datetime
    ends_at: datetime
    participants: list[ParticipantRead]
    agenda: list[str]
    attachments: list[AttachmentRef] = Field(description="The files the caller may read.")
    approving_parties: list[str]
    minutes: MinutesRead


class MeetingPage(BaseModel):
    items: list[MeetingRead]
    next_cursor: uuid.UUID | None
