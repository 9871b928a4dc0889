"""Bodies of the ledger endpoints. Binary values are base64, as in C2SP and RFC 9162 tooling."""

from datetime import datetime

from pydantic import BaseModel


class ProofRead(BaseModel):
    hashes: list[str]


class LeavesRead(BaseModel):
    start: int
    leaves: list[str]


class EntryRead(BaseModel):
    index: int
    leaf: str
    salt: str
    body: str  # the canonical JSON exactly as hashed: SHA-256(salt || body) == leaf
    kind: str
    record_id: str
    record_version: int
    action: str
    created_at: datetime


class EntryPage(BaseModel):
    items: list[EntryRead]
    next_cursor: int | None


class CheckpointSummary(BaseModel):
    size: int
    root: str
    created_at: datetime


class LedgerStatus(BaseModel):
    size: int
    root: str
    checkpoint: CheckpointSummary | None
    verifier_key: str
