"""Rotating the cell's signing key: the rotation is in the record, its handover checkpoint is signed by both
keys, and whoever trusts the old key reaches the new one by proof (verify, monitor, audit, receipts)."""

import copy
import stat
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from fusioncell.errors import Conflict, Invalid
from fusioncell.ledger import key_chain
from fusioncell.ledger.audit import audit
from fusioncell.ledger.key_chain import KeyChainError
from fusioncell.ledger.keys import (
    LedgerKeyError,
    create_key,
    load_key_in_force,
    next_key_path,
    prepare_next_key,
    retired_key_path,
)
from fusioncell.ledger.models import Checkpoint, SigningKeyChange
from fusioncell.ledger.monitor import Alarm, MonitorState, Policy, poll
from fusioncell.ledger.note import NoteError, Signer, Verifier, open_note, parse_checkpoint, sign_note_by
from fusioncell.ledger.receipts import ReceiptError, verify_receipt
from fusioncell.ledger.rotation import rotate_key, vkey_in_force, vkeys_for_checkpoint
from fusioncell.ledger.service import tree_size
from fusioncell.ledger.verify import VerificationFailed, verify_log
from fusioncell.ledger.witnessing import push_latest
from tests.ledger.witness_support import add_entries, client_with_witness_routes, sign, two_witnesses, witnessed
from tests.support import bearer


def rotate(db, runtime, new: Signer | None = None, reason: str = "scheduled yearly rotation"):
    new = new or Signer.generate(runtime.cell.log_origin)
    change, checkpoint = rotate_key(db, cell=runtime.cell, old=runtime.signer, new=new, reason=reason, actor="operator")
    db.commit()
    return replace(runtime, signer=new), change, checkpoint


def findings(db, verifier_key: str) -> list[str]:
    db.expire_all()
    return [str(f) for f in audit(db, verifier=Verifier.from_vkey(verifier_key))]


def test_the_rotation_is_an_entry_and_its_checkpoint_is_signed_by_both_keys(db, runtime):
    add_entries(db, 3)
    sign(db, runtime)
    old = runtime.signer
    rotated, change, checkpoint = rotate(db, runtime)
    assert (change.previous_vkey, change.vkey) == (old.verifier_key(), rotated.signer.verifier_key())
    assert checkpoint.size == change.ledger_index + 1 == tree_size(db)
    for key in (old, rotated.signer):
        assert parse_checkpoint(open_note(checkpoint.note, [key.verifier()]).text).size == checkpoint.size
    assert vkey_in_force(db) == rotated.signer.verifier_key()
    # Every party reads the rotation: it is released to all of them.
    assert change.releasable_to == runtime.cell.party_codes
    # From now on the new key alone signs.
    add_entries(db, 2)
    later = sign(db, rotated)
    open_note(later.note, [rotated.signer.verifier()])
    with pytest.raises(NoteError):
        open_note(later.note, [old.verifier()])
    assert findings(db, rotated.signer.verifier_key()) == []


def test_the_audit_knows_which_key_signs_each_size(db, runtime):
    add_entries(db, 2)
    before = sign(db, runtime)
    rotated, change, handover = rotate(db, runtime)
    changes = [change]
    old, new = runtime.signer.verifier_key(), rotated.signer.verifier_key()
    assert vkeys_for_checkpoint(before.size, changes, new) == [old]
    assert vkeys_for_checkpoint(handover.size, changes, new) == [old, new]
    assert vkeys_for_checkpoint(handover.size + 5, changes, new) == [new]
    # The old key signing after the handover (a retired or stolen key) is a finding, as is the wrong key file.
    add_entries(db, 2)
    db.add(
        Checkpoint(
            size=tree_size(db),
            root=handover.root,
            note=runtime.signer.sign_note(f"{runtime.cell.log_origin}\n{tree_size(db)}\n{'A' * 43}=\n"),
        )
    )
    db.commit()
    found = findings(db, new)
    assert any(f.startswith(f"checkpoint {tree_size(db)}: signature does not verify") for f in found), found
    assert "ledger key: the key on disk is not the key the record says is in force" in findings(db, old)


def test_a_bad_rotation_is_refused_and_writes_nothing(db, runtime):
    size = tree_size(db)
    with pytest.raises(Invalid):
        rotate_key(db, cell=runtime.cell, old=runtime.signer, new=Signer.generate("x"), reason="why", actor="op")
    db.rollback()
    with pytest.raises(Invalid):
        rotate_key(db, cell=runtime.cell, old=runtime.signer, new=runtime.signer, reason="why", actor="op")
    db.rollback()
    with pytest.raises(Invalid):
        rotate(db, runtime, reason="   ")
    db.rollback()
    assert tree_size(db) == size and db.scalar(select(func.count()).select_from(SigningKeyChange)) == 0
    # A rotation must start from the key in force: rotating twice from the same old key is a conflict.
    rotate(db, runtime)
    with pytest.raises(Conflict):
        rotate(db, runtime)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(SigningKeyChange)) == 1


def test_a_verifier_that_trusts_the_first_key_follows_two_rotations_by_proof(db, runtime, population):
    add_entries(db, 4)
    sign(db, runtime)
    first = runtime.signer.verifier_key()
    second, _, _ = rotate(db, runtime)
    add_entries(db, 3)
    sign(db, second)
    third, _, _ = rotate(db, second, reason="the second key's custodian left")
    add_entries(db, 2)
    sign(db, third)
    with client_with_witness_routes(third) as client:
        client.headers.update(bearer(population.member("SYR")))
        history = client.get("/api/v1/ledger/keys").json()
        assert history["vkey"] == third.signer.verifier_key() == client.get("/api/v1/ledger/key").text.strip()
        reasons = [r["reason"] for r in history["rotations"]]
        assert reasons == ["scheduled yearly rotation", "the second key's custodian left"]
        report = verify_log(client, first, proofs=50)
        assert (report.vkey, report.rotations) == (third.signer.verifier_key(), 2)
        # Trusting the middle key works too; trusting a key the log never had does not.
        assert verify_log(client, second.signer.verifier_key(), proofs=5).rotations == 1
        with pytest.raises(VerificationFailed, match="not in this log's key history"):
            verify_log(client, Signer.generate(runtime.cell.log_origin).verifier_key(), proofs=5)


def entry_fetcher(client):
    return lambda index: client.get(f"/api/v1/ledger/entries/{index}").json()


def test_a_forged_handover_is_refused(db, runtime, population):
    add_entries(db, 2)
    sign(db, runtime)
    rotated, change, handover = rotate(db, runtime)
    old = runtime.signer.verifier_key()
    with client_with_witness_routes(rotated) as client:
        client.headers.update(bearer(population.member("JOR")))
        [honest] = client.get("/api/v1/ledger/keys").json()["rotations"]
        assert key_chain.follow(old, [honest], entry_fetcher(client))[0] == rotated.signer.verifier_key()

        def forged(**changes):
            rotation = copy.deepcopy(honest)
            rotation.update(changes)
            return rotation

        intruder = Signer.generate(runtime.cell.log_origin)
        text = handover.note[: handover.note.index("\n\n") + 1]
        cases = {
            # the handover signed by the new key alone
            "not signed by both keys": forged(handover=rotated.signer.sign_note(text)),
            # a key the old key never handed over to, with a note signed by the old key and the intruder
            "content names other keys": forged(
                vkey=intruder.verifier_key(), handover=sign_note_by(text, [runtime.signer, intruder])
            ),
            # the same keys, another reason than the one the entry committed to
            "does not commit to this rotation": forged(content={**honest["content"], "reason": "nothing to see"}),
        }
        for expected, rotation in cases.items():
            with pytest.raises(KeyChainError, match=expected):
                key_chain.follow(old, [rotation], entry_fetcher(client))


def test_the_monitor_follows_a_rotation_and_alarms_on_a_key_without_a_handover(db, runtime, population):
    add_entries(db, 3)
    sign(db, runtime)
    policy = Policy(runtime.signer.verifier_key())
    state = MonitorState()
    with client_with_witness_routes(runtime) as client:
        client.headers.update(bearer(population.member("SYR")))
        poll(client, state, policy)
    rotated, _, _ = rotate(db, runtime)
    add_entries(db, 2)
    sign(db, rotated)
    with client_with_witness_routes(rotated) as client:
        client.headers.update(bearer(population.member("SYR")))
        checkpoint = poll(client, state, policy)
        assert policy.log_vkey == rotated.signer.verifier_key() and state.size == checkpoint.size
    # A checkpoint by a key no handover names: the monitor that trusts the rotated key raises the alarm.
    stranger = replace(rotated, signer=Signer.generate(runtime.cell.log_origin))
    add_entries(db, 1)
    sign(db, stranger)
    with client_with_witness_routes(stranger) as client:
        client.headers.update(bearer(population.member("SYR")))
        with pytest.raises(Alarm) as alarm:
            poll(client, state, policy)
    assert alarm.value.kind == "bad-signature"


def test_receipts_verify_with_the_keys_before_and_after_a_rotation(db, runtime, population):
    [index] = add_entries(db, 1)
    sign(db, runtime)
    rotated, _, _ = rotate(db, runtime)
    add_entries(db, 1)
    sign(db, rotated)
    with client_with_witness_routes(rotated) as client:
        client.headers.update(bearer(population.member("ISR")))
        receipt = client.get("/api/v1/ledger/receipt", params={"index": index}).text
    old, new = runtime.signer.verifier_key(), rotated.signer.verifier_key()
    assert verify_receipt(receipt, log_vkey=[old, new]).receipt.index == index
    with pytest.raises(ReceiptError):
        verify_receipt(receipt, log_vkey=old)


def test_the_key_files_survive_an_interrupted_rotation(tmp_path, runtime):
    path = tmp_path / "ledger.key"
    old = create_key(path, runtime.cell.log_origin)
    new = prepare_next_key(path, old.name)
    # Before the record took the new key up, the old key stays in force.
    assert load_key_in_force(path, None).verifier_key() == old.verifier_key()
    assert load_key_in_force(path, old.verifier_key()).verifier_key() == old.verifier_key()
    # The record committed, the process died before the swap: the next load finishes it.
    assert load_key_in_force(path, new.verifier_key()).verifier_key() == new.verifier_key()
    assert not next_key_path(path).exists()
    retired = retired_key_path(path, old)
    assert retired.read_text().strip() == old.signer_key()
    assert stat.S_IMODE(retired.stat().st_mode) == stat.S_IMODE(path.stat().st_mode) == 0o600
    # A key the record names but nobody has on disk is an error, never a silent signature by another key.
    with pytest.raises(LedgerKeyError, match="not the one the record says"):
        load_key_in_force(path, Signer.generate(old.name).verifier_key())


def test_a_running_process_signs_with_the_new_key_once_the_record_names_it(db, runtime, tmp_path):
    path = runtime.settings.resolved_key_path()
    path.write_text(runtime.signer.signer_key() + "\n")
    path.chmod(0o600)
    new = prepare_next_key(path, runtime.signer.name)
    rotate(db, runtime, new=new)
    # This process still holds the old key in memory; before signing it loads the key in force.
    assert runtime.signer_in_force(db).verifier_key() == new.verifier_key()
    assert runtime.vkey_in_force(db) == new.verifier_key()


def test_the_record_page_shows_the_key_in_force_and_its_rotations(db, runtime):
    before = client_page(runtime)
    assert "it has not been rotated" in before
    rotated, change, _ = rotate(db, runtime, reason="custodian <b>change</b>")
    html = client_page(rotated)
    assert rotated.signer.verifier_key() in html and "it has not been rotated" not in html
    assert "custodian &lt;b&gt;change&lt;/b&gt;" in html  # the operator's reason, escaped
    assert f'href="#entry-{change.ledger_index}"' in html


def client_page(runtime) -> str:
    from tests.web.test_pages import browser_login

    with client_with_witness_routes(runtime) as client:
        browser_login(client, "syr.liaison")
        response = client.get("/ledger")
        assert response.status_code == 200
        return response.text


def test_witnesses_cosign_the_handover_and_the_new_key_once_their_operators_add_it(db, runtime, tmp_path):
    with two_witnesses(tmp_path, runtime.signer.verifier_key()) as live:
        cell_runtime = witnessed(runtime, [w.config() for w in live], required_parties=("ISR", "SYR"))
        settings = cell_runtime.cell.witnesses
        add_entries(db, 3)
        sign(db, cell_runtime)
        assert [o.result.status for o in push_latest(cell_runtime.database, settings)] == [200, 200]
        rotated, _, handover = rotate(db, cell_runtime)
        # The handover carries the old key's signature: witnesses that know only the old key cosign it.
        assert [o.result.status for o in push_latest(rotated.database, settings)] == [200, 200]
        add_entries(db, 2)
        later = sign(db, rotated)
        refused = push_latest(rotated.database, settings)
        assert [o.result.status for o in refused] == [403, 403] and later.size > handover.size
        for witness in live:  # each operator adds the new key beside the old and restarts
            witness.stop()
            witness.later_log_vkeys = (rotated.signer.verifier_key(),)
            witness.start()
        settings = witnessed(rotated, [w.config() for w in live], required_parties=("ISR", "SYR")).cell.witnesses
        add_entries(db, 1)  # the next checkpoint (a refused one is asked again only after a rest)
        sign(db, rotated)
        assert [o.result.status for o in push_latest(rotated.database, settings)] == [200, 200]
