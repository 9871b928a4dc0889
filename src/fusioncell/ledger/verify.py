"""`fusioncell ledger verify`: replay a live cell's whole log with nothing but its verifier key.

Checks the checkpoint's signature (following the key's rotations from the key the caller trusts, each
handover proven: ledger/key_chain.py), rebuilds the root from every leaf, checks inclusion proofs and
consistency proofs the server gives against that rebuilt tree, and checks the bodies the caller may
read against their leaves.
"""

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from fusioncell.ledger import key_chain, merkle
from fusioncell.ledger.key_chain import KeyChainError
from fusioncell.ledger.note import Checkpoint, NoteError, Verifier, open_note, parse_checkpoint

PAGE = 1000


class VerificationFailed(Exception):
    pass


@dataclass
class VerifyReport:
    checkpoint: Checkpoint | None = None
    leaves: int = 0
    inclusion_proofs: int = 0
    consistency_proofs: int = 0
    bodies: int = 0
    vkey: str = ""  # the key in force, reached from the trusted one
    rotations: int = 0
    notes: list[str] = field(default_factory=list)


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _get(client: httpx.Client, path: str, **params) -> httpx.Response:
    response = client.get(path, params=params)
    if response.status_code != 200:
        raise VerificationFailed(f"GET {path} {params} answered {response.status_code}: {response.text[:200]}")
    return response


def _key_in_force(client: httpx.Client, trusted: str, signed: str) -> tuple[str, list[key_chain.Handover]]:
    """The trusted key if it signed the checkpoint; else the key its rotations lead to, each step proven."""
    try:
        open_note(signed, [Verifier.from_vkey(trusted)])
        return trusted, []
    except NoteError:
        pass
    rotations = _get(client, "/api/v1/ledger/keys").json()["rotations"]
    try:
        return key_chain.follow(trusted, rotations, lambda i: _get(client, f"/api/v1/ledger/entries/{i}").json())
    except KeyChainError as exc:
        raise VerificationFailed(f"signed neither by your key nor by one it handed over to: {exc}") from None


def verify_log(
    client: httpx.Client, vkey: str, *, proofs: int = 1000, progress: Callable[[str], None] = lambda _: None
) -> VerifyReport:
    report = VerifyReport()
    signed = _get(client, "/api/v1/ledger/checkpoint").text
    vkey, handovers = _key_in_force(client, vkey, signed)
    report.vkey, report.rotations = vkey, len(handovers)
    if handovers:
        progress(f"the key was rotated {len(handovers)} time(s) since yours; each handover is signed by both keys")
    verifier = Verifier.from_vkey(vkey)
    checkpoint = parse_checkpoint(open_note(signed, [verifier]).text)
    report.checkpoint = checkpoint
    size = checkpoint.size
    progress(f"checkpoint signed by {verifier.name}: size {size}")

    leaves: list[bytes] = []
    while len(leaves) < size:
        page = _get(client, "/api/v1/ledger/leaves", start=len(leaves), end=min(size, len(leaves) + PAGE)).json()
        if page["start"] != len(leaves) or not page["leaves"]:
            raise VerificationFailed(f"leaves page at {len(leaves)} is malformed")
        leaves.extend(_b64(leaf) for leaf in page["leaves"])
    leaves = leaves[:size]
    report.leaves = len(leaves)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    if merkle.root_from_leaf_hashes(hashes) != checkpoint.root:
        raise VerificationFailed("the leaves do not add up to the signed root: the log was rewritten")
    progress(f"{size} leaves rebuild the signed root")
    try:
        for handover in handovers:
            handover.check_against(hashes)
    except KeyChainError as exc:
        raise VerificationFailed(str(exc)) from None

    rng = random.Random(size)
    indices = range(size) if size <= proofs else sorted(rng.sample(range(size), proofs))
    for index in indices:
        proof = [
            _b64(h) for h in _get(client, "/api/v1/ledger/proof/inclusion", index=index, size=size).json()["hashes"]
        ]
        merkle.verify_inclusion(index, size, hashes[index], proof, checkpoint.root)
        report.inclusion_proofs += 1
    firsts = range(1, size + 1) if size <= proofs else sorted(rng.sample(range(1, size + 1), proofs))
    built, frontier = 0, []
    for first in firsts:
        # Roots of earlier sizes, grown incrementally from the leaves rather than rebuilt each time.
        _, frontier = merkle.append_leaves(built, frontier, hashes[built:first])
        built = first
        proof = [
            _b64(h) for h in _get(client, "/api/v1/ledger/proof/consistency", first=first, second=size).json()["hashes"]
        ]
        merkle.verify_consistency(first, size, proof, merkle.root_from_frontier(frontier), checkpoint.root)
        report.consistency_proofs += 1
    progress(f"{report.inclusion_proofs} inclusion and {report.consistency_proofs} consistency proofs verified")

    cursor = None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor is not None else {})
        page = _get(client, "/api/v1/ledger/entries", **params).json()
        for entry in page["items"]:
            if entry["index"] >= size:
                continue
            if hashlib.sha256(_b64(entry["salt"]) + entry["body"].encode()).digest() != leaves[entry["index"]]:
                raise VerificationFailed(f"entry {entry['index']}: body and salt do not hash to its leaf")
            report.bodies += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    progress(f"{report.bodies} readable bodies match their leaves")
    return report
