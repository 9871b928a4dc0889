"""Request and response bodies for logins, the caller, and API tokens; the envelope every record is read with."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from fusioncell.db.base import Status


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EnvelopeRead(BaseModel):
    """A shared record's envelope (DESIGN.md) as its readers see it; each desk's read model adds its fields."""

    id: uuid.UUID
    origin_party: str
    created_by: str
    created_at: datetime
    version: int
    status: Status
    releasable_to: list[str]
    marking: str
    ledger_index: int | None


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginResponse(BaseModel):
    token: str
    token_id: uuid.UUID
    ledger_index: int


class PartyRead(BaseModel):
    code: str
    name: str
    role: str


class MeRead(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    party: PartyRead
    roles: list[str]


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=128)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None
    ledger_index: int | None = None


class TokenCreated(TokenRead):
    secret: str = Field(description="Shown once; only its hash is kept.")


class TokenPage(BaseModel):
    items: list[TokenRead]
