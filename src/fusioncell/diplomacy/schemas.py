"""Bodies and answers of the statements and party-keys endpoints. Shapes are checked here, each problem at
its field; what needs the cell or the statement (its parties, its versions, the keys) is the service's."""

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from fusioncell.access.schemas import EnvelopeRead, Strict
from fusioncell.errors import Phrase
from fusioncell.i18n import N_

MAX_TEXT_CHARS = 40_000
PartyCode = Annotated[str, Field(min_length=1, max_length=16)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]


def _base64(value: str, length: int, what: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(Phrase(N_("the {what} is not base64"), what=what)) from None
    if len(raw) != length:
        raise ValueError(
            Phrase(
                N_("the {what} is {size} bytes; an Ed25519 {what} is {length}"),
                what=what,
                size=len(raw),
                length=length,
            )
        )
    return value


class StatementCreate(Strict):
    title: str = Field(min_length=1, max_length=300)
    required_parties: list[PartyCode] = Field(min_length=1, max_length=20)
    texts: dict[str, Text] = Field(min_length=1, max_length=3, description="{language: text}: en, ar, he")
    releasable_to: list[PartyCode] | None = Field(default=None, max_length=20)


class VersionCreate(Strict):
    texts: dict[str, Text] = Field(min_length=1, max_length=3)
    note: str = Field(default="", max_length=2000)


class CommentCreate(Strict):
    version: int = Field(ge=1)
    paragraph: int = Field(ge=1, description="1-based, as the version's paragraphs are numbered")
    text: str = Field(min_length=1, max_length=4000)


class SignatureCreate(Strict):
    version: int = Field(ge=1)
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(max_length=200, description="base64 of the 64-byte Ed25519 signature")

    @field_validator("signature")
    @classmethod
    def _is_signature(cls, value: str) -> str:
        return _base64(value, 64, "signature")


class StoredKeySignature(Strict):
    version: int = Field(ge=1)
    password: str = Field(min_length=1, max_length=1024)


class PartyKeyCreate(Strict):
    public_key: str = Field(max_length=100, description="base64 of the raw 32-byte Ed25519 public key")
    private_key: str | None = Field(
        default=None, max_length=100, description="base64 of the raw 32-byte private key, to sign from the browser"
    )

    @field_validator("public_key")
    @classmethod
    def _is_public_key(cls, value: str) -> str:
        return _base64(value, 32, "public key")

    @field_validator("private_key")
    @classmethod
    def _is_private_key(cls, value: str | None) -> str | None:
        return None if value is None else _base64(value, 32, "private key")


class VersionRead(EnvelopeRead):
    statement_id: uuid.UUID
    number: int
    texts: dict[str, str]
    note: str
    canonical_sha256: str
    canonical: str  # base64 of the canonical text: the bytes whose SHA-256 the parties sign


class SignatureRead(EnvelopeRead):
    statement_id: uuid.UUID
    version_number: int
    party: str
    key_id: str
    signature: str
    signed_by: str
    void: bool


class CommentRead(EnvelopeRead):
    statement_id: uuid.UUID
    version_number: int
    paragraph: int
    text: str


class StatementSummary(EnvelopeRead):
    title: str
    required_parties: list[str]
    stage: str
    latest_version: int
    published_at: datetime | None
    published_version: int | None


class StatementRead(StatementSummary):
    versions: list[VersionRead]
    signatures: list[SignatureRead]
    comments: list[CommentRead]
    missing_signatures: list[str]  # required parties yet to sign the latest version


class StatementPage(BaseModel):
    items: list[StatementSummary]
    next_cursor: uuid.UUID | None


class DiffRow(BaseModel):
    op: str  # equal, changed, added, removed
    old: str
    new: str


class DiffRead(BaseModel):
    from_version: int
    to_version: int
    languages: dict[str, list[DiffRow]]


class PartyKeyRead(EnvelopeRead):
    party: str
    public_key: str
    key_id: str
    revoked_at: datetime | None
    stored: bool  # the private half is kept in the cell (sealed) for signing from the browser


class PartyKeyPage(BaseModel):
    items: list[PartyKeyRead]
