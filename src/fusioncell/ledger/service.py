"""Appending to the record and reading proofs from it. Never commits: the caller's transaction does,
so a change and its entry land together or not at all."""

import base64
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rfc8785
from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Recorded
from fusioncell.db.types import utcnow
from fusioncell.errors import Invalid, NotFound
from fusioncell.ledger import merkle
from fusioncell.ledger.models import Checkpoint, LedgerEntry, LedgerNode, LedgerState
from fusioncell.ledger.note import Checkpoint as CheckpointText
from fusioncell.ledger.note import Signer, format_checkpoint

MAX_LEAVES_PER_PAGE = 1000


@dataclass(frozen=True)
class EntryDraft:
    """What one entry says: who did what to which version of which record, and the content digest."""

    kind: str
    record_id: str
    version: int
    action: str
    actor: str
    party: str
    digest: str
    origin_party: str
    status: str
    releasable_to: frozenset[str]


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def record_change(session: Session, *, record: Recorded, action: str, actor: str, party: str) -> int:
    """Append the entry for a record's current version; set its ledger_index. Returns the index."""
    session.flush()  # ids, defaults and timestamps must exist before they are digested
    origin, status, releasable_to = record.ledger_envelope()
    draft = EntryDraft(
        kind=record.record_kind,
        record_id=str(record.id),
        version=record.version,
        action=action,
        actor=actor,
        party=party,
        digest=content_digest(record.ledger_content()),
        origin_party=origin,
        status=str(status),
        releasable_to=frozenset(releasable_to),
    )
    [index] = append_entries(session, [draft])
    record.ledger_index = index
    return index


def entry_body(index: int, at: datetime, draft: EntryDraft) -> bytes:
    return rfc8785.dumps(
        {
            "index": index,
            "time": at.isoformat(timespec="microseconds"),
            "actor": draft.actor,
            "party": draft.party,
            "action": draft.action,
            "kind": draft.kind,
            "id": draft.record_id,
            "version": draft.version,
            "digest": draft.digest,
        }
    )


def append_entries(session: Session, drafts: Sequence[EntryDraft]) -> list[int]:
    """Append entries in one go: blinded leaves, their stored nodes, the new size."""
    if not drafts:
        return []
    start = session.execute(
        select(LedgerState.size).where(LedgerState.id == 1).with_for_update()
    ).scalar_one()
    frontier = _hashes_at(session, merkle.frontier_positions(start))
    now = utcnow()
    sha256, urandom = hashlib.sha256, os.urandom
    entries, leaf_hashes = [], []
    for offset, draft in enumerate(drafts):
        index = start + offset
        body = entry_body(index, now, draft)
        salt = urandom(32)
        leaf = sha256(salt + body).digest()
        leaf_hashes.append(merkle.leaf_hash(leaf))
        entries.append(
            {
                "index": index,
                "leaf": leaf,
                "salt": salt,
                "body": body.decode(),
                "kind": draft.kind,
                "record_id": draft.record_id,
                "record_version": draft.version,
                "action": draft.action,
                "created_at": now,
                "origin_party": draft.origin_party,
                "status": draft.status,
                "releasable_to": draft.releasable_to,
            }
        )
    nodes, _ = merkle.append_leaves(start, frontier, leaf_hashes)
    session.execute(insert(LedgerEntry), entries)
    session.execute(insert(LedgerNode), [{"level": lv, "position": pos, "hash": h} for lv, pos, h in nodes])
    session.execute(update(LedgerState).where(LedgerState.id == 1).values(size=start + len(drafts)))
    return [start + offset for offset in range(len(drafts))]


def _hashes_at(session: Session, positions: Sequence[merkle.Position]) -> list[bytes]:
    found = _nodes(session, positions)
    return [found[p] for p in positions]


def _nodes(session: Session, positions: Sequence[merkle.Position]) -> dict[merkle.Position, bytes]:
    if not positions:
        return {}
    rows = session.execute(
        select(LedgerNode.level, LedgerNode.position, LedgerNode.hash).where(
            tuple_(LedgerNode.level, LedgerNode.position).in_(list(positions))
        )
    )
    found = {(level, position): h for level, position, h in rows}
    missing = set(positions) - found.keys()
    if missing:
        raise RuntimeError(f"ledger nodes missing: {sorted(missing)[:5]}")
    return found


def tree_size(session: Session) -> int:
    return session.execute(select(LedgerState.size).where(LedgerState.id == 1)).scalar_one()


def root_at(session: Session, size: int) -> bytes:
    return merkle.root_from_frontier(_hashes_at(session, merkle.frontier_positions(size)))


def _check_size(session: Session, size: int, name: str) -> None:
    current = tree_size(session)
    if not 0 <= size <= current:
        raise Invalid(f"{name} must be between 0 and the tree size {current}.", details={name: size})


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    _check_size(session, size, "size")
    if not 0 <= index < size:
        raise Invalid("index must be at least 0 and below size.", details={"index": index, "size": size})
    return merkle.inclusion_proof(index, size, _nodes(session, merkle.inclusion_positions(index, size)))


def consistency_proof(session: Session, *, first: int, second: int) -> list[bytes]:
    _check_size(session, second, "second")
    if not 0 <= first <= second:
        # first == 0 answers the empty proof a C2SP witness expects for its first checkpoint.
        raise Invalid("first must be at most second.", details={"first": first, "second": second})
    return merkle.consistency_proof(
        first, second, _nodes(session, merkle.consistency_positions(first, second))
    )


def leaves(session: Session, *, start: int, end: int) -> list[bytes]:
    size = tree_size(session)
    if not 0 <= start < end <= size:
        raise Invalid(
            f"need 0 <= start < end <= tree size {size}.", details={"start": start, "end": end, "size": size}
        )
    end = min(end, start + MAX_LEAVES_PER_PAGE)
    rows = session.execute(
        select(LedgerEntry.leaf)
        .where(LedgerEntry.index >= start, LedgerEntry.index < end)
        .order_by(LedgerEntry.index)
    )
    return list(rows.scalars())


def readable_entry(session: Session, *, subject: Subject, index: int) -> LedgerEntry:
    entry = session.execute(
        select(LedgerEntry).where(LedgerEntry.index == index, readable(subject, LedgerEntry))
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound()
    return entry


def readable_entries(
    session: Session, *, subject: Subject, before: int | None = None, limit: int = 50
) -> list[LedgerEntry]:
    """Newest first; `before` is the cursor (an index)."""
    query = select(LedgerEntry).where(readable(subject, LedgerEntry))
    if before is not None:
        query = query.where(LedgerEntry.index < before)
    return list(session.execute(query.order_by(LedgerEntry.index.desc()).limit(limit)).scalars())


def latest_checkpoint(session: Session) -> Checkpoint | None:
    return session.execute(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1)).scalar_one_or_none()


def checkpoint_if_due(
    session: Session, *, signer: Signer, origin: str, interval: timedelta, now: datetime | None = None
) -> Checkpoint | None:
    """Sign the current tree if it grew and the last checkpoint is at least `interval` old.

    The size row is locked first, so the size signed is final for this transaction and two
    processes cannot sign different trees of the same size."""
    now = now or utcnow()
    size = session.execute(select(LedgerState.size).where(LedgerState.id == 1).with_for_update()).scalar_one()
    latest = latest_checkpoint(session)
    if latest is not None and (latest.size >= size or now - latest.created_at < interval):
        return None
    root = root_at(session, size)
    note = signer.sign_note(format_checkpoint(CheckpointText(origin=origin, size=size, root=root)))
    checkpoint = Checkpoint(size=size, root=root, note=note, created_at=now)
    session.add(checkpoint)
    session.flush()
    return checkpoint


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
