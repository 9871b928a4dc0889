"""What the live stream carries: ledger entries with their records, as Server-Sent Events frames.

Each change's view is built once and its frame encoded once per distinct trimmed view, so a fan-out
costs no query and no view per subscriber. Readability is decided by access/rule.py only: an entry
goes to a reader iff the entry's envelope snapshot may be read (`can_read`) and the record as it is
now may be read (`can_read_record`).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read, can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Envelope
from fusioncell.db.session import Database
from fusioncell.events.representations import Representation, load, registered
from fusioncell.ledger.models import LedgerEntry

log = structlog.get_logger("fusioncell.events")

BATCH = 500  # entries read per query, by the tail and by a resuming subscriber

_ENTRY_COLUMNS = (
    LedgerEntry.index,
    LedgerEntry.kind,
    LedgerEntry.record_id,
    LedgerEntry.record_version,
    LedgerEntry.action,
    LedgerEntry.origin_party,
    LedgerEntry.status,
    LedgerEntry.releasable_to,
)


@dataclass(eq=False)
class Change:
    """One ledger entry of a kind with a representation, with the record as it is now."""

    index: int
    kind: str
    action: str
    record_id: str
    version: int
    origin_party: str
    status: str
    releasable_to: frozenset[str]
    record: Envelope
    view: dict[str, Any]
    representation: Representation
    _frames: dict[tuple, bytes] = field(default_factory=dict)

    def readable_by(self, subject: Subject) -> bool:
        return can_read(subject, self.origin_party, self.status, self.releasable_to) and can_read_record(
            subject, self.record
        )

    def frame_for(self, subject: Subject) -> bytes | None:
        """The SSE frame for this reader: the view trimmed for them, encoded once per distinct result.
        None (and a log line) if the kind's trim fails: one bad record must not stop the stream."""
        try:
            trimmed = self.representation.trim(subject, self.record, self.view)
        except Exception:
            log.exception("could not trim a record's view; left out for this reader", kind=self.kind)
            return None
        key = _trim_key(self.view, trimmed)
        frame = self._frames.get(key)
        if frame is None:
            data = {
                "index": self.index,
                "kind": self.kind,
                "action": self.action,
                "id": self.record_id,
                "version": self.version,
                "record": trimmed,
            }
            frame = f"id: {self.index}\nevent: {self.kind}\ndata: {_json(data)}\n\n".encode()
            self._frames[key] = frame
        return frame


def _trim_key(view: dict[str, Any], trimmed: dict[str, Any]) -> tuple:
    """What a trim changed: two readers whose trims changed the same things get the same bytes.

    A value the trim left as it was is the very same object as the view's; any other value is told
    by its repr (exact for what JSON can hold). The common case, `view | {one field}`, keeps the
    view's keys in their order and is compared without a Python-level loop over every field."""
    if trimmed is view:
        return ()
    if len(trimmed) == len(view) and list(trimmed) == list(view):
        differing = compress(trimmed.items(), map(is_not, trimmed.values(), view.values()))
        changed = tuple((k, repr(v)) for k, v in differing)
        return ("in order", changed) if changed else ()
    changed = tuple((k, repr(v)) for k, v in trimmed.items() if view.get(k, _MISSING) is not v)
    return ("reshaped", changed, tuple(k for k in view if k not in trimmed), tuple(trimmed))


_MISSING = object()


_NOT_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(data: dict[str, Any]) -> str:
    """One line of JSON. json escapes CR, LF and the other C0 controls; the three other characters
    some line splitters break on (str.splitlines) are escaped too, so a data line stays one line."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    if "\x85" in encoded or "\u2028" in encoded or "\u2029" in encoded:
        encoded = encoded.translate(_NOT_LINE_BREAKS)
    return encoded


def load_changes(session: Session, rows: Sequence[Any]) -> list[Change]:
    """The changes of these entry rows (in their order) whose kind has a representation and whose
    record exists: records loaded with one query per kind, each record's view built once."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if registered(row.kind) is not None:
            wanted.setdefault(row.kind, set()).add(row.record_id)
    records = {kind: load(session, kind, sorted(ids)) for kind, ids in wanted.items()}
    views: dict[tuple[str, str], dict[str, Any] | None] = {}
    changes = []
    for row in rows:
        record = records.get(row.kind, {}).get(row.record_id)
        if record is None:
            continue
        representation = registered(row.kind)
        key = (row.kind, row.record_id)
        if key not in views:
            try:
                views[key] = representation.view(record)
            except Exception:
                log.exception("could not build the view of a record; it is left out of the stream", kind=row.kind)
                views[key] = None
        view = views[key]
        if view is None:
            continue
        changes.append(
            Change(
                index=row.index,
                kind=row.kind,
                action=row.action,
                record_id=row.record_id,
                version=row.record_version,
                origin_party=row.origin_party,
                status=str(row.status),
                releasable_to=frozenset(row.releasable_to),
                record=record,
                view=view,
                representation=representation,
            )
        )
    return changes


def frames_for(changes: list[Change], subject: Subject) -> list[tuple[int, bytes]]:
    """(index, frame) of each change the subject may read, in order."""
    frames = []
    for change in changes:
        if change.readable_by(subject):
            frame = change.frame_for(subject)
            if frame is not None:
                frames.append((change.index, frame))
    return frames


def read_after(session: Session, after: int, *, subject: Subject | None = None, limit: int = BATCH):
    """Up to `limit` entries after `after`, in index order (only those `subject` may read, if given).
    Returns (changes, the last index examined, how many entries were examined)."""
    query = select(*_ENTRY_COLUMNS).where(LedgerEntry.index > after)
    if subject is not None:
        query = query.where(readable(subject, LedgerEntry))
    rows = session.execute(query.order_by(LedgerEntry.index).limit(limit)).all()
    return load_changes(session, rows), (rows[-1].index if rows else after), len(rows)


def replay_page(database: Database, subject: Subject, after: int, limit: int = BATCH):
    """For a resuming subscriber: the next page of what it may read after `after` (in a thread)."""
    with database.reading() as session:
        return read_after(session, after, subject=subject, limit=limit)
