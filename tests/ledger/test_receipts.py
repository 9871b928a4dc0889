"""Receipts: C2SP tlog-proofs that verify offline with nothing but verifier keys, fail after any
single-byte change, and carry a record's body only to those who may read it."""

import json

import pytest
import typer
from typer.testing import CliRunner

from fusioncell.ledger.receipt_cli import check_receipt
from fusioncell.ledger.receipts import ReceiptError, build_receipt, parse_receipt, verify_receipt
from fusioncell.ledger.service import readable_entry
from fusioncell.ledger.witnessing import push_latest
from fusioncell.witness.client import AddResult
from fusioncell.witness.cosignature import CosignatureSigner
from tests.ledger.witness_support import add_entries, client_with_witness_routes, sign, witnessed
from tests.support import bearer

SIGNERS = [CosignatureSigner.generate("witness.isr.example"), CosignatureSigner.generate("witness.syr.example")]


def in_process_witness(url, *, old_size, proof, note, timeout):
    """Both witnesses in one: cosign whatever comes (the live witnesses are in test_witnessing)."""
    body = note[: note.rfind("\n\n") + 1]
    signer = next(s for s in SIGNERS if s.name in url)
    return AddResult("cosigned", 200, lines=(signer.cosign(body, 1_790_000_000),))


@pytest.fixture
def cosigned(db, runtime):
    configs = [
        {"name": s.name, "party": party, "url": f"http://{s.name}", "vkey": s.vkey()}
        for s, party in zip(SIGNERS, ("ISR", "SYR"), strict=True)
    ]
    from fusioncell.cell.witnesses import Witness

    cell_runtime = witnessed(runtime, [Witness(**c) for c in configs])
    indices = add_entries(db, 5, party="ISR", releasable_to={"ISR", "USA"})
    sign(db, cell_runtime)
    assert all(o.line for o in push_latest(cell_runtime.database, cell_runtime.cell.witnesses, send=in_process_witness))
    return cell_runtime, indices


def keys(runtime):
    return {"log_vkey": runtime.signer.verifier_key(), "witness_vkeys": [s.vkey() for s in SIGNERS], "quorum": 2}


def test_a_receipt_verifies_offline_and_fails_after_any_single_byte_change(db, cosigned):
    runtime, indices = cosigned
    entry = readable_entry(db, subject=_isr_subject(db), index=indices[2])
    text = build_receipt(db, runtime.cell.witnesses, index=indices[2], entry=entry)
    verified = verify_receipt(text, **keys(runtime))
    assert verified.receipt.body == entry.body and set(verified.cosigned_by) == {s.name for s in SIGNERS}
    raw = text.encode()
    survivors = []
    for position in range(len(raw)):
        for flip in (0x01, 0x20):  # the lowest bit, and one that turns letters' case and digits to punctuation
            changed = bytearray(raw)
            changed[position] ^= flip
            try:
                verify_receipt(changed.decode("utf-8"), **keys(runtime))
            except (ReceiptError, UnicodeDecodeError):
                continue
            survivors.append((position, flip))
    assert survivors == []


def test_check_receipt_command(tmp_path, db, cosigned):
    runtime, indices = cosigned
    text = build_receipt(db, runtime.cell.witnesses, index=indices[0])  # no reader: the blinded leaf only
    assert parse_receipt(text).body is None
    path = tmp_path / "entry.tlog-proof"
    path.write_text(text)
    app = typer.Typer()
    app.command()(check_receipt)
    args = [str(path), "--vkey", runtime.signer.verifier_key()]
    for signer in SIGNERS:
        args += ["--witness-vkey", signer.vkey()]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert CliRunner().invoke(app, [*args, "--quorum", "3"]).exit_code == 2  # more than it carries
    path.write_text(text.replace("index ", "index 1", 1))
    assert CliRunner().invoke(app, args).exit_code == 2


def test_record_receipts_answer_404_as_for_a_missing_record_to_who_may_not_read(db, cosigned, population):
    runtime, _ = cosigned
    from fusioncell.access.models import User

    isr_admin = population.member("ISR", "admin")
    user = db.get(User, population.member("ISR", "liaison").user_id)
    with client_with_witness_routes(runtime) as client:
        path = f"/api/v1/records/user/{user.id}/receipt"
        mine = client.get(path, headers=bearer(isr_admin))
        assert mine.status_code == 200, mine.text
        body = verify_receipt(mine.text, **keys(runtime)).receipt.body
        assert json.loads(body)["id"] == str(user.id)
        assert mine.headers["content-disposition"].endswith('.tlog-proof"')
        missing = client.get(f"/api/v1/records/user/{_other_id(user.id)}/receipt", headers=bearer(isr_admin))
        hidden = client.get(path, headers=bearer(population.member("SYR", "admin")))
        assert missing.status_code == hidden.status_code == 404
        assert missing.json() == hidden.json()
        assert client.get("/api/v1/records/no-such-kind/x/receipt", headers=bearer(isr_admin)).json() == missing.json()
        # The index receipt is public to members, but the body only to readers of the entry.
        index = user.ledger_index
        as_syr = client.get(f"/api/v1/ledger/receipt?index={index}", headers=bearer(population.member("SYR")))
        assert as_syr.status_code == 200 and verify_receipt(as_syr.text, **keys(runtime)).receipt.body is None
        assert client.get("/api/v1/ledger/receipt?index=99999999", headers=bearer(isr_admin)).status_code == 404
        assert client.get(f"/api/v1/ledger/receipt?index={index}").status_code == 401
        assert client.get(path).status_code == 401


def _other_id(value):
    import uuid

    return uuid.UUID(int=value.int ^ 1)


def _isr_subject(db):
    from fusioncell.access.subjects import Subject

    return Subject(user_id=None, username="t", display_name="t", party="ISR", party_role="principal", roles=frozenset())
