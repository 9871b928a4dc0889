"""The record's endpoints, checked the way an independent verifier would, and under the matrix."""

import base64
import hashlib
import uuid

import pytest

from fusioncell.ledger import merkle
from fusioncell.ledger.note import Verifier, open_note, parse_checkpoint
from fusioncell.ledger.service import EntryDraft, append_entries, checkpoint_if_due
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.support import bearer


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def probe(session, state) -> str:
    draft = EntryDraft(
        kind="probe",
        record_id=str(uuid.uuid4()),
        version=1,
        action="probe",
        actor="test",
        party=state.origin,
        digest="0" * 64,
        origin_party=state.origin,
        status=str(state.status),
        releasable_to=state.releasable_to,
    )
    [index] = append_entries(session, [draft])
    return str(index)


def test_entries_obey_the_releasability_matrix(client, db, population, cell):
    case = MatrixCase(
        name="ledger entries",
        create=probe,
        detail_path=lambda index: f"/api/v1/ledger/entries/{index}",
        missing_id="987654321",
        list_path="/api/v1/ledger/entries?limit=500",
        listed_ids=lambda page: {str(item["index"]) for item in page["items"]},
    )
    result = assert_matrix_holds(client, db, population, cell, case)
    assert result.checks > 1000


@pytest.fixture
def signed(db, runtime):
    """A log with some entries and a fresh checkpoint over all of them."""
    from datetime import timedelta

    db.commit()
    checkpoint_if_due(db, signer=runtime.signer, origin=runtime.cell.log_origin, interval=timedelta(0))
    db.commit()
    return runtime


def test_independent_verifier_checks_checkpoint_every_inclusion_and_consistency(client, signed, population):
    headers = bearer(population.member("SYR", "liaison"))
    vkey = client.get("/api/v1/ledger/key").text.strip()
    assert vkey == signed.signer.verifier_key()
    note = open_note(client.get("/api/v1/ledger/checkpoint", headers=headers).text, [Verifier.from_vkey(vkey)])
    checkpoint = parse_checkpoint(note.text)
    size = checkpoint.size
    leaves = [b64(x) for x in client.get(f"/api/v1/ledger/leaves?start=0&end={size}", headers=headers).json()["leaves"]]
    # The verifier's own tree: plain recursion over the leaves, RFC 9162 §2.1.1.
    hashes = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]

    def mth(items):
        if len(items) == 1:
            return items[0]
        k = 1 << ((len(items) - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(items[:k]) + mth(items[k:])).digest()

    assert mth(hashes) == checkpoint.root
    for index in range(size):
        proof = client.get(f"/api/v1/ledger/proof/inclusion?index={index}&size={size}", headers=headers).json()
        merkle.verify_inclusion(index, size, hashes[index], [b64(h) for h in proof["hashes"]], checkpoint.root)
    for first in range(1, size + 1):
        for second in range(first, size + 1, max(1, size // 7)):
            proof = client.get(f"/api/v1/ledger/proof/consistency?first={first}&second={second}", headers=headers)
            merkle.verify_consistency(
                first, second, [b64(h) for h in proof.json()["hashes"]], mth(hashes[:first]), mth(hashes[:second])
            )


def test_readable_bodies_hash_to_their_leaves(client, population):
    headers = bearer(population.member("ISR", "liaison"))
    page = client.get("/api/v1/ledger/entries?limit=500", headers=headers).json()
    assert page["items"], "ISR reads its own account events at least"
    for item in page["items"]:
        assert hashlib.sha256(b64(item["salt"]) + item["body"].encode()).digest() == b64(item["leaf"])


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/ledger/proof/inclusion?index=5&size=3",
        "/api/v1/ledger/proof/inclusion?index=0&size=99999999",
        "/api/v1/ledger/proof/inclusion?index=-1&size=3",
        "/api/v1/ledger/proof/inclusion?index=abc&size=3",
        "/api/v1/ledger/proof/consistency?first=4&second=2",
        "/api/v1/ledger/proof/consistency?first=1&second=99999999",
        "/api/v1/ledger/leaves?start=3&end=2",
        "/api/v1/ledger/leaves?start=0&end=99999999",
        "/api/v1/ledger/proof/inclusion?index=0&size=18446744073709551617",
    ],
)
def test_out_of_range_proof_requests_are_clear_4xx(client, population, query):
    response = client.get(query, headers=bearer(population.member("ISR", "liaison")))
    assert response.status_code in (400, 422)
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]


def test_ledger_endpoints_need_a_member_but_the_key_is_public(client):
    assert client.get("/api/v1/ledger/key").status_code == 200
    for path in ("/api/v1/ledger/checkpoint", "/api/v1/ledger/leaves?start=0&end=1", "/api/v1/ledger/entries"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
