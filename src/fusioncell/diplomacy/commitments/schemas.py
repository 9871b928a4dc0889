"""Bodies of the commitments endpoints. What can be checked without the database is checked here, each problem
at its field (a commitment due before it was made is refused before anything is looked up); what needs the
cell or other records (parties, evidence) is checked by the service."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.db.base import Marking
from fusioncell.diplomacy.commitments.models import Outcome, SourceKind, State
from fusioncell.errors import Phrase
from fusioncell.i18n import N_

MAX_TEXT_CHARS = 4000
MAX_NOTE_CHARS = 4000
MAX_REASON_CHARS = 2000
EvidenceKind = Literal["incident", "notice", "inspection", "project"]


class CommitmentCreate(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="What was undertaken.")
    responsible_party: str = Field(min_length=1, max_length=16, description="The party that undertook it.")
    source_kind: SourceKind = Field(description="Where it was undertaken: a statement, a meeting, or other.")
    source_id: str | None = Field(
        default=None, max_length=64, description="The statement's or meeting's id (not checked against it)."
    )
    made_at: AwareDatetime = Field(description="When it was undertaken; not in the future.")
    due_at: AwareDatetime = Field(description="When it falls due; after made_at.")
    state: Literal["proposed", "agreed"] = Field(
        default="proposed", description="Agreed when recorded from an agreed text; else proposed."
    )
    releasable_to: list[str] | None = Field(
        default=None, max_length=20, description="Party codes; by default the plenary. The responsible party is added."
    )
    marking: Marking = Marking.AMBER

    @model_validator(mode="after")
    def _consistent(self) -> "CommitmentCreate":
        if self.due_at <= self.made_at:
            raise ValueError(
                Phrase(
                    N_("due_at ({due_at}) must be after made_at ({made_at})"),
                    due_at=self.due_at.isoformat(),
                    made_at=self.made_at.isoformat(),
                )
            )
        if self.source_kind != SourceKind.OTHER:
            if not self.source_id:
                raise ValueError(
                    Phrase(N_("source_id is required when source_kind is {source_kind}"), source_kind=self.source_kind)
                )
            try:
                uuid.UUID(self.source_id)
            except ValueError:
                raise ValueError(
                    Phrase(N_("source_id must be the {source_kind}'s id (a UUID)"), source_kind=self.source_kind)
                ) from None
        return self


class NoteCreate(Strict):
    body: str = Field(min_length=1, max_length=MAX_NOTE_CHARS)


class ClaimCreate(Strict):
    state: Literal["in_progress", "done"]
    note: str = Field(min_length=1, max_length=MAX_NOTE_CHARS, description="What was done: the claim's note.")


class EvidenceCreate(Strict):
    kind: EvidenceKind
    id: uuid.UUID


class ContestCreate(Strict):
    reasons: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class RulingCreate(Strict):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)
    state: State | None = Field(
        default=None, description="Upheld only: the state the ruling sets; by default the one before the claim."
    )

    @model_validator(mode="after")
    def _state_only_when_upheld(self) -> "RulingCreate":
        if self.state is not None and self.outcome != Outcome.UPHELD:
            raise ValueError(N_("a state is set only by a ruling that upholds the contest"))
        return self


class MarkCreate(Strict):
    state: Literal["breached", "withdrawn"]
    reason: str = Field(min_length=1, max_length=MAX_REASON_CHARS)


class StateChange(BaseModel):
    state: State
    at: datetime
    by: str
    party: str
    via: str = Field(description="record, agree, claim, ruling or mark")
    reason: str | None = None


class EvidenceRead(BaseModel):
    kind: str
    id: uuid.UUID
    added_by: str
    added_party: str
    added_at: datetime
    href: str


class SourceRead(BaseModel):
    """The statement or meeting a commitment came from; given only to a caller who may read it."""

    kind: SourceKind
    id: str
    title: str
    href: str


class NoteRead(EnvelopeRead):
    commitment_id: uuid.UUID
    body: str
    claimed_state: State | None


class ContestRead(EnvelopeRead):
    commitment_id: uuid.UUID
    claimed_state: State
    prior_state: State
    reasons: str
    outcome: Outcome | None
    ruled_by: str | None
    ruled_at: datetime | None
    ruling: str | None
    ruled_state: State | None


class CommitmentRead(EnvelopeRead):
    text: str
    responsible_party: str
    source_kind: SourceKind
    source_id: str | None
    made_at: datetime
    due_at: datetime
    state: State
    state_changed_at: datetime
    overdue: bool
    history: list[StateChange]
    evidence: list[EvidenceRead] = Field(description="Only the links to records the caller may read.")
    source: SourceRead | None = Field(default=None, description="Its statement or meeting, if the caller may read it.")
    notes: list[NoteRead] = []
    contests: list[ContestRead] = []


class CommitmentPage(BaseModel):
    items: list[CommitmentRead]
    next_cursor: uuid.UUID | None


class ProgressSeries(BaseModel):
    state: State
    counts: list[int]


class ProgressRead(BaseModel):
    """Per week (Monday, UTC), how many of the commitments the caller may read stood in each state at its end."""

    weeks: list[str]
    series: list[ProgressSeries]
