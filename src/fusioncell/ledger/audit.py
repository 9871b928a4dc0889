"""`fusioncell ledger audit`: checks the database against its own record.

Finds what was changed behind the application's back: a recorded row whose content no longer matches
the digest of its latest entry, a row with no entry (inserted outside), an entry whose row is gone
(removed outside), a leaf that does not hash from its salt and body, a stored node or checkpoint that
does not match the tree rebuilt from the leaves, a checkpoint not signed by the key in force at its size
(both keys at a rotation's handover).
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.db.base import recorded_models
from fusioncell.ledger import merkle
from fusioncell.ledger.models import Checkpoint, LedgerEntry, LedgerNode, LedgerState
from fusioncell.ledger.note import NoteError, Verifier, open_note
from fusioncell.ledger.rotation import key_changes, vkeys_for_checkpoint
from fusioncell.ledger.service import content_digest

BATCH = 5000


@dataclass(frozen=True)
class Finding:
    where: str  # e.g. "users/0193…" or "ledger entry 12"
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def audit(session: Session, *, verifier: Verifier) -> list[Finding]:
    findings: list[Finding] = []
    latest, leaf_hashes = _check_entries(session, findings)
    _check_tree(session, leaf_hashes, verifier, findings)
    _check_records(session, latest, findings)
    return findings


def _entries(session: Session) -> Iterator[LedgerEntry]:
    query = select(LedgerEntry).order_by(LedgerEntry.index).execution_options(yield_per=BATCH)
    yield from session.execute(query).scalars()


def _check_entries(session: Session, findings: list[Finding]) -> tuple[dict, list[bytes]]:
    """Each leaf from its salt and canonical body; indices contiguous; the latest entry per record."""
    size = session.execute(select(LedgerState.size).where(LedgerState.id == 1)).scalar_one()
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    leaf_hashes: list[bytes] = []
    expected = 0
    for entry in _entries(session):
        where = f"ledger entry {entry.index}"
        if entry.index != expected:
            findings.append(Finding(where, f"indices jump from {expected - 1} to {entry.index}"))
            expected = entry.index
        expected += 1
        if hashlib.sha256(entry.salt + entry.body.encode()).digest() != entry.leaf:
            findings.append(Finding(where, "leaf does not hash from its salt and body"))
        body = json.loads(entry.body)
        if rfc8785.dumps(body).decode() != entry.body:
            findings.append(Finding(where, "body is not canonical JSON"))
        said = (body.get("index"), body.get("kind"), body.get("id"), body.get("version"))
        if said != (entry.index, entry.kind, entry.record_id, entry.record_version):
            findings.append(Finding(where, "columns disagree with the body the leaf commits to"))
        latest[(body.get("kind"), body.get("id"))] = (body.get("version"), body.get("digest"))
        leaf_hashes.append(merkle.leaf_hash(entry.leaf))
    if expected != size:
        findings.append(Finding("ledger", f"the size row says {size} entries, the table holds {expected}"))
    return latest, leaf_hashes


def _check_tree(session: Session, leaf_hashes: list[bytes], verifier: Verifier, findings: list[Finding]) -> None:
    """Rebuild every stored node from the leaves; check every checkpoint's root and signature."""
    rebuilt, _ = merkle.append_leaves(0, [], leaf_hashes)
    expected = {(level, position): h for level, position, h in rebuilt}
    stored = {(n.level, n.position): n.hash for n in session.execute(select(LedgerNode)).scalars()}
    for position in sorted(expected.keys() | stored.keys()):
        if expected.get(position) != stored.get(position):
            what = "missing" if position not in stored else "unexpected" if position not in expected else "altered"
            findings.append(Finding(f"ledger node {position}", f"{what}: does not match the leaves"))
    changes = key_changes(session)
    if changes and changes[-1].vkey != verifier.verifier_key():
        findings.append(Finding("ledger key", "the key on disk is not the key the record says is in force"))
    for checkpoint in session.execute(select(Checkpoint).order_by(Checkpoint.size)).scalars():
        where = f"checkpoint {checkpoint.size}"
        if checkpoint.size > len(leaf_hashes):
            findings.append(Finding(where, "signs more entries than the log holds"))
            continue
        frontier = [expected[p] for p in merkle.frontier_positions(checkpoint.size)]
        if merkle.root_from_frontier(frontier) != checkpoint.root:
            findings.append(Finding(where, "root does not match the leaves"))
        # Each key that was to sign it (both at a rotation's handover) must have: ledger/rotation.py.
        for vkey in vkeys_for_checkpoint(checkpoint.size, changes, verifier.verifier_key()):
            try:
                open_note(checkpoint.note, [Verifier.from_vkey(vkey)])
            except NoteError as exc:
                findings.append(Finding(where, f"signature does not verify: {exc}"))
    for change in changes:
        if session.get(Checkpoint, change.ledger_index + 1) is None:
            findings.append(Finding(f"signing-key/{change.id}", "the rotation has no handover checkpoint"))


def _check_records(session: Session, latest: dict, findings: list[Finding]) -> None:
    """Every recorded row matches its latest entry; every recorded record still has its row."""
    seen: set[tuple[str, str]] = set()
    for model in recorded_models():
        for row in session.execute(select(model).execution_options(yield_per=BATCH)).scalars():
            key = (model.record_kind, str(row.id))
            seen.add(key)
            where = f"{model.__tablename__}/{row.id}"
            if key not in latest:
                findings.append(Finding(where, "row is not in the record (inserted outside the application)"))
                continue
            version, digest = latest[key]
            if row.version != version:
                findings.append(Finding(where, f"row is at version {row.version}, the record at {version}"))
            elif content_digest(row.ledger_content()) != digest:
                findings.append(Finding(where, "row content differs from what the record holds (changed outside)"))
    kinds = {model.record_kind for model in recorded_models()}
    for kind, record_id in sorted(latest.keys() - seen):
        if kind in kinds:
            findings.append(Finding(f"{kind}/{record_id}", "recorded, but its row is gone (removed outside)"))
