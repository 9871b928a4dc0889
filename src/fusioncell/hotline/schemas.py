"""Bodies of the hotline endpoints."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fusioncell.access.schemas import Strict
from fusioncell.cell.definition import Precedence
from fusioncell.db.base import Marking, Status
from fusioncell.diplomacy.commitments.schemas import CommitmentRead

MAX_BODY_CHARS = 20_000
MAX_ATTACHMENTS = 10  # files one message carries


class Reference(Strict):
    kind: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z-]*$")
    id: str = Field(min_length=1, max_length=64)


class MessageCreate(Strict):
    channel: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    precedence: Precedence = Precedence.ROUTINE
    language: Literal["en", "ar", "he"] | None = Field(default=None, description="Detected from the text if omitted.")
    marking: Marking = Marking.AMBER
    reply_to: uuid.UUID | None = None
    corrects: uuid.UUID | None = Field(default=None, description="The earlier message of yours this one corrects.")
    references: list[Reference] = Field(default_factory=list, max_length=20)
    attachments: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    idempotency_key: str | None = Field(
        default=None,
        min_length=8,
        max_length=128,
        description="Client-chosen; a retry with the same key returns the first message and creates nothing.",
    )


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Comment(Strict):
    comment: str = Field(min_length=1, max_length=2000)


class RelayCreate(Strict):
    channel: str = Field(min_length=1, max_length=64, description="The other side's bilateral channel.")
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_CHARS, description="A paraphrase.")


class ReceiptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    message_id: uuid.UUID
    party: str
    kind: str
    created_by: str
    created_at: datetime
    ledger_index: int | None


class MessageRead(BaseModel):
    id: uuid.UUID
    channel: str
    origin_party: str
    created_by: str
    created_at: datetime
    version: int
    status: Status
    releasable_to: list[str]
    marking: str
    ledger_index: int | None
    body: str | None = Field(description="None once retracted.")
    body_html: str | None = Field(description="The body's Markdown subset, rendered and sanitised.")
    language: str
    precedence: Precedence
    reply_to: uuid.UUID | None
    corrects: uuid.UUID | None
    relayed_from: uuid.UUID | None
    references: list[dict]
    attachments: list[str]
    ack_parties: list[str]
    ack_due_at: datetime | None
    released_at: datetime | None
    review_comment: str | None
    retracted_at: datetime | None
    retraction_reason: str | None
    receipts: list[ReceiptRead]


class MessagePage(BaseModel):
    items: list[MessageRead]
    next_cursor: uuid.UUID | None


class ChannelRead(BaseModel):
    code: str
    name: str
    kind: str
    members: list[str]
    desk: str | None
    supervised_delivery: bool
    may_post: bool


class ChannelPage(BaseModel):
    items: list[ChannelRead]


class EscalationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    message_id: uuid.UUID
    party: str
    due_at: datetime
    created_at: datetime
    resolved_at: datetime | None
    ledger_index: int | None


class EscalationPage(BaseModel):
    items: list[EscalationRead]


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sha256: str
    filename: str
    media_type: str
    size: int
    status: Status
    message_id: uuid.UUID | None
    ledger_index: int | None


class InboxRead(BaseModel):
    acknowledgements: list[MessageRead]
    reviews: list[MessageRead]
    escalations: list[EscalationRead]
    overdue_commitments: list[CommitmentRead]  # the caller's party answers for these and they are past due
