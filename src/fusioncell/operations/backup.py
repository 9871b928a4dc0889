"""`fusioncell backup` and `fusioncell restore`: the whole cell in one archive, taken while it serves.

An archive holds every table of the record's database as JSON lines, read in one snapshot (SQLite's WAL read
transaction; PostgreSQL's REPEATABLE READ), the attachments directory, the ledger's signing key, and a manifest:
the schema revision, every file's SHA-256, and the record at that instant — its size, its root and the latest
signed checkpoint. Rows are written in a form both databases read, so a SQLite cell can be restored onto
PostgreSQL. The archive is written under a temporary name and renamed when complete: a crash leaves no
half-written backup behind.

A restore goes only into an empty database, loads every table in one transaction, copies the files, and then
proves the result: the audit of every row, leaf, node and checkpoint is clean, and the restored tree's root at
the manifest's size is the root the manifest recorded, signed in its checkpoint. Anything else and the restore
says so and exits non-zero.
"""

import base64
import hashlib
import io
import json
import os
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, Uuid, delete, insert, inspect, select, text
from sqlalchemy.orm import Session

from fusioncell.db.migrate import current_revision, upgrade
from fusioncell.db.models import Base  # every domain's tables, not only those this process imported
from fusioncell.db.session import Database
from fusioncell.db.types import PartySet
from fusioncell.ledger.audit import audit
from fusioncell.ledger.keys import load_key
from fusioncell.ledger.note import Verifier
from fusioncell.ledger.service import latest_checkpoint, root_at, tree_size

FORMAT = "fusioncell-backup/1"
BATCH = 1000


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    size: int
    root: str  # base64
    checkpoint_size: int | None
    checkpoint_note: str | None


# --- rows to JSON and back ---


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def _decoder(column) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, PartySet):
        return frozenset
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Uuid):
        return uuid.UUID
    return lambda value: value


def _decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoders = {column.name: _decoder(column) for column in table.columns}
    return {name: None if value is None else decoders[name](value) for name, value in row.items() if name in decoders}


# --- taking a backup ---


def _snapshot_session(database: Database) -> Session:
    """A read-only session that sees one instant of the database for all its reads."""
    session = database.session(write=False)
    if database.engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        session.execute(text("SET TRANSACTION READ ONLY"))
    else:
        session.execute(text("SELECT 1 FROM ledger_state LIMIT 1"))  # WAL: the snapshot starts at the first read
    return session


def _snapshot_of_record(session: Session) -> Snapshot:
    size = tree_size(session)
    checkpoint = latest_checkpoint(session)
    return Snapshot(
        size=size,
        root=base64.b64encode(root_at(session, size)).decode() if size else "",
        checkpoint_size=checkpoint.size if checkpoint else None,
        checkpoint_note=checkpoint.note if checkpoint else None,
    )


def _table_lines(session: Session, table: Table) -> Iterator[bytes]:
    order = list(table.primary_key.columns) or list(table.columns)
    for row in session.execute(select(table).order_by(*order)).mappings().yield_per(BATCH):
        yield json.dumps({key: _encode(value) for key, value in row.items()}, ensure_ascii=False).encode() + b"\n"


def _add_bytes(archive: tarfile.TarFile, name: str, payload: bytes, digests: dict[str, str]) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(payload), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(payload))
    digests[name] = hashlib.sha256(payload).hexdigest()


# Tables outside the models: Alembic's own, and SQLite's full-text index (rebuilt from the articles on restore).
NOT_MODELLED = ("alembic_version", "osint_articles_fts")


def _unmodelled_tables(session: Session) -> list[str]:
    """Tables in the database that no model declares: a backup would silently miss them, so it refuses."""
    known = set(Base.metadata.tables)
    present = inspect(session.connection()).get_table_names()
    return sorted(name for name in present if name not in known and not name.startswith(NOT_MODELLED))


def take_backup(*, database: Database, key_path: Path, attachments_dir: Path, destination: Path, cell_code: str):
    """Write the archive; returns its manifest. The destination appears only once it is complete."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not key_path.exists():
        raise BackupError(f"no ledger key at {key_path}: is this the cell's var directory?")
    digests: dict[str, str] = {}
    counts: dict[str, int] = {}
    handle, partial = tempfile.mkstemp(prefix=".backup-", suffix=".partial", dir=destination.parent)
    os.close(handle)
    try:
        with tarfile.open(partial, "w:gz") as archive:
            with _snapshot_session(database) as session:
                revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                if unknown := _unmodelled_tables(session):
                    raise BackupError(f"tables no model declares would be missed: {', '.join(unknown)}")
                snapshot = _snapshot_of_record(session)
                for table in Base.metadata.sorted_tables:
                    payload = b"".join(_table_lines(session, table))
                    counts[table.name] = payload.count(b"\n")
                    _add_bytes(archive, f"tables/{table.name}.jsonl", payload, digests)
            _add_bytes(archive, "keys/ledger.key", key_path.read_bytes(), digests)
            if attachments_dir.exists():
                for path in sorted(p for p in attachments_dir.rglob("*") if p.is_file()):
                    relative = path.relative_to(attachments_dir).as_posix()
                    _add_bytes(archive, f"attachments/{relative}", path.read_bytes(), digests)
            manifest = {
                "format": FORMAT,
                "cell": cell_code,
                "taken_at": datetime.now(UTC).isoformat(),
                "database": database.engine.dialect.name,
                "revision": revision,
                "record": snapshot.__dict__,
                "rows": counts,
                "files": digests,
            }
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode(), {})
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, destination)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return manifest


# --- restoring one ---


def _read_archive(source: Path) -> tuple[dict, dict[str, bytes]]:
    try:
        with tarfile.open(source, "r:gz") as archive:
            members = {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{source} is not a readable fusioncell backup: {exc}") from exc
    if "manifest.json" not in members:
        raise BackupError(f"{source} has no manifest.json: not a fusioncell backup")
    manifest = json.loads(members.pop("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is in format {manifest.get('format')!r}; this version reads {FORMAT}")
    for name, digest in manifest["files"].items():
        if name not in members or hashlib.sha256(members[name]).hexdigest() != digest:
            raise BackupError(f"{source}: {name} is missing or does not match its digest; the archive is damaged")
    unexpected = set(members) - set(manifest["files"])
    if unexpected:
        raise BackupError(f"{source} holds files its manifest does not name: {sorted(unexpected)[:3]}")
    return manifest, members


def _load_tables(session: Session, members: dict[str, bytes]) -> None:
    tables = Base.metadata.sorted_tables
    for table in reversed(tables):  # rows a migration seeded give way to the backup's
        session.execute(delete(table))
    for table in tables:
        lines = members.get(f"tables/{table.name}.jsonl", b"").splitlines()
        for start in range(0, len(lines), BATCH):
            rows = [_decoded(table, json.loads(line)) for line in lines[start : start + BATCH]]
            session.execute(insert(table), rows)
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequences(session, tables)


def _advance_sequences(session: Session, tables: list[Table]) -> None:
    """Rows came with their own ids: PostgreSQL's counters must start after them."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"coalesce((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"
                    )
                )


def _reindex_search(session: Session) -> None:
    """SQLite's full-text index lives outside the recorded tables: rebuild it from the articles."""
    from fusioncell.osint.models import Article
    from fusioncell.osint.search import index_articles

    if session.get_bind().dialect.name != "sqlite":
        return
    offset = 0
    while batch := list(session.scalars(select(Article).order_by(Article.id).offset(offset).limit(BATCH))):
        index_articles(session, batch)
        offset += len(batch)


def _empty(database: Database) -> bool:
    revision = current_revision(database.engine)
    if revision is None:
        return True
    with database.reading() as session:
        return tree_size(session) == 0


def restore_backup(*, source: Path, database: Database, key_path: Path, attachments_dir: Path) -> dict:
    """Load the archive into an empty database and directory, then prove the record is the one backed up."""
    manifest, members = _read_archive(source)
    if not _empty(database):
        raise BackupError("the target database already holds a cell: restore into an empty database")
    key = members["keys/ledger.key"]
    if key_path.exists() and key_path.read_bytes() != key:
        raise BackupError(f"a different ledger key exists at {key_path}: move it away or restore elsewhere")
    upgrade(database.engine, manifest["revision"])
    with database.writing() as session:
        _load_tables(session, members)
    upgrade(database.engine, "head")  # an older backup comes up to this code's schema
    with database.writing() as session:
        _reindex_search(session)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    if not key_path.exists():
        key_path.write_bytes(key)
        key_path.chmod(0o600)
    for name, payload in members.items():
        if name.startswith("attachments/"):
            target = attachments_dir / name.removeprefix("attachments/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
    return verify_restored(database=database, key_path=key_path, manifest=manifest)


def verify_restored(*, database: Database, key_path: Path, manifest: dict) -> dict:
    """The restored cell's record: audited clean, its size and root those of the backup's snapshot."""
    verifier = Verifier.from_vkey(load_key(key_path).verifier_key())
    recorded = manifest["record"]
    with database.reading() as session:
        findings = audit(session, verifier=verifier)
        size = tree_size(session)
        root = base64.b64encode(root_at(session, size)).decode() if size else ""
        checkpoint = latest_checkpoint(session)
    if findings:
        raise BackupError(f"the restored record fails its audit: {findings[0]} (and {len(findings) - 1} more)")
    if (size, root) != (recorded["size"], recorded["root"]):
        raise BackupError(f"the restored record has size {size} and root {root}, not the backup's {recorded['size']}")
    if recorded["checkpoint_note"] and (checkpoint is None or checkpoint.note != recorded["checkpoint_note"]):
        raise BackupError("the restored cell's latest checkpoint is not the one signed at backup time")
    return {"size": size, "root": root, "checkpoint_size": recorded["checkpoint_size"]}
