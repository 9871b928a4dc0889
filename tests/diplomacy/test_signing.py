"""What a party signs (the canonical text), its keys (files and sealed in the cell), the paragraph diff, and
the offline check of a published bundle against every kind of tampering."""

import base64
import copy
import uuid
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.access.subjects import Subject
from fusioncell.config import Settings
from fusioncell.diplomacy import keys, service, signing
from fusioncell.diplomacy.diff import paragraph_diff
from fusioncell.diplomacy.publication import export_bundle, verify_bundle
from fusioncell.ledger.note import Signer
from fusioncell.ledger.service import checkpoint_if_due
from tests.support import PASSWORD

STATEMENT_ID = uuid.UUID("01a2179d-0000-7000-8000-000000000001")


def test_the_canonical_text_is_rfc_8785_json_of_id_version_and_nfc_texts():
    composed, decomposed = {"en": "Caf\u00e9"}, {"en": "Cafe\u0301"}
    canonical = signing.canonical_text(composed, statement_id=STATEMENT_ID, version=2)
    assert canonical == f'{{"statement_id":"{STATEMENT_ID}","texts":{{"en":"Café"}},"version":2}}'.encode()
    assert signing.canonical_text(decomposed, statement_id=STATEMENT_ID, version=2) == canonical
    texts = {"he": "שלום", "ar": "سلام", "en": "Peace"}
    assert signing.canonical_text(texts, statement_id=STATEMENT_ID, version=1) == signing.canonical_text(
        dict(reversed(texts.items())), statement_id=STATEMENT_ID, version=1
    )


def test_a_signature_cannot_be_replayed_onto_another_version_or_statement():
    private_key = signing.new_private_key()
    public_key = signing.public_key_of(private_key)
    texts = {"en": "The same words."}
    signed = signing.sign(private_key, signing.digest(texts, statement_id=STATEMENT_ID, version=1))
    assert signing.verify(public_key, signed, signing.digest(texts, statement_id=STATEMENT_ID, version=1))
    assert not signing.verify(public_key, signed, signing.digest(texts, statement_id=STATEMENT_ID, version=2))
    other = uuid.UUID("01a2179d-0000-7000-8000-000000000002")
    assert not signing.verify(public_key, signed, signing.digest(texts, statement_id=other, version=1))
    assert len(signing.key_id_of(public_key)) == 16


def test_key_files_are_owner_only_pem_and_never_overwritten(tmp_path):
    path = tmp_path / "isr.key"
    private_key = signing.new_private_key()
    signing.write_key_file(path, private_key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert signing.read_key_file(path) == private_key
    with pytest.raises(FileExistsError):
        signing.write_key_file(path, signing.new_private_key())
    path.chmod(0o644)
    with pytest.raises(signing.KeyFileError, match="readable by others"):
        signing.read_key_file(path)
    with pytest.raises(signing.KeyFileError, match="no key file"):
        signing.read_key_file(tmp_path / "missing.key")


def test_stored_keys_are_sealed_to_their_party_and_key_id(tmp_path):
    settings = Settings(var_dir=tmp_path)
    kek = signing.key_encryption_key(settings)
    assert signing.key_encryption_key(settings) == kek
    assert signing.kek_path(settings).stat().st_mode & 0o777 == 0o600
    private_key = signing.new_private_key()
    sealed = signing.seal(kek, private_key, party="SYR", key_id="00ff")
    assert private_key not in base64.b64decode(sealed)
    assert signing.unseal(kek, sealed, party="SYR", key_id="00ff") == private_key
    with pytest.raises(InvalidTag):
        signing.unseal(kek, sealed, party="ISR", key_id="00ff")


@pytest.mark.parametrize(
    ("old", "new", "ops"),
    [
        ("A\n\nB", "A\n\nB", ["equal", "equal"]),
        ("A\n\nB", "A\n\nC", ["equal", "changed"]),
        ("A", "A\n\nB", ["equal", "added"]),
        ("A\n\nB", "B", ["removed", "equal"]),
        ("", "A", ["added"]),
    ],
)
def test_the_paragraph_diff(old, new, ops):
    assert [row[0] for row in paragraph_diff(old, new)] == ops


def _subject(db, cell, username: str) -> Subject:
    return subject_for(user_by_name(db, username), cell)


@pytest.fixture
def bundle(db, cell, signer, tmp_path) -> dict:
    """A statement published through the service: ISR signs with its key, SYR with the key stored in the cell."""
    settings = Settings(var_dir=tmp_path)
    usa, isr, syr = (_subject(db, cell, name) for name in ("usa.liaison", "isr.liaison", "syr.liaison"))
    isr_admin, syr_admin = _subject(db, cell, "isr.admin"), _subject(db, cell, "syr.admin")
    texts = {"en": "First paragraph.\n\nSecond paragraph.", "he": "פסקה ראשונה."}
    statement = service.draft_statement(
        db, cell=cell, subject=usa, title="T", required_parties=frozenset({"ISR", "SYR"}), texts=texts
    )
    isr_key = signing.new_private_key()
    keys.register_party_key(db, cell=cell, subject=isr_admin, public_key=signing.public_key_of(isr_key))
    syr_key = signing.new_private_key()
    keys.register_party_key(
        db,
        cell=cell,
        subject=syr_admin,
        public_key=signing.public_key_of(syr_key),
        private_key=syr_key,
        settings=settings,
    )
    digest = signing.digest(texts, statement_id=statement.id, version=1)
    service.sign_statement(
        db,
        cell=cell,
        subject=isr,
        statement_id=statement.id,
        version=1,
        signature=signing.sign(isr_key, digest),
        key_id=signing.key_id_of(signing.public_key_of(isr_key)),
    )
    service.sign_with_stored_key(
        db, cell=cell, subject=syr, statement_id=statement.id, version=1, password=PASSWORD, settings=settings
    )
    service.publish_statement(db, cell=cell, subject=usa, statement_id=statement.id)
    checkpoint_if_due(db, signer=signer, origin=cell.log_origin, interval=timedelta(0))
    return export_bundle(db, cell=cell, signer_verifier_key=signer.verifier_key(), statement=statement)


def _flip(text: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[at] ^= 1
    return base64.b64encode(bytes(raw)).decode()


TAMPERING = {
    "one character of the text": (
        lambda b: b["texts"].__setitem__("en", b["texts"]["en"].replace("First", "FirsT")),
        "text:",
    ),
    "a language added": (lambda b: b["texts"].__setitem__("ar", "فقرة"), "text:"),
    "one signature": (
        lambda b: b["signatures"][1].__setitem__("signature", _flip(b["signatures"][1]["signature"], 5)),
        "signature of",
    ),
    "a signature dropped": (lambda b: b["signatures"].pop(), "missing (required)"),
    "a signer's key swapped": (
        lambda b: b["signatures"][0].__setitem__("public_key", b["signatures"][1]["public_key"]),
        "signature of",
    ),
    "the inclusion proof": (
        lambda b: b["ledger"]["inclusion_proof"].__setitem__(0, _flip(b["ledger"]["inclusion_proof"][0])),
        "proof:",
    ),
    "the entry's salt": (lambda b: b["ledger"].__setitem__("salt", _flip(b["ledger"]["salt"])), "proof:"),
    "the recorded version": (lambda b: b["ledger"]["record"].__setitem__("note", "edited"), "record:"),
    "the checkpoint": (
        lambda b: b["ledger"].__setitem__("checkpoint", b["ledger"]["checkpoint"].replace("\n", "\n\n", 1)),
        "checkpoint:",
    ),
    "the entry index": (lambda b: b["ledger"].__setitem__("index", b["ledger"]["index"] + 1), "record:"),
}


def test_an_untouched_bundle_verifies(bundle, signer):
    assert verify_bundle(bundle, cell_vkey=signer.verifier_key()) == []
    assert verify_bundle(bundle) == []  # against the key the bundle names


@pytest.mark.parametrize("change", sorted(TAMPERING))
def test_any_change_to_a_bundle_is_named(bundle, signer, change):
    tamper, named = TAMPERING[change]
    changed = copy.deepcopy(bundle)
    tamper(changed)
    problems = verify_bundle(changed, cell_vkey=signer.verifier_key())
    assert problems, f"{change} went unnoticed"
    assert any(named in problem for problem in problems), problems


def test_a_bundle_under_another_cell_key_is_refused(bundle, cell):
    impostor = Signer.generate(cell.log_origin).verifier_key()
    problems = verify_bundle(bundle, cell_vkey=impostor)
    assert any(p.startswith("checkpoint:") for p in problems)


def test_a_malformed_bundle_is_a_problem_not_a_crash():
    assert verify_bundle({"format": "x"})
    assert verify_bundle({})
