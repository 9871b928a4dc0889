"""Joint statements through the API: drafting, revising, commenting, signing with a registered key and with
the key stored in the cell, publishing, the bundle; every bad request refused with nothing changed."""

import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.config import Settings
from fusioncell.demo import ILLUSTRATIVE
from fusioncell.diplomacy import service, signing
from fusioncell.diplomacy.demo import seed_demo_statements
from fusioncell.diplomacy.models import PartyKey, Statement, StatementComment, StatementSignature, StatementVersion
from fusioncell.diplomacy.publication import verify_bundle
from fusioncell.ledger.audit import audit
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.service import checkpoint_if_due
from tests.support import PASSWORD

TEXT_1 = {
    "en": "The parties reaffirm the 1974 Agreement on Disengagement.\n\nThey will meet again in Amman.",
    "ar": "يؤكد الطرفان مجددا اتفاق فض الاشتباك لعام 1974.",
}
TEXT_2 = {
    "en": "The parties reaffirm the 1974 Agreement on Disengagement.\n\nThey will meet again in Paris.",
    "ar": "يؤكد الطرفان مجددا اتفاق فض الاشتباك لعام 1974.",
    "he": "הצדדים מאשרים מחדש את הסכם ההפרדה משנת 1974.",
}


def draft(client, as_, *, required=("ISR", "SYR"), releasable_to=None, texts=TEXT_1) -> dict:
    body = {"title": "Joint statement on the Area of Separation", "required_parties": list(required), "texts": texts}
    if releasable_to is not None:
        body["releasable_to"] = releasable_to
    response = client.post("/api/v1/statements", json=body, headers=as_("USA"))
    assert response.status_code == 201, response.text
    return response.json()


def revise(client, as_, statement_id, texts=TEXT_2) -> dict:
    response = client.post(f"/api/v1/statements/{statement_id}/versions", json={"texts": texts}, headers=as_("USA"))
    assert response.status_code == 201, response.text
    return response.json()


def register_key(client, as_, party: str, *, stored: bool = False) -> bytes:
    """A new key of `party`, registered by its admin; returns the private key."""
    private_key = signing.new_private_key()
    body = {"public_key": signing.b64(signing.public_key_of(private_key))}
    if stored:
        body["private_key"] = signing.b64(private_key)
    response = client.post("/api/v1/party-keys", json=body, headers=as_(party, "admin"))
    assert response.status_code == 201, response.text
    return private_key


def signature_body(client, as_, party: str, statement_id, version: int, private_key: bytes) -> dict:
    """What `fusioncell statement sign` sends: the server's canonical text, rebuilt and signed locally."""
    statement = client.get(f"/api/v1/statements/{statement_id}", headers=as_(party)).json()
    [shown] = [v for v in statement["versions"] if v["number"] == version]
    canonical = signing.canonical_text(shown["texts"], statement_id=statement_id, version=version)
    assert base64.b64decode(shown["canonical"]) == canonical
    digest = hashlib.sha256(canonical).digest()
    public_key = signing.public_key_of(private_key)
    return {
        "version": version,
        "key_id": signing.key_id_of(public_key),
        "signature": signing.b64(signing.sign(private_key, digest)),
    }


def sign(client, as_, party, statement_id, version, private_key):
    body = signature_body(client, as_, party, statement_id, version, private_key)
    return client.post(f"/api/v1/statements/{statement_id}/signatures", json=body, headers=as_(party))


def counts(db) -> dict[str, int]:
    models = (Statement, StatementVersion, StatementSignature, StatementComment, PartyKey, LedgerEntry)
    return {m.__name__: db.execute(select(func.count()).select_from(m)).scalar_one() for m in models}


def checkpoint(db, signer, cell) -> None:
    checkpoint_if_due(db, signer=signer, origin=cell.log_origin, interval=timedelta(0))
    db.commit()


def test_drafted_revised_signed_by_both_ways_published_and_bundled(client, as_, db, cell, signer):
    statement = draft(client, as_)
    assert statement["latest_version"] == 1 and statement["stage"] == "drafting"
    assert statement["ledger_index"] is not None and statement["releasable_to"] == ["ISR", "SYR"]
    version = revise(client, as_, statement["id"])
    assert version["number"] == 2 and version["ledger_index"] is not None
    isr_key = register_key(client, as_, "ISR")
    register_key(client, as_, "SYR", stored=True)

    isr = sign(client, as_, "ISR", statement["id"], 2, isr_key)
    assert isr.status_code == 201, isr.text
    syr = client.post(
        f"/api/v1/statements/{statement['id']}/signatures/stored",
        json={"version": 2, "password": PASSWORD},
        headers=as_("SYR"),
    )
    assert syr.status_code == 201, syr.text
    assert syr.json()["party"] == "SYR" and syr.json()["signed_by"] == "syr.liaison"

    published = client.post(f"/api/v1/statements/{statement['id']}/publish", headers=as_("USA"))
    assert published.status_code == 200, published.text
    assert published.json()["stage"] == "published" and published.json()["published_version"] == 2
    checkpoint(db, signer, cell)
    bundle = client.get(f"/api/v1/statements/{statement['id']}/bundle", headers=as_("SYR"))
    assert bundle.status_code == 200, bundle.text
    assert verify_bundle(bundle.json(), cell_vkey=signer.verifier_key()) == []
    assert {s["party"] for s in bundle.json()["signatures"]} == {"ISR", "SYR"}


def test_a_signature_on_version_1_is_void_once_version_2_exists(client, as_):
    statement = draft(client, as_)
    isr_key, syr_key = register_key(client, as_, "ISR"), register_key(client, as_, "SYR")
    assert sign(client, as_, "ISR", statement["id"], 1, isr_key).status_code == 201
    revise(client, as_, statement["id"])
    assert sign(client, as_, "SYR", statement["id"], 2, syr_key).status_code == 201

    refused = client.post(f"/api/v1/statements/{statement['id']}/publish", headers=as_("USA"))
    assert refused.status_code == 409 and refused.json()["error"]["details"]["missing"] == ["ISR"]
    shown = client.get(f"/api/v1/statements/{statement['id']}", headers=as_("ISR")).json()
    assert [(s["party"], s["version_number"], s["void"]) for s in shown["signatures"]] == [
        ("ISR", 1, True),
        ("SYR", 2, False),
    ]
    assert shown["missing_signatures"] == ["ISR"]

    assert sign(client, as_, "ISR", statement["id"], 2, isr_key).status_code == 201
    assert client.post(f"/api/v1/statements/{statement['id']}/publish", headers=as_("USA")).status_code == 200


def test_the_diff_pairs_paragraphs_per_language(client, as_):
    statement = draft(client, as_)
    revise(client, as_, statement["id"])
    diff = client.get(f"/api/v1/statements/{statement['id']}/diff?from=1&to=2", headers=as_("SYR"))
    assert diff.status_code == 200, diff.text
    languages = diff.json()["languages"]
    assert [row["op"] for row in languages["en"]] == ["equal", "changed"]
    assert languages["en"][1]["new"] == "They will meet again in Paris."
    assert [row["op"] for row in languages["he"]] == ["added"]
    assert client.get(f"/api/v1/statements/{statement['id']}/diff?from=1&to=9", headers=as_("SYR")).status_code == 422


def test_comments_are_per_paragraph_of_a_version(client, as_):
    statement = draft(client, as_)
    url = f"/api/v1/statements/{statement['id']}/comments"
    made = client.post(url, json={"version": 1, "paragraph": 2, "text": "Amman or Paris?"}, headers=as_("SYR"))
    assert made.status_code == 201, made.text
    assert made.json()["origin_party"] == "SYR" and set(made.json()["releasable_to"]) == {"USA", "ISR"}
    shown = client.get(f"/api/v1/statements/{statement['id']}", headers=as_("ISR")).json()
    assert [(c["paragraph"], c["text"]) for c in shown["comments"]] == [(2, "Amman or Paris?")]


def test_public_keys_are_every_member_s_to_read_and_never_the_stored_half(client, as_):
    register_key(client, as_, "SYR", stored=True)
    listed = client.get("/api/v1/party-keys?party=SYR", headers=as_("UNDOF")).json()["items"]
    assert len(listed) == 1 and listed[0]["stored"] is True
    assert "private_key" not in listed[0] and "sealed_private_key" not in listed[0]
    one = client.get(f"/api/v1/party-keys/{listed[0]['id']}", headers=as_("JOR"))
    assert one.status_code == 200 and one.json()["key_id"] == listed[0]["key_id"]


def _published(client, as_, db, cell, signer) -> dict:
    statement = draft(client, as_, releasable_to=["FRA"])
    isr_key, syr_key = register_key(client, as_, "ISR"), register_key(client, as_, "SYR", stored=True)
    assert sign(client, as_, "ISR", statement["id"], 1, isr_key).status_code == 201
    assert sign(client, as_, "SYR", statement["id"], 1, syr_key).status_code == 201
    assert client.post(f"/api/v1/statements/{statement['id']}/publish", headers=as_("USA")).status_code == 200
    return statement


def _drafting_with_keys(client, as_) -> tuple[dict, bytes]:
    statement = draft(client, as_, releasable_to=["FRA"])
    revise(client, as_, statement["id"])
    isr_key = register_key(client, as_, "ISR")
    register_key(client, as_, "SYR", stored=True)
    return statement, isr_key


BAD_REQUESTS = {
    # name: (setup: published or drafting, request builder -> (method, url, body, headers), status)
    "signing a version that is not the latest": (
        "drafting",
        lambda c, a, s, k: ("POST", "signatures", signature_body(c, a, "ISR", s, 1, k), a("ISR")),
        409,
    ),
    "a signature that does not verify": (
        "drafting",
        lambda c, a, s, k: (
            "POST",
            "signatures",
            signature_body(c, a, "ISR", s, 2, k) | {"signature": signing.b64(bytes(64))},
            a("ISR"),
        ),
        422,
    ),
    "a signature by another party's key": (
        "drafting",
        lambda c, a, s, k: ("POST", "signatures", signature_body(c, a, "ISR", s, 2, k), a("SYR")),
        422,
    ),
    "approval by a party that is not required": (
        "drafting",
        lambda c, a, s, k: ("POST", "signatures", signature_body(c, a, "ISR", s, 2, k), a("FRA")),
        403,
    ),
    # A wrong password asked again is refused too, but its refusal is kept: tests/diplomacy/test_signing_password.py
    "a stored-key signature by a party that stores no key": (
        "drafting",
        lambda c, a, s, k: ("POST", "signatures/stored", {"version": 2, "password": PASSWORD}, a("ISR")),
        409,
    ),
    "publishing before every party signed": ("drafting", lambda c, a, s, k: ("POST", "publish", None, a("USA")), 409),
    "publishing by a principal": ("drafting", lambda c, a, s, k: ("POST", "publish", None, a("ISR")), 403),
    "revising by a principal": ("drafting", lambda c, a, s, k: ("POST", "versions", {"texts": TEXT_1}, a("ISR")), 403),
    "a text in an unknown language": (
        "drafting",
        lambda c, a, s, k: ("POST", "versions", {"texts": {"fr": "Les parties..."}}, a("USA")),
        422,
    ),
    "a comment on a paragraph that does not exist": (
        "drafting",
        lambda c, a, s, k: ("POST", "comments", {"version": 2, "paragraph": 9, "text": "?"}, a("SYR")),
        422,
    ),
    "editing a published statement": (
        "published",
        lambda c, a, s, k: ("POST", "versions", {"texts": TEXT_2}, a("USA")),
        409,
    ),
    "commenting on a published statement": (
        "published",
        lambda c, a, s, k: ("POST", "comments", {"version": 1, "paragraph": 1, "text": "late"}, a("ISR")),
        409,
    ),
    "publishing twice": ("published", lambda c, a, s, k: ("POST", "publish", None, a("USA")), 409),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_bad_requests_are_refused_and_change_nothing(client, as_, db, cell, signer, name):
    setup, build, status = BAD_REQUESTS[name]
    if setup == "published":
        statement, key = _published(client, as_, db, cell, signer), b""
    else:
        statement, key = _drafting_with_keys(client, as_)
    method, action, body, headers = build(client, as_, statement["id"], key)
    before_rows = counts(db)
    before = client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json()

    response = client.request(method, f"/api/v1/statements/{statement['id']}/{action}", json=body, headers=headers)

    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
    assert counts(db) == before_rows
    assert client.get(f"/api/v1/statements/{statement['id']}", headers=as_("USA")).json() == before


def test_signing_the_same_version_twice_is_refused(client, as_, db):
    statement, isr_key = _drafting_with_keys(client, as_)
    assert sign(client, as_, "ISR", statement["id"], 2, isr_key).status_code == 201
    before = counts(db)
    again = sign(client, as_, "ISR", statement["id"], 2, isr_key)
    assert again.status_code == 409 and counts(db) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "T", "required_parties": ["XXX"], "texts": {"en": "x"}}, 422),
        ({"title": "T", "required_parties": [], "texts": {"en": "x"}}, 422),
        ({"title": "T", "required_parties": ["ISR"], "texts": {"en": "   "}}, 422),
        ({"title": "T", "required_parties": ["ISR"], "texts": {"en": "x"}, "extra": 1}, 422),
    ],
)
def test_bad_drafts_are_refused(client, as_, db, body, status):
    before = counts(db)
    assert client.post("/api/v1/statements", json=body, headers=as_("USA")).status_code == status
    assert counts(db) == before


def test_only_the_mediator_drafts_and_only_admins_register_keys(client, as_, db):
    before = counts(db)
    body = {"title": "T", "required_parties": ["ISR"], "texts": {"en": "x"}}
    assert client.post("/api/v1/statements", json=body, headers=as_("ISR")).status_code == 403
    public = signing.b64(signing.public_key_of(signing.new_private_key()))
    assert client.post("/api/v1/party-keys", json={"public_key": public}, headers=as_("ISR")).status_code == 403
    mismatch = {"public_key": public, "private_key": signing.b64(signing.new_private_key())}
    assert client.post("/api/v1/party-keys", json=mismatch, headers=as_("ISR", "admin")).status_code == 422
    assert (
        client.post("/api/v1/party-keys", json={"public_key": "AAAA"}, headers=as_("ISR", "admin")).status_code == 422
    )
    assert counts(db) == before
    assert (
        client.post("/api/v1/party-keys", json={"public_key": public}, headers=as_("ISR", "admin")).status_code == 201
    )
    assert (
        client.post("/api/v1/party-keys", json={"public_key": public}, headers=as_("SYR", "admin")).status_code == 409
    )


def test_a_bundle_exists_only_for_a_published_statement(client, as_):
    statement = draft(client, as_)
    assert client.get(f"/api/v1/statements/{statement['id']}/bundle", headers=as_("USA")).status_code == 409


def test_the_demo_seeds_one_published_statement_and_one_awaiting_syria(db, cell, signer, tmp_path):
    usa, isr, syr = (subject_for(user_by_name(db, f"{p}.liaison"), cell) for p in ("usa", "isr", "syr"))
    seed_demo_statements(db, cell=cell, usa=usa, isr=isr, syr=syr, settings=Settings(var_dir=tmp_path))
    statements = service.list_statements(db, subject=syr)
    assert len(statements) == 2
    for statement in statements:
        assert all(t.startswith(ILLUSTRATIVE) for v in service.versions_of(db, statement) for t in v.texts.values())
    published = {s.stage: s for s in statements}
    assert published["published"].published_version == 1
    assert service.missing_signatures(db, published["drafting"]) == {"SYR"}
    assert published["drafting"].latest_version == 2
    # Syria signs the waiting one from the browser's path, with the key the demo stored for it.
    service.sign_with_stored_key(
        db,
        cell=cell,
        subject=syr,
        statement_id=published["drafting"].id,
        version=2,
        password=PASSWORD,
        settings=Settings(var_dir=tmp_path),
    )
    assert service.missing_signatures(db, published["drafting"]) == frozenset()
    assert audit(db, verifier=signer.verifier()) == []  # every statement row matches its record
