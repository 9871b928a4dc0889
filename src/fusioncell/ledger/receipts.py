"""Offline receipts: a C2SP tlog-proof (https://c2sp.org/tlog-proof) for one ledger entry.

    c2sp.org/tlog-proof@v1
    extra <base64>
    index <N>
    <inclusion proof hashes, base64, one a line>
    <blank line>
    <the checkpoint note: the log's signature and the witnesses' cosignatures>

The spec leaves `extra` to the application, for "additional data necessary to reconstruct the record
hash"; here it always carries what reconstructs the leaf, so a receipt is about a record, not just an
index. For a reader of the entry it is salt || body (32-byte salt, then the canonical JSON body), and
the leaf is SHA-256(extra); for anyone else it is the 32-byte blinded leaf itself. The two never
collide: a body is never empty. The extra data is not trusted by itself: it counts only because its
leaf is proven into a checkpoint the log signed and the witnesses cosigned.

Every base64 string must be in its canonical spelling, so no byte of a receipt can change unnoticed.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from fusioncell.cell.witnesses import WitnessSettings
from fusioncell.errors import Conflict
from fusioncell.i18n import N_
from fusioncell.ledger import merkle, service
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.note import Checkpoint, NoteError, Verifier, open_note, parse_checkpoint
from fusioncell.ledger.witnessing import latest_cosigned, with_cosignatures
from fusioncell.witness.cosignature import CosignatureVerifier, cosignatures_in

HEADER = "c2sp.org/tlog-proof@v1"
MEDIA_TYPE = "text/plain; charset=utf-8"
_INDEX = re.compile(r"index (0|[1-9][0-9]*)")
SALT = 32


class ReceiptError(ValueError):
    """A receipt that is malformed or does not verify; the message says which check failed."""


def format_receipt(*, index: int, proof: list[bytes], note: str, extra: bytes) -> str:
    lines = [HEADER, f"extra {_b64(extra)}", f"index {index}", *(_b64(h) for h in proof)]
    return "\n".join(lines) + "\n\n" + note


def entry_extra(salt: bytes, body: str) -> bytes:
    return salt + body.encode()


@dataclass(frozen=True)
class Receipt:
    index: int
    proof: list[bytes]
    note: str
    extra: bytes

    @property
    def leaf(self) -> bytes:
        return self.extra if len(self.extra) == SALT else hashlib.sha256(self.extra).digest()

    @property
    def body(self) -> str | None:
        return self.extra[SALT:].decode("utf-8") if len(self.extra) > SALT else None


def parse_receipt(text: str) -> Receipt:
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ReceiptError("no blank line between the proof and the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ReceiptError(f"the first line must be {HEADER}")
    if len(lines) < 3 or not lines[1].startswith("extra "):
        raise ReceiptError("a fusioncell receipt carries an extra line (the leaf, or salt and body)")
    extra = _b64decode(lines[1][len("extra ") :], "extra data")
    if len(extra) < SALT:
        raise ReceiptError("the extra data is shorter than a leaf")
    found = _INDEX.fullmatch(lines[2])
    if not found:
        raise ReceiptError("the third line must be `index N` (decimal, no leading zeroes)")
    proof = [_b64decode(line, f"proof hash {i}") for i, line in enumerate(lines[3:])]
    if any(len(h) != 32 for h in proof):
        raise ReceiptError("every proof hash is 32 bytes")
    return Receipt(int(found.group(1)), proof, note, extra)


@dataclass(frozen=True)
class Verified:
    receipt: Receipt
    checkpoint: Checkpoint
    cosigned_by: dict[str, int]  # witness name → cosignature timestamp


def verify_receipt(
    text: str, *, log_vkey: str | Sequence[str], witness_vkeys: list[str] = (), quorum: int = 0
) -> Verified:
    """Every check an offline verifier can make; ReceiptError at the first that fails. `log_vkey` may be
    several keys of the log (before and after a rotation of its key): a receipt signed by any of them counts."""
    receipt = parse_receipt(text)
    checkpoint = _signed_checkpoint(receipt.note, [log_vkey] if isinstance(log_vkey, str) else list(log_vkey))
    cosigned = _cosigners(receipt.note, witness_vkeys)
    if len(cosigned) < quorum:
        raise ReceiptError(f"{len(cosigned)} witness cosignature(s), the policy asks for {quorum}")
    if receipt.index >= checkpoint.size:
        raise ReceiptError(f"index {receipt.index} is not in a tree of size {checkpoint.size}")
    try:
        merkle.verify_inclusion(
            receipt.index, checkpoint.size, merkle.leaf_hash(receipt.leaf), receipt.proof, checkpoint.root
        )
    except merkle.ProofError as exc:
        raise ReceiptError(f"inclusion proof: {exc}") from None
    _check_body(receipt)
    return Verified(receipt, checkpoint, cosigned)


def _signed_checkpoint(note: str, log_vkeys: list[str]) -> Checkpoint:
    _check_signature_lines(note)
    try:
        logs = [Verifier.from_vkey(vkey) for vkey in log_vkeys]
        checkpoint = parse_checkpoint(open_note(note, logs).text)
    except NoteError as exc:
        raise ReceiptError(f"checkpoint: {exc}") from None
    if any(checkpoint.origin != log.name for log in logs):
        raise ReceiptError(f"the checkpoint is of log {checkpoint.origin!r}, the key of {logs[0].name!r}")
    return checkpoint


def _check_signature_lines(note: str) -> None:
    """The note verifiers accept any base64; a receipt insists on the canonical one in every line."""
    _, _, block = note.rpartition("\n\n")
    for line in block.removesuffix("\n").split("\n"):
        _, _, signature = line.partition(" ")[2].partition(" ")
        _b64decode(signature, "signature")


def _cosigners(note: str, witness_vkeys: list[str]) -> dict[str, int]:
    try:
        verifiers = [CosignatureVerifier.from_vkey(v) for v in witness_vkeys]
        return cosignatures_in(note, verifiers)
    except ValueError as exc:
        raise ReceiptError(f"witness cosignature: {exc}") from None


def _check_body(receipt: Receipt) -> None:
    try:
        if receipt.body is None:
            return
        said = json.loads(receipt.body).get("index")
    except (ValueError, AttributeError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ReceiptError("the entry body is not a JSON object") from None
    if said != receipt.index:
        raise ReceiptError(f"the entry body says index {said}, the receipt {receipt.index}")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ReceiptError(f"{what} is not valid base64") from None
    if _b64(raw) != text:
        raise ReceiptError(f"{what} is not canonical base64")
    return raw


def build_receipt(session: Session, settings: WitnessSettings, *, index: int, entry: LedgerEntry | None = None) -> str:
    """The receipt of entry `index` against the newest checkpoint holding it that meets the witness
    policy (or, until one does, the newest holding it, with what cosignatures it has). `entry` is the
    LedgerEntry when the caller may read it: then the extra data is its salt and body."""
    checkpoint = latest_cosigned(session, settings, above=index)
    if checkpoint is None:
        checkpoint = service.latest_checkpoint(session)
        if checkpoint is None or checkpoint.size <= index:
            raise Conflict(
                N_("Entry {index} is in no checkpoint yet; ask again in a moment."),
                index=index,
                details={"index": index},
            )
    if entry is not None:
        extra = entry_extra(entry.salt, entry.body)
    else:
        [extra] = service.leaves(session, start=index, end=index + 1)
    proof = service.inclusion_proof(session, index=index, size=checkpoint.size)
    return format_receipt(index=index, proof=proof, note=with_cosignatures(session, checkpoint), extra=extra)
