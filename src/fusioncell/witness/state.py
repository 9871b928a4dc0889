"""The witness's own SQLite file: the latest checkpoint it cosigned for each log.

One row per log origin (size, root hash, the signed note as received). An update is a
compare-and-swap on the (size, root) the caller checked against, in one transaction that
is committed with WAL and synchronous=FULL, so it is on disk before the witness answers:
a crash can never roll a log back to a size the witness already cosigned past.

Checkpoints the witness refused as inconsistent are kept too (`refusals`): a properly
signed checkpoint that does not extend what the log showed before is evidence of a fork.
"""

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    origin     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL CHECK (size >= 0),
    root       BLOB NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    origin      TEXT NOT NULL,
    old_size    INTEGER NOT NULL,
    proof       TEXT NOT NULL,
    note        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS refusals_origin ON refusals (origin, id);
"""
MAX_SIZE = 2**63 - 1  # SQLite integers are signed 64-bit
_KEEP_REFUSALS = 1000  # per origin: enough evidence, bounded even if a log misbehaves in a loop


@dataclass(frozen=True)
class Stored:
    origin: str
    size: int
    root: bytes
    note: str
    updated_at: int


@dataclass(frozen=True)
class Refusal:
    origin: str
    old_size: int
    proof: str
    note: str
    reason: str
    received_at: int


class WitnessState:
    """Thread-safe access to one state file (one connection, serialised by a lock)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly, so each CAS is exactly one.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def latest(self, origin: str) -> Stored | None:
        with self._lock:
            row = self._db.execute(
                "SELECT origin, size, root, note, updated_at FROM checkpoints WHERE origin = ?", (origin,)
            ).fetchone()
        return Stored(*row) if row else None

    def all_latest(self) -> list[Stored]:
        with self._lock:
            rows = self._db.execute(
                "SELECT origin, size, root, note, updated_at FROM checkpoints ORDER BY origin"
            ).fetchall()
        return [Stored(*row) for row in rows]

    def advance(self, origin: str, expected: Stored | None, size: int, root: bytes, note: str) -> bool:
        """Store a checkpoint if the log's state is still `expected`; False if it moved meanwhile."""
        if not 0 <= size <= MAX_SIZE or len(root) != 32:
            raise ValueError("size must fit in 63 bits and root be 32 bytes")
        now = int(time.time())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if expected is None:
                    cursor = self._db.execute(
                        "INSERT INTO checkpoints (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?)"
                        " ON CONFLICT (origin) DO NOTHING",
                        (origin, size, root, note, now),
                    )
                else:
                    cursor = self._db.execute(
                        "UPDATE checkpoints SET size = ?, root = ?, note = ?, updated_at = ?"
                        " WHERE origin = ? AND size = ? AND root = ?",
                        (size, root, note, now, origin, expected.size, expected.root),
                    )
                swapped = cursor.rowcount == 1
                self._db.execute("COMMIT" if swapped else "ROLLBACK")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return swapped

    def record_refusal(self, origin: str, old_size: int, proof: str, note: str, reason: str) -> None:
        """Keep a signed checkpoint that failed the consistency check, pruning the oldest."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO refusals (origin, old_size, proof, note, reason, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (origin, min(old_size, MAX_SIZE), proof, note, reason, int(time.time())),
                )
                self._db.execute(
                    "DELETE FROM refusals WHERE origin = ? AND id <= ("
                    " SELECT id FROM refusals WHERE origin = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                    (origin, origin, _KEEP_REFUSALS),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def refusals(self, origin: str | None = None) -> list[Refusal]:
        query = "SELECT origin, old_size, proof, note, reason, received_at FROM refusals"
        args: tuple[str, ...] = ()
        if origin is not None:
            query, args = query + " WHERE origin = ?", (origin,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [Refusal(*row) for row in rows]
