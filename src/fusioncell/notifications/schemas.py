"""Bodies of the webhook and e-mail settings endpoints."""

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fusioncell.access.schemas import Strict
from fusioncell.cell.definition import Precedence
from fusioncell.errors import Phrase
from fusioncell.i18n import N_
from fusioncell.notifications.service import email_problem, url_problem

KIND = re.compile(r"^[a-z][a-z-]{0,31}$")


class WebhookCreate(Strict):
    url: str = Field(min_length=1, max_length=2000, description="http:// or https:// with a host.")
    description: str = Field(default="", max_length=256)
    kinds: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Record kinds to receive (e.g. message, escalation); empty means every kind.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        problem = url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not KIND.match(kind):
                raise ValueError(Phrase(N_("not a record kind: {kind!r}"), kind=kind))
        return sorted(set(value))


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    party: str
    url: str
    description: str
    kinds: list[str]
    created_by: str
    created_at: datetime
    disabled_at: datetime | None
    ledger_index: int | None


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Shown once: keep it to verify the X-Fusioncell-Signature header.")


class WebhookPage(BaseModel):
    items: list[WebhookRead]


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(BaseModel):
    id: uuid.UUID
    ledger_index: int
    kind: str
    action: str
    record_id: str
    record_version: int
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None
    log: list[AttemptRead]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: uuid.UUID | None


class EmailSettingsUpdate(Strict):
    email: str | None = Field(max_length=254, description="Where alerts go; null stops e-mail.")
    precedences: list[Precedence] = Field(
        default_factory=lambda: [Precedence.FLASH, Precedence.IMMEDIATE],
        max_length=4,
        description="Messages at these precedences are e-mailed.",
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None:
            problem = email_problem(value)
            if problem:
                raise ValueError(problem)
        return value


class EmailSettingsRead(BaseModel):
    email: str | None
    precedences: list[str]
    email_enabled: bool = Field(description="Whether the server is configured to send e-mail at all.")
    ledger_index: int | None
