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


class KeyRotationRead(BaseModel):
    index: int  # the rotation's entry; its handover checkpoint signs the tree of size index + 1
    previous_vkey: str
    vkey: str
    reason: str
    rotated_at: datetime
    content: dict  # the record's content as digested into the entry's body (ledger/key_chain.py checks it)
    handover: str  # the handover checkpoint: a signed note with a line by each key, and any cosignatures


class KeyHistory(BaseModel):
    """The key in force and every rotation that led to it, oldest first."""

    vkey: str
    rotations: list[KeyRotationRead]
