"""Sources of open-source reporting and the ingest's summary, at the API's edge."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: Literal["feed", "folder"]
    location: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None
    tags: list[Word] = Field(default_factory=list, max_length=50)
    desks: list[Word] = Field(default_factory=list, max_length=10)
    article_releasable_to: list[Word] | None = None  # None: the whole cell
    poll_minutes: int = Field(default=30, ge=5, le=24 * 60)
    enabled: bool = True


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    origin_party: str
    created_by: str
    created_at: datetime
    version: int
    ledger_index: int | None
    code: str
    name: str
    kind: str
    location: str
    language: str | None
    tags: list[str]
    desks: list[str]
    article_releasable_to: list[str] | None
    poll_minutes: int
    enabled: bool
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    consecutive_failures: int
    last_error: str | None


class Problem(BaseModel):
    where: str
    reason: str


class IngestSummaryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    new: int
    updated: int
    duplicate: int
    suggested: int
    rejected: list[Problem]
