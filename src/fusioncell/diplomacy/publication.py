"""A published statement as a bundle anyone can check offline, and the checker.

The bundle holds the text in every language, its canonical form and SHA-256, each required party's
Ed25519 signature with the public key that made it, and the record's word for it: the ledger entry of the
published version (body and salt), the version's content as the record digested it, an inclusion proof of
that entry, and a checkpoint signed by the cell's key. `verify_bundle` recomputes every link of the chain:

    texts -> canonical text -> SHA-256 -> each signature
                                      \\-> the version's content -> the entry's digest -> leaf
                                                               -> inclusion proof -> signed checkpoint root

so one changed character of the text, one changed signature byte or one changed proof hash breaks it.
"""

import base64
import binascii
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.cell.definition import CellDefinition
from fusioncell.diplomacy import signing
from fusioncell.diplomacy.models import PartyKey, Statement, StatementStage, StatementVersion
from fusioncell.diplomacy.service import signatures_of
from fusioncell.errors import Conflict
from fusioncell.i18n import N_
from fusioncell.ledger import merkle
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.note import NoteError, Verifier, open_note, parse_checkpoint
from fusioncell.ledger.service import content_digest, inclusion_proof, latest_checkpoint

FORMAT = "fusioncell-statement-bundle/1"


def _ledger_part(session: Session, version: StatementVersion, vkey: str) -> dict[str, Any]:
    entry = session.get(LedgerEntry, version.ledger_index)
    checkpoint = latest_checkpoint(session)
    if entry is None or checkpoint is None or checkpoint.size <= entry.index:
        raise Conflict(N_("no signed checkpoint covers the publication yet; ask again in a second"))
    proof = inclusion_proof(session, index=entry.index, size=checkpoint.size)
    return {
        "index": entry.index,
        "body": entry.body,
        "salt": signing.b64(entry.salt),
        "record": version.ledger_content(),
        "tree_size": checkpoint.size,
        "inclusion_proof": [signing.b64(h) for h in proof],
        "checkpoint": checkpoint.note,
        "cell_vkey": vkey,
    }


def export_bundle(session: Session, *, cell: CellDefinition, signer_verifier_key: str, statement: Statement) -> dict:
    """The bundle of a published statement (the caller has read it already: the rule was applied)."""
    if statement.stage != StatementStage.PUBLISHED or statement.published_version is None:
        raise Conflict(N_("only a published statement exports as a bundle"))
    version = session.execute(
        select(StatementVersion).where(
            StatementVersion.statement_id == statement.id, StatementVersion.number == statement.published_version
        )
    ).scalar_one()
    canonical = signing.canonical_text(version.texts, statement_id=statement.id, version=version.number)
    keys = {k.key_id: k for k in session.execute(select(PartyKey)).scalars()}
    signatures = [
        {"party": s.party, "key_id": s.key_id, "public_key": keys[s.key_id].public_key, "signature": s.signature}
        for s in signatures_of(session, statement)
        if s.version_number == version.number and not s.void
    ]
    return {
        "format": FORMAT,
        "statement": {
            "id": str(statement.id),
            "title": statement.title,
            "required_parties": sorted(statement.required_parties),
            "published_at": statement.published_at.isoformat(timespec="microseconds"),
        },
        "version": version.number,
        "texts": dict(version.texts),
        "canonical": signing.b64(canonical),
        "sha256": hashlib.sha256(canonical).hexdigest(),
        "signatures": signatures,
        "ledger": _ledger_part(session, version, signer_verifier_key),
    }


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a base64 string")
    return base64.b64decode(text, validate=True)


def _check_text(bundle: dict, problems: list[str]) -> bytes | None:
    """The canonical text from the texts, statement id and version; returns the signed digest."""
    statement_id, version = bundle["statement"]["id"], bundle["version"]
    canonical = signing.canonical_text(bundle["texts"], statement_id=statement_id, version=version)
    if _b64(bundle["canonical"]) != canonical:
        problems.append("text: the texts do not give the canonical text in the bundle (the text was changed)")
    digest = hashlib.sha256(canonical).digest()
    if bundle["sha256"] != digest.hex():
        problems.append("text: the SHA-256 in the bundle is not the canonical text's")
    return digest


def _check_signatures(bundle: dict, digest: bytes, problems: list[str]) -> None:
    good = set()
    for entry in bundle["signatures"]:
        party = entry.get("party")
        public_key = _b64(entry["public_key"])
        if signing.key_id_of(public_key) != entry.get("key_id"):
            problems.append(f"signature of {party}: key id {entry.get('key_id')} is not its public key's")
        elif not signing.verify(public_key, _b64(entry["signature"]), digest):
            problems.append(f"signature of {party}: does not verify over the text's SHA-256 with key {entry['key_id']}")
        else:
            good.add(party)
    for party in sorted(set(bundle["statement"]["required_parties"]) - good):
        problems.append(f"signature of {party}: missing (required)")


def _checkpoint(ledger: dict, cell_vkey: str | None, problems: list[str]):
    vkey = cell_vkey or ledger["cell_vkey"]
    if cell_vkey is not None and ledger.get("cell_vkey") != cell_vkey:
        problems.append("checkpoint: the bundle names another cell key than the one given")
    try:
        verifier = Verifier.from_vkey(vkey)
        checkpoint = parse_checkpoint(open_note(ledger["checkpoint"], [verifier]).text)
    except NoteError as exc:
        problems.append(f"checkpoint: {exc}")
        return None
    if checkpoint.origin != verifier.name:
        problems.append(f"checkpoint: origin {checkpoint.origin!r} is not the cell key's {verifier.name!r}")
    return checkpoint


def _check_record(bundle: dict, digest: bytes, cell_vkey: str | None, problems: list[str]) -> None:
    ledger = bundle["ledger"]
    record = ledger["record"]
    if record.get("canonical_sha256") != digest.hex():
        problems.append("record: the recorded version's SHA-256 is not the text's")
    if record.get("statement_id") != bundle["statement"]["id"] or record.get("number") != bundle["version"]:
        problems.append("record: the recorded version is of another statement or version")
    body = ledger["body"].encode()
    entry = json.loads(body)
    if entry.get("digest") != content_digest(record) or entry.get("kind") != "statement-version":
        problems.append("record: the ledger entry does not digest the recorded version")
    if entry.get("index") != ledger["index"]:
        problems.append("record: the entry's index is not the bundle's")
    leaf = hashlib.sha256(_b64(ledger["salt"]) + body).digest()
    checkpoint = _checkpoint(ledger, cell_vkey, problems)
    if checkpoint is None:
        return
    if ledger["tree_size"] != checkpoint.size:
        problems.append("proof: the proof is for another tree size than the checkpoint's")
        return
    try:
        proof = [_b64(h) for h in ledger["inclusion_proof"]]
        merkle.verify_inclusion(ledger["index"], checkpoint.size, merkle.leaf_hash(leaf), proof, checkpoint.root)
    except (ValueError, binascii.Error) as exc:
        problems.append(f"proof: the entry is not proven in the signed checkpoint ({exc})")


def verify_bundle(bundle: dict, *, cell_vkey: str | None = None) -> list[str]:
    """Every problem with the bundle; [] when it is valid. Needs nothing but the bundle (and, to trust
    the checkpoint, the cell's verifier key from a source other than the bundle itself)."""
    problems: list[str] = []
    try:
        if bundle.get("format") != FORMAT:
            problems.append(f"format: not a {FORMAT} bundle")
        digest = _check_text(bundle, problems)
        _check_signatures(bundle, digest, problems)
        _check_record(bundle, digest, cell_vkey, problems)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
        problems.append(f"bundle: malformed ({type(exc).__name__}: {exc})")
    return problems
