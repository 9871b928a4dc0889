"""Appending to the record and reading proofs from it. Never commits: the caller's transaction does,
so a change and its entry land together or not at all."""

import base64
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Recorded
from fusioncell.db.bulk import insert_rows
from fusioncell.db.types import utcnow
from fusioncell.errors import Invalid, NotFound
from fusioncell.events.wakeups import APPENDED
from fusioncell.i18n import N_
from fusioncell.ledger import merkle
from fusioncell.ledger.models import Checkpoint, LedgerEntry, LedgerNode, LedgerState
from fusioncell.ledger.note import Checkpoint as CheckpointText
from fusioncell.ledger.note import Signer, format_checkpoint

MAX_LEAVES_PER_PAGE = 1000
FIRST_ENTRY = "ledger_first_entry"  # session.info: (kind, record id, index) of the first entry a session appended


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
    """Append the entry for a record's current version; set its ledger_index. Returns the index.

    The index is known before the record is written (the size row is locked from here to the
    commit), so the record's row goes out with it in one statement rather than an insert and an update."""
    start = _locked_size(session)
    record.ledger_index = start
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
    [index] = append_entries(session, [draft], start=start)
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


_SAFE_INT = 2**53 - 1  # RFC 8785 (and the rfc8785 package) refuse integers beyond this


def _entry_bodies(start: int, at: datetime, drafts: Sequence[EntryDraft]) -> list[bytes]:
    """entry_body(start + i, at, drafts[i]) for every draft, byte for byte, at a fraction of the cost.

    The keys are written in RFC 8785 order (by UTF-16 code units). Strings go through the json
    module's C escaper, which escapes exactly what RFC 8785 asks for (quote, backslash and C0
    controls: \\b \\f \\n \\r \\t short, the rest as lowercase \\u00xx), leaves every other character
    as it is, and refuses anything but a str. A draft the fast form is not sure of (a field that is
    not a str, a version that is not a plain int or lies outside JSON's safe integers, text that is
    not valid UTF-8) goes through entry_body itself, so it gets the same bytes or the same error.
    tests/ledger/test_service_body.py proves the identity."""
    q = json.encoder.encode_basestring
    time = q(at.isoformat(timespec="microseconds"))
    bodies = []
    for offset, draft in enumerate(drafts):
        index = start + offset
        version = draft.version
        if type(version) is int and -_SAFE_INT <= version <= _SAFE_INT and index <= _SAFE_INT:
            try:
                bodies.append(
                    (
                        f'{{"action":{q(draft.action)},"actor":{q(draft.actor)},"digest":{q(draft.digest)},'
                        f'"id":{q(draft.record_id)},"index":{index},"kind":{q(draft.kind)},'
                        f'"party":{q(draft.party)},"time":{time},"version":{version}}}'
                    ).encode()
                )
                continue
            except (TypeError, UnicodeEncodeError):
                pass  # not a str, or lone surrogates: entry_body writes or refuses it as rfc8785 does
        bodies.append(entry_body(index, at, draft))
    return bodies


_ENTRY_COLUMNS = (
    "index",
    "leaf",
    "salt",
    "body",
    "kind",
    "record_id",
    "record_version",
    "action",
    "created_at",
    "origin_party",
    "status",
    "releasable_to",
)
_NODE_COLUMNS = ("level", "position", "hash")


def _locked_size(session: Session) -> int:
    """The ledger's size, its row locked until the transaction ends (SQLite: the write transaction's
    BEGIN IMMEDIATE holds the lock already). Plain SQL: this runs for every change."""
    connection = session.connection()
    lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
    return connection.exec_driver_sql(f"SELECT size FROM ledger_state WHERE id = 1{lock}").scalar_one()


def append_entries(session: Session, drafts: Sequence[EntryDraft], *, start: int | None = None) -> list[int]:
    """Append entries in one go: blinded leaves, their stored nodes, the new size.

    Built for batches: one encoder pass for the bodies and one bulk insert per table (db/bulk.py).
    `start` is the size the caller read with _locked_size in this transaction, if it did."""
    if not drafts:
        return []
    if start is None:
        start = _locked_size(session)
    frontier = _hashes_at(session, merkle.frontier_positions(start))
    now = utcnow()
    sha256, urandom = hashlib.sha256, os.urandom
    entries, leaf_hashes = [], []
    add_entry, add_hash = entries.append, leaf_hashes.append
    for offset, (draft, body) in enumerate(zip(drafts, _entry_bodies(start, now, drafts), strict=True)):
        salt = urandom(32)
        leaf = sha256(salt + body).digest()
        add_hash(sha256(b"\x00" + leaf).digest())  # merkle.leaf_hash(leaf), inlined
        add_entry(
            (
                start + offset,
                leaf,
                salt,
                body.decode(),
                draft.kind,
                draft.record_id,
                draft.version,
                draft.action,
                now,
                draft.origin_party,
                draft.status,
                draft.releasable_to,
            )
        )
    nodes, _ = merkle.append_leaves(start, frontier, leaf_hashes)
    connection = session.connection()
    insert_rows(connection, LedgerEntry.__table__, _ENTRY_COLUMNS, entries)
    insert_rows(connection, LedgerNode.__table__, _NODE_COLUMNS, nodes)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(f"UPDATE ledger_state SET size = {marker} WHERE id = 1", (start + len(drafts),))
    session.info[APPENDED] = True  # after commit, events/wakeups.py wakes the live streams
    session.info.setdefault(FIRST_ENTRY, (drafts[0].kind, drafts[0].record_id, start))  # idempotency keys
    return list(range(start, start + len(drafts)))


def _hashes_at(session: Session, positions: Sequence[merkle.Position]) -> list[bytes]:
    found = _nodes(session, positions)
    return [found[p] for p in positions]


# Proof lookups run as plain SQL through the driver: the database answers in well under a
# millisecond, and a statement built per call cost more than that in the client. The tree size comes
# back in the same round trip. On PostgreSQL the positions travel as two arrays (one fixed statement
# the server can keep prepared); SQLite gets one `level = ? AND position IN (...)` per level, a form
# it answers from the primary key (a row-value IN made it scan the whole node table).
_SIZE_ROW = "SELECT -1, size, NULL FROM ledger_state WHERE id = 1"
_NODES_PG = (
    "SELECT n.level, n.position, n.hash FROM ledger_nodes n "
    "JOIN unnest(%(levels)s::smallint[], %(positions)s::bigint[]) AS p(level, position) "
    "ON n.level = p.level AND n.position = p.position UNION ALL " + _SIZE_ROW
)


def _node_rows(session: Session, positions: Sequence[merkle.Position]):
    connection = session.connection()
    if not positions:
        return connection.exec_driver_sql(_SIZE_ROW)
    if connection.dialect.name == "postgresql":
        levels, found = [level for level, _ in positions], [position for _, position in positions]
        return connection.exec_driver_sql(_NODES_PG, {"levels": levels, "positions": found})
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, position in positions:
        by_level[level].append(position)
    terms, params = [], []
    for level, found in sorted(by_level.items()):
        terms.append(f"(level = ? AND position IN ({', '.join('?' * len(found))}))")
        params += [level, *found]
    sql = f"SELECT level, position, hash FROM ledger_nodes WHERE {' OR '.join(terms)} UNION ALL {_SIZE_ROW}"
    return connection.exec_driver_sql(sql, tuple(params))


def _nodes(session: Session, positions: Sequence[merkle.Position]) -> dict[merkle.Position, bytes]:
    if not positions:
        return {}
    _, found = _size_and_nodes(session, positions)
    return found


def _size_and_nodes(session: Session, positions: Sequence[merkle.Position]) -> tuple[int, dict[merkle.Position, bytes]]:
    """The tree size and the given stored nodes in one round trip."""
    size, found = 0, {}
    for level, position, node_hash in _node_rows(session, positions):
        if level == -1:
            size = position
        else:
            found[(level, position)] = bytes(node_hash)
    missing = set(positions) - found.keys()
    if missing and max(level_pos[1] + 1 << level_pos[0] for level_pos in missing) <= size:
        raise RuntimeError(f"ledger nodes missing: {sorted(missing)[:5]}")
    return size, found


def tree_size(session: Session) -> int:
    return session.execute(select(LedgerState.size).where(LedgerState.id == 1)).scalar_one()


def root_at(session: Session, size: int) -> bytes:
    return merkle.root_from_frontier(_hashes_at(session, merkle.frontier_positions(size)))


def _over_size(size: int, current: int, name: str) -> None:
    if size > current:
        raise Invalid(
            N_("{name} must be between 0 and the tree size {current}."),
            name=name,
            current=current,
            details={name: size},
        )


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    if not 0 <= index < size:
        raise Invalid(N_("index must be at least 0 and below size."), details={"index": index, "size": size})
    current, nodes = _size_and_nodes(session, merkle.inclusion_positions(index, size))
    _over_size(size, current, "size")
    return merkle.inclusion_proof(index, size, nodes)


def consistency_proof(session: Session, *, first: int, second: int) -> list[bytes]:
    if not 0 <= first <= second:
        # first == 0 answers the empty proof a C2SP witness expects for its first checkpoint.
        raise Invalid(N_("first must be at most second."), details={"first": first, "second": second})
    current, nodes = _size_and_nodes(session, merkle.consistency_positions(first, second))
    _over_size(second, current, "second")
    return merkle.consistency_proof(first, second, nodes)


def leaves(session: Session, *, start: int, end: int) -> list[bytes]:
    size = tree_size(session)
    if not 0 <= start < end <= size:
        raise Invalid(
            N_("need 0 <= start < end <= tree size {size}."),
            size=size,
            details={"start": start, "end": end, "size": size},
        )
    end = min(end, start + MAX_LEAVES_PER_PAGE)
    rows = session.execute(
        select(LedgerEntry.leaf).where(LedgerEntry.index >= start, LedgerEntry.index < end).order_by(LedgerEntry.index)
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
