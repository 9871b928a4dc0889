"""Following the cell's key rotations from a key a verifier already trusts (ledger/rotation.py).

Each step is proven, not taken on the server's word: the handover checkpoint must be signed by the key
trusted so far and by the new key; the rotation's content (old key, new key, reason) must digest to the
digest in its entry's body; that body and its salt must hash to the entry's leaf. What is left for the
caller is to find that leaf at that index in the log it rebuilt and the handover's root at that size
(`Handover.check_against`), which proves the rotation is part of the history the old key signed.
"""

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fusioncell.ledger import merkle
from fusioncell.ledger.note import NoteError, Verifier, open_note, parse_checkpoint
from fusioncell.ledger.service import content_digest

KIND = "signing-key"


class KeyChainError(ValueError):
    """The log's key history does not lead from the trusted key to the key that signs now."""


@dataclass(frozen=True)
class Handover:
    index: int  # the rotation's entry
    size: int  # the handover checkpoint's tree size: index + 1
    root: bytes
    leaf: bytes
    previous_vkey: str
    vkey: str

    def check_against(self, leaf_hashes: Sequence[bytes]) -> None:
        """The rebuilt log holds the rotation's leaf at its index and the handover's root at its size."""
        if len(leaf_hashes) < self.size:
            raise KeyChainError(f"the handover at size {self.size} is beyond the log checked ({len(leaf_hashes)})")
        if leaf_hashes[self.index] != merkle.leaf_hash(self.leaf):
            raise KeyChainError(f"entry {self.index} is not the rotation the handover speaks of")
        if merkle.root_from_leaf_hashes(list(leaf_hashes[: self.size])) != self.root:
            raise KeyChainError(f"the handover's root is not the log's root at size {self.size}: a split view")


def follow(trusted_vkey: str, rotations: Sequence[dict], entry_of: Callable[[int], dict]) -> tuple[str, list[Handover]]:
    """From `trusted_vkey` to the key in force. `rotations` is /api/v1/ledger/keys' list (oldest first),
    `entry_of(index)` one entry as /api/v1/ledger/entries/{index} answers it."""
    start = _start(trusted_vkey, rotations)
    trusted, handovers = trusted_vkey, []
    for rotation in rotations[start:]:
        handovers.append(_step(trusted, rotation, entry_of))
        trusted = rotation["vkey"]
    return trusted, handovers


def _start(trusted_vkey: str, rotations: Sequence[dict]) -> int:
    for position, rotation in enumerate(rotations):
        if rotation["previous_vkey"] == trusted_vkey:
            return position
    if rotations and rotations[-1]["vkey"] == trusted_vkey:
        return len(rotations)
    if not rotations:
        return 0
    raise KeyChainError("the key you trust is not in this log's key history")


def _step(trusted: str, rotation: dict, entry_of: Callable[[int], dict]) -> Handover:
    index, previous, new = rotation["index"], rotation["previous_vkey"], rotation["vkey"]
    where = f"the rotation at entry {index}"
    if previous != trusted:
        raise KeyChainError(f"{where} does not hand over from the key in force before it")
    try:
        old_key, new_key = Verifier.from_vkey(previous), Verifier.from_vkey(new)
        for key in (old_key, new_key):
            checkpoint = parse_checkpoint(open_note(rotation["handover"], [key]).text)
    except NoteError as exc:
        raise KeyChainError(f"{where}: the handover is not signed by both keys: {exc}") from None
    if new_key.name != old_key.name or checkpoint.origin != old_key.name:
        raise KeyChainError(f"{where}: the new key is not a key of this log")
    if checkpoint.size != index + 1:
        raise KeyChainError(f"{where}: the handover signs size {checkpoint.size}, not {index + 1}")
    content = rotation["content"]
    if (content.get("previous_vkey"), content.get("vkey")) != (previous, new):
        raise KeyChainError(f"{where}: its content names other keys")
    entry = entry_of(index)
    body, salt, leaf = entry["body"], _unb64(entry["salt"]), _unb64(entry["leaf"])
    said = json.loads(body)
    if (said.get("index"), said.get("kind"), said.get("digest")) != (index, KIND, content_digest(content)):
        raise KeyChainError(f"{where}: the entry's body does not commit to this rotation")
    if hashlib.sha256(salt + body.encode()).digest() != leaf:
        raise KeyChainError(f"{where}: the entry's body and salt do not hash to its leaf")
    return Handover(index, checkpoint.size, checkpoint.root, leaf, previous, new)


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
