"""Appends land with the change or not at all; checkpoints are rate-limited; the audit finds tampering."""

import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, select, text, update

from fusioncell.access import service as access
from fusioncell.access.models import AccountEvent, User
from fusioncell.db.types import utcnow
from fusioncell.ledger import merkle
from fusioncell.ledger.audit import audit
from fusioncell.ledger.models import Checkpoint, LedgerEntry, LedgerNode
from fusioncell.ledger.note import Signer, Verifier, open_note, parse_checkpoint
from fusioncell.ledger.service import checkpoint_if_due, consistency_proof, latest_checkpoint, root_at, tree_size
from tests.support import PASSWORD


def verifier_of(signer) -> Verifier:
    return Verifier.from_vkey(signer.verifier_key())


def add_user(db, cell, username="probe.user"):
    return access.add_user(
        db,
        cell=cell,
        username=username,
        display_name="Probe",
        party="ISR",
        roles=["liaison"],
        password=PASSWORD,
        actor="test",
    )


def test_a_change_and_its_entry_commit_or_roll_back_together(db, cell):
    before = tree_size(db)
    savepoint = db.begin_nested()
    add_user(db, cell)
    assert tree_size(db) == before + 2  # the user and the account event
    savepoint.rollback()
    assert tree_size(db) == before
    assert db.execute(select(User).where(User.username == "probe.user")).first() is None
    assert db.execute(select(LedgerEntry).where(LedgerEntry.index >= before)).first() is None
    assert db.execute(select(LedgerNode).where(LedgerNode.level == 0, LedgerNode.position >= before)).first() is None


def test_every_write_carries_its_ledger_index(db, cell):
    user = add_user(db, cell)
    entry = db.get(LedgerEntry, user.ledger_index)
    assert (entry.kind, entry.record_id, entry.record_version) == ("user", str(user.id), 1)


def test_root_matches_a_rebuild_from_the_leaves(db):
    size = tree_size(db)
    leaves = db.execute(select(LedgerEntry.leaf).order_by(LedgerEntry.index)).scalars().all()
    assert merkle.root_from_leaf_hashes([merkle.leaf_hash(leaf) for leaf in leaves]) == root_at(db, size)


def test_checkpoints_at_most_once_per_interval_and_only_when_the_tree_grew(db, cell, signer):
    origin, second = cell.log_origin, timedelta(seconds=1)
    start = utcnow()
    first = checkpoint_if_due(db, signer=signer, origin=origin, interval=second, now=start)
    assert first is not None and first.size == tree_size(db)
    assert checkpoint_if_due(db, signer=signer, origin=origin, interval=second, now=start + second) is None  # idle
    add_user(db, cell)
    assert checkpoint_if_due(db, signer=signer, origin=origin, interval=second, now=start + second / 2) is None
    later = checkpoint_if_due(db, signer=signer, origin=origin, interval=second, now=start + second)
    assert later is not None and later.size == first.size + 2
    parsed = parse_checkpoint(open_note(later.note, [verifier_of(signer)]).text)
    assert (parsed.origin, parsed.size, parsed.root) == (origin, later.size, root_at(db, later.size))
    proof = consistency_proof(db, first=first.size, second=later.size)
    merkle.verify_consistency(first.size, later.size, proof, first.root, later.root)
    assert latest_checkpoint(db).size == later.size


def test_audit_is_clean_on_an_untouched_database(db, signer):
    assert audit(db, verifier=verifier_of(signer)) == []


def _findings(db, signer) -> str:
    return "\n".join(str(f) for f in audit(db, verifier=verifier_of(signer)))


def test_audit_reports_a_row_changed_behind_the_application(db, cell, signer):
    user = add_user(db, cell)
    db.execute(update(User).where(User.id == user.id).values(roles=["liaison", "admin"]))
    assert "changed outside" in _findings(db, signer)


def test_audit_reports_a_swapped_password_hash(db, cell, signer):
    user = add_user(db, cell)
    db.execute(update(User).where(User.id == user.id).values(password_hash="$argon2id$forged"))
    assert f"users/{user.id}" in _findings(db, signer)


def test_audit_reports_a_row_inserted_outside(db, signer):
    db.execute(
        insert(AccountEvent).values(
            id=uuid.uuid4(),
            action="login",
            username="ghost",
            origin_party="ISR",
            created_by="x",
            created_at=utcnow(),
            version=1,
            marking="TLP:AMBER",
            status="released",
            releasable_to=frozenset(),
        )
    )
    assert "not in the record" in _findings(db, signer)


def test_audit_reports_a_row_removed_outside(db, cell, signer):
    user = add_user(db, cell)
    db.execute(delete(AccountEvent).where(AccountEvent.user_id == user.id))
    assert "row is gone" in _findings(db, signer)


def test_audit_reports_a_rewritten_entry_and_node(db, signer):
    db.execute(update(LedgerEntry).where(LedgerEntry.index == 1).values(body=text("body || ' '")))
    db.execute(update(LedgerNode).where(LedgerNode.level == 1, LedgerNode.position == 0).values(hash=b"\0" * 32))
    findings = _findings(db, signer)
    assert "ledger entry 1: leaf does not hash" in findings
    assert "ledger node (1, 0)" in findings


def test_audit_reports_a_forged_checkpoint(db, cell, signer):
    checkpoint_if_due(db, signer=signer, origin=cell.log_origin, interval=timedelta(0))
    forged = Signer.generate(cell.log_origin)
    latest = latest_checkpoint(db)
    db.execute(update(Checkpoint).where(Checkpoint.size == latest.size).values(note=forged.sign_note("x\n1\nAA==\n")))
    assert f"checkpoint {latest.size}: signature does not verify" in _findings(db, signer)


def test_audit_reports_a_size_row_out_of_step(db, signer):
    db.execute(text("UPDATE ledger_state SET size = size + 1"))
    assert "the size row says" in _findings(db, signer)
