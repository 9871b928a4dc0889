"""RFC 9162 Merkle tree hashing and proofs, computed from stored perfect subtrees.

Pure functions, no I/O. The tree is kept as *perfect* (complete, aligned) subtrees
addressed by ``(level, position)``: level 0 position i is the leaf hash of leaf i, and
level L position p covers leaves [p*2^L, (p+1)*2^L). Such nodes never change once the
tree has grown past them, so they can be stored once and read back forever.

Every proof is served in two steps so the caller needs a single database lookup:
``*_positions()`` plans which stored nodes are needed (O(log n), no duplicates), then
``*_proof()`` computes the proof from a mapping holding those nodes. A proof sibling that
is not perfect (it lies on the tree's right edge) is rebuilt from its perfect parts.
"""

import hashlib
from collections.abc import Mapping, Sequence

Position = tuple[int, int]  # (level, position)

_sha256 = hashlib.sha256
EMPTY_ROOT: bytes = _sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _check_size(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Root of the tree over all level-0 hashes, level by level.

    Pairing neighbours and carrying an odd last node up unchanged gives exactly the
    RFC 9162 left-balanced tree, without recursion.
    """
    if not hashes:
        return EMPTY_ROOT
    sha = _sha256  # local binding: this loop runs once per inner node of whole logs
    level = list(hashes)
    while len(level) > 1:
        pairs = iter(level)
        upper = [sha(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs, strict=False)]
        if len(level) & 1:
            upper.append(level[-1])
        level = upper
    return level[0]


def _range_positions(start: int, end: int) -> list[Position]:
    """Perfect subtrees of [start, end), largest first.

    Only valid where start is aligned to a power of two above end - start, which holds
    for every range met here: a tree's frontier and right-edge siblings.
    """
    out: list[Position] = []
    width = end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def frontier_positions(size: int) -> list[Position]:
    _check_size("size", size)
    return _range_positions(0, size)


def root_from_frontier(hashes: Sequence[bytes]) -> bytes:
    """Root from the perfect subtrees of a tree (or right-edge range), left to right."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = node_hash(h, root)
    return root


def append_leaves(
    size: int, frontier: Sequence[bytes], leaf_hashes: Sequence[bytes]
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """Append level-0 hashes to a tree given only its frontier.

    Returns every newly completed perfect subtree as (level, position, hash), level 0
    included, and the new frontier hashes.
    """
    _check_size("size", size)
    if len(frontier) != size.bit_count():
        raise ValueError(f"a tree of size {size} has {size.bit_count()} frontier hashes, got {len(frontier)}")
    sha = _sha256
    stack = list(frontier)
    nodes: list[tuple[int, int, bytes]] = []
    add = nodes.append
    n = size
    for h in leaf_hashes:
        add((0, n, h))
        # Each trailing one bit of n is a frontier subtree the same size as the one
        # being carried up, so they merge into a new perfect parent.
        level, position, bits = 0, n, n
        while bits & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            level += 1
            position >>= 1
            bits >>= 1
            add((level, position, h))
        stack.append(h)
        n += 1
    return nodes, stack


def _path_groups(level: int, position: int, size: int) -> list[list[Position]]:
    """Siblings on the way from a perfect node up to the root of a tree of `size`.

    One group of perfect subtrees per sibling, bottom-up. A level whose sibling lies
    wholly beyond the tree contributes nothing (the node is carried up unchanged).
    """
    groups: list[list[Position]] = []
    last = size - 1
    while last >> level:  # the node is not yet the root
        start = (position ^ 1) << level
        if start < size:
            groups.append(_range_positions(start, min(start + (1 << level), size)))
        position >>= 1
        level += 1
    return groups


def _inclusion_groups(index: int, size: int) -> list[list[Position]]:
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    return _path_groups(0, index, size)


def _consistency_groups(size1: int, size2: int) -> list[list[Position]]:
    _check_size("size1", size1)
    _check_size("size2", size2)
    if size1 > size2:
        raise ValueError(f"size1 ({size1}) is larger than size2 ({size2})")
    if size1 == 0 or size1 == size2:
        return []  # nothing to prove (C2SP witnesses expect an empty proof from size 0)
    # The largest perfect subtree ending at size1, then its path in the larger tree
    # (RFC 9162 SUBPROOF); the node is left out when it is the whole old tree.
    level = (size1 & -size1).bit_length() - 1
    position = (size1 - 1) >> level
    groups = [] if position == 0 else [[(level, position)]]
    return groups + _path_groups(level, position, size2)


def _flatten(groups: list[list[Position]]) -> list[Position]:
    return [p for group in groups for p in group]


def _hashes(groups: list[list[Position]], nodes: Mapping[Position, bytes]) -> list[bytes]:
    out = []
    for group in groups:
        try:
            out.append(root_from_frontier([nodes[p] for p in group]))
        except KeyError as exc:
            raise KeyError(f"stored node {exc.args[0]} is missing from the mapping") from None
    return out


def inclusion_positions(index: int, size: int) -> list[Position]:
    return _flatten(_inclusion_groups(index, size))


def inclusion_proof(index: int, size: int, nodes: Mapping[Position, bytes]) -> list[bytes]:
    return _hashes(_inclusion_groups(index, size), nodes)


def consistency_positions(size1: int, size2: int) -> list[Position]:
    return _flatten(_consistency_groups(size1, size2))


def consistency_proof(size1: int, size2: int, nodes: Mapping[Position, bytes]) -> list[bytes]:
    return _hashes(_consistency_groups(size1, size2), nodes)


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if len(h) != 32:
            raise ProofError(f"proof hash {i} is {len(h)} bytes, not 32")


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2. Raises ProofError unless the proof ties the leaf to root."""
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf_hash) != 32:
        raise ProofError(f"leaf hash is {len(leaf_hash)} bytes, not 32")
    _check_hashes(proof)
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof is too short ({len(proof)} hashes)")
    if r != root:
        raise ProofError("inclusion proof does not lead to the given root")


def verify_consistency(
    size1: int,
    size2: int,
    proof: Sequence[bytes],
    root1: bytes,
    root2: bytes,
    *,
    allow_empty_first: bool = False,
) -> None:
    """RFC 9162 §2.1.4.2. Raises ProofError unless the tree at root2 extends root1.

    By default size1 == 0 is refused, as transparency-dev (and its test vectors) do.
    With allow_empty_first, an empty first tree is consistent with anything given an
    empty proof and the empty root (C2SP tlog-witness semantics).
    """
    _check_size("size1", size1)
    _check_size("size2", size2)
    if size1 > size2:
        raise ValueError(f"size1 ({size1}) is larger than size2 ({size2})")
    if size1 == 0:
        if not allow_empty_first:
            raise ProofError("consistency from an empty tree cannot be proven (size1 is 0)")
        if proof:
            raise ProofError("consistency from an empty tree needs an empty proof")
        if root1 != EMPTY_ROOT or (size2 == 0 and root2 != EMPTY_ROOT):
            raise ProofError("an empty tree's root must be SHA-256 of nothing")
        return
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes but different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    _check_hashes(proof)
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # the old root is itself a node of the path
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof is too short ({len(proof)} hashes)")
    if fr != root1:
        raise ProofError("consistency proof does not lead to root1")
    if sr != root2:
        raise ProofError("consistency proof does not lead to root2")
