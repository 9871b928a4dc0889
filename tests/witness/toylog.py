"""A tiny in-memory log for witness tests: RFC 9162 tree maths from the ledger, a real
signed-note key, and a way to fork it (same prefix, different later leaves)."""

import base64

from fusioncell.ledger import merkle
from fusioncell.ledger.note import Checkpoint, Signer, format_checkpoint


class ToyLog:
    def __init__(self, origin: str, signer: Signer | None = None, seed: str = "main") -> None:
        self.origin = origin
        self.signer = signer or Signer.generate(origin)
        self.seed = seed
        self.leaves: list[bytes] = []

    def grow(self, to_size: int) -> "ToyLog":
        for i in range(len(self.leaves), to_size):
            self.leaves.append(merkle.leaf_hash(f"{self.seed}/{i}".encode()))
        return self

    def fork(self, at_size: int, seed: str) -> "ToyLog":
        """Same first `at_size` leaves and key; different leaves after them."""
        other = ToyLog(self.origin, self.signer, seed)
        other.leaves = list(self.leaves[:at_size])
        return other

    def root(self, size: int) -> bytes:
        return merkle.root_from_leaf_hashes(self.leaves[:size])

    def proof(self, old: int, new: int) -> list[bytes]:
        nodes = {}
        for level, position in merkle.consistency_positions(old, new):
            start = position << level
            nodes[(level, position)] = merkle.root_from_leaf_hashes(self.leaves[start : start + (1 << level)])
        return merkle.consistency_proof(old, new, nodes)

    def text(self, size: int) -> str:
        return format_checkpoint(Checkpoint(self.origin, size, self.root(size)))

    def note(self, size: int) -> str:
        return self.signer.sign_note(self.text(size))


def body(old: int, proof: list[bytes], note: str) -> bytes:
    """An add-checkpoint request body, written independently of the client under test."""
    return ("".join([f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]) + note).encode()
