"""Merkle tree tests: the transparency-dev vectors as shipped, plus properties against a
direct recursive transcription of RFC 9162 (MTH, PATH, SUBPROOF)."""

import base64
import json
import math
import os
import random
from pathlib import Path

import pytest

from fusioncell.ledger import merkle
from fusioncell.ledger.merkle import ProofError

# shared/ sits beside the repository; FUSIONCELL_SHARED_DIR overrides.
SHARED = Path(os.environ.get("FUSIONCELL_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
VECTORS = SHARED / "testdata" / "merkle"
INCLUSION = sorted((VECTORS / "inclusion").glob("**/*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").glob("**/*.json"))
EXPECTED_VECTORS = 196

# The tree behind the vectors (testdata/README.md): leaf inputs and roots by size.
README_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
README_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _rel(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _load(path: Path) -> dict:
    v = json.loads(path.read_text())
    for key in ("root", "leafHash", "root1", "root2"):
        if key in v:
            v[key] = base64.b64decode(v[key])
    v["proof"] = [base64.b64decode(p) for p in v["proof"] or []]
    return v


def _build(leaf_hashes, rng=None):
    """Node mapping and frontier after appending in (random) batches."""
    nodes, frontier, size = {}, [], 0
    while size < len(leaf_hashes):
        step = rng.randint(1, 9) if rng else len(leaf_hashes)
        new, frontier = merkle.append_leaves(size, frontier, leaf_hashes[size : size + step])
        for level, pos, h in new:
            assert (level, pos) not in nodes
            nodes[level, pos] = h
        size = min(size + step, len(leaf_hashes))
        assert merkle.root_from_frontier(frontier) == merkle.root_from_leaf_hashes(leaf_hashes[:size])
    return nodes, frontier


README_HASHES = [merkle.leaf_hash(bytes.fromhex(x)) for x in README_LEAVES]
README_NODES, _ = _build(README_HASHES)


def test_all_vectors_present():
    assert len(INCLUSION) + len(CONSISTENCY) == EXPECTED_VECTORS, f"vectors missing under {VECTORS}"


@pytest.mark.parametrize("path", INCLUSION, ids=_rel)
def test_inclusion_vector(path):
    v = _load(path)
    args = (v["leafIdx"], v["treeSize"], v["leafHash"], v["proof"], v["root"])
    if v["wantErr"]:
        with pytest.raises(ValueError):
            merkle.verify_inclusion(*args)
        return
    merkle.verify_inclusion(*args)
    if v["treeSize"] > 1:  # the multi-leaf vectors come from the README tree: we must emit the same proof
        assert merkle.inclusion_proof(v["leafIdx"], v["treeSize"], README_NODES) == v["proof"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=_rel)
def test_consistency_vector(path):
    v = _load(path)
    args = (v["size1"], v["size2"], v["proof"], v["root1"], v["root2"])
    if v["wantErr"]:
        with pytest.raises(ValueError):
            merkle.verify_consistency(*args)
        return
    merkle.verify_consistency(*args)
    if v["size1"] < v["size2"]:
        assert merkle.consistency_proof(v["size1"], v["size2"], README_NODES) == v["proof"]


def test_readme_roots():
    frontier: list[bytes] = []
    for size, want in enumerate(README_ROOTS, start=1):
        assert merkle.root_from_leaf_hashes(README_HASHES[:size]).hex() == want
        _, frontier = merkle.append_leaves(size - 1, frontier, README_HASHES[size - 1 : size])
        assert merkle.root_from_frontier(frontier).hex() == want


def test_empty_tree():
    assert merkle.EMPTY_ROOT.hex().startswith("e3b0c442")
    assert merkle.root_from_leaf_hashes([]) == merkle.root_from_frontier([]) == merkle.EMPTY_ROOT
    assert merkle.frontier_positions(0) == []


# --- RFC 9162 §2.1 transcribed literally, as an independent reference -------------


def _split(n):
    return 1 << ((n - 1).bit_length() - 1)  # largest power of two below n


def _mth(d):
    if len(d) == 1:
        return d[0]
    k = _split(len(d))
    return merkle.node_hash(_mth(d[:k]), _mth(d[k:]))


def _path(m, d):
    if len(d) == 1:
        return []
    k = _split(len(d))
    if m < k:
        return _path(m, d[:k]) + [_mth(d[k:])]
    return _path(m - k, d[k:]) + [_mth(d[:k])]


def _subproof(m, d, b=True):
    n = len(d)
    if m == n:
        return [] if b else [_mth(d)]
    k = _split(n)
    if m <= k:
        return _subproof(m, d[:k], b) + [_mth(d[k:])]
    return _subproof(m - k, d[k:], False) + [_mth(d[:k])]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_proofs_from_stored_nodes(seed):
    rng = random.Random(seed)
    hashes = [merkle.leaf_hash(rng.randbytes(rng.randint(0, 40))) for _ in range(70)]
    nodes, _ = _build(hashes, rng)
    # append_leaves stored exactly every perfect subtree, once.
    assert set(nodes) == {(lv, p) for lv in range(7) for p in range(70 >> lv)}
    for size in range(1, 71):
        tree = hashes[:size]
        root = merkle.root_from_leaf_hashes(tree)
        assert root == _mth(tree)
        assert merkle.root_from_frontier([nodes[p] for p in merkle.frontier_positions(size)]) == root
        for index in range(size):
            positions = merkle.inclusion_positions(index, size)
            assert len(set(positions)) == len(positions)
            proof = merkle.inclusion_proof(index, size, {p: nodes[p] for p in positions})
            assert proof == _path(index, tree)
            merkle.verify_inclusion(index, size, tree[index], proof, root)
        for size1 in range(1, size + 1):
            positions = merkle.consistency_positions(size1, size)
            assert len(set(positions)) == len(positions)
            proof = merkle.consistency_proof(size1, size, {p: nodes[p] for p in positions})
            assert proof == (_subproof(size1, tree) if size1 < size else [])
            merkle.verify_consistency(size1, size, proof, _mth(hashes[:size1]), root)


def test_positions_are_logarithmic():
    n = 10**6
    bound = 2 * math.log2(n) + 2
    for i in [0, 1, 2, 12345, 2**19 - 1, 2**19, 999_998, n - 1]:
        assert len(merkle.inclusion_positions(i, n)) <= bound
        assert len(merkle.consistency_positions(i + 1, n)) <= bound
    assert len(merkle.frontier_positions(n)) == n.bit_count()


def test_tampering_fails():
    rng = random.Random(7)
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(45)]
    nodes, _ = _build(hashes, rng)
    root, root1 = merkle.root_from_leaf_hashes(hashes), merkle.root_from_leaf_hashes(hashes[:13])
    incl = merkle.inclusion_proof(22, 45, nodes)
    cons = merkle.consistency_proof(13, 45, nodes)
    for i in range(len(incl)):
        for byte in (0, 31):
            bad = list(incl)
            bad[i] = bad[i][:byte] + bytes([bad[i][byte] ^ 1]) + bad[i][byte + 1 :]
            with pytest.raises(ProofError):
                merkle.verify_inclusion(22, 45, hashes[22], bad, root)
    for i in range(len(cons)):
        bad = list(cons)
        bad[i] = bytes([bad[i][0] ^ 0x80]) + bad[i][1:]
        with pytest.raises(ProofError):
            merkle.verify_consistency(13, 45, bad, root1, root)
    with pytest.raises(ProofError, match="too short"):
        merkle.verify_inclusion(22, 45, hashes[22], incl[:-1], root)
    with pytest.raises(ProofError, match="too long"):
        merkle.verify_consistency(13, 45, cons + [root], root1, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(22, 45, hashes[21], incl, root)


def test_out_of_range_is_value_error_not_proof_error():
    for call in (
        lambda: merkle.inclusion_positions(5, 5),
        lambda: merkle.inclusion_proof(0, 0, {}),
        lambda: merkle.verify_inclusion(3, 2, bytes(32), [], bytes(32)),
        lambda: merkle.consistency_positions(3, 2),
        lambda: merkle.verify_consistency(3, 2, [], bytes(32), bytes(32)),
        lambda: merkle.frontier_positions(-1),
    ):
        with pytest.raises(ValueError) as info:
            call()
        assert not isinstance(info.value, ProofError)


def test_missing_node_and_bad_frontier():
    with pytest.raises(KeyError, match="missing"):
        merkle.inclusion_proof(0, 8, {})
    with pytest.raises(ValueError, match="frontier"):
        merkle.append_leaves(3, [bytes(32)], [bytes(32)])


def test_empty_first_tree():
    root = merkle.root_from_leaf_hashes(README_HASHES)
    assert merkle.consistency_positions(0, 8) == [] and merkle.consistency_positions(8, 8) == []
    with pytest.raises(ProofError):
        merkle.verify_consistency(0, 8, [], merkle.EMPTY_ROOT, root)
    merkle.verify_consistency(0, 8, [], merkle.EMPTY_ROOT, root, allow_empty_first=True)
    merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, allow_empty_first=True)
    for size2, proof, root1, root2 in [
        (8, [root], merkle.EMPTY_ROOT, root),  # proof must be empty
        (8, [], root, root),  # an empty tree has the empty root
        (0, [], merkle.EMPTY_ROOT, root),
    ]:
        with pytest.raises(ProofError):
            merkle.verify_consistency(0, size2, proof, root1, root2, allow_empty_first=True)
