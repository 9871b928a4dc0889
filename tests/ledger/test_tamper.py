"""Tamper detection end to end (docs/record.md): each way a mediator could change the record behind the
application's back is reported by someone: the audit, a verifier, a monitor, or the witnesses."""

import pytest
from sqlalchemy import text

from fusioncell.ledger.audit import audit
from fusioncell.ledger.models import Checkpoint
from fusioncell.ledger.monitor import Alarm, MonitorState, Policy, poll
from fusioncell.ledger.note import Verifier
from fusioncell.ledger.service import root_at
from fusioncell.ledger.verify import VerificationFailed, verify_log
from fusioncell.ledger.witnessing import push_latest
from tests.ledger.witness_support import (
    add_entries,
    client_with_witness_routes,
    fork_tree,
    sign,
    two_witnesses,
    witnessed,
)
from tests.support import bearer


def findings(db, runtime) -> list[str]:
    db.expire_all()
    return [str(f) for f in audit(db, verifier=Verifier.from_vkey(runtime.signer.verifier_key()))]


@pytest.fixture
def clean(db, runtime):
    sign(db, runtime)
    assert findings(db, runtime) == []
    return runtime


def test_a_changed_column_of_a_stored_record_is_reported_by_the_audit(db, clean, population):
    user_id = population.member("SYR", "liaison").user_id
    db.execute(text("UPDATE users SET display_name = 'someone else' WHERE id = :id"), {"id": user_id.hex})
    assert findings(db, clean) == [f"users/{user_id}: row content differs from what the record holds (changed outside)"]


def test_a_deleted_record_is_reported_by_the_audit(db, clean, population):
    token_id = db.execute(text("SELECT id FROM api_tokens LIMIT 1")).scalar_one()
    db.execute(text("DELETE FROM api_tokens WHERE id = :id"), {"id": token_id})
    [finding] = findings(db, clean)
    assert finding.startswith("api-token/") and finding.endswith("recorded, but its row is gone (removed outside)")


def test_a_rewritten_leaf_is_reported_by_verify_audit_and_monitor(db, clean, population):
    headers = bearer(population.member("SYR"))
    with client_with_witness_routes(clean) as client:
        client.headers.update(headers)
        state = MonitorState()
        poll(client, state, Policy(clean.signer.verifier_key()))
        db.execute(text("UPDATE ledger_entries SET leaf = :leaf WHERE " + '"index"' + " = 3"), {"leaf": bytes(32)})
        db.commit()
        with pytest.raises(VerificationFailed, match="rewritten"):
            verify_log(client, clean.signer.verifier_key(), proofs=10)
        with pytest.raises(Alarm) as alarm:
            poll(client, state, Policy(clean.signer.verifier_key()), recheck=True)
        assert alarm.value.kind == "rewritten"
    assert "ledger entry 3: leaf does not hash from its salt and body" in findings(db, clean)


def test_two_checkpoints_for_one_size_are_refused_by_the_witnesses_and_alarm_the_monitor(
    db, runtime, population, tmp_path
):
    with two_witnesses(tmp_path, runtime.signer.verifier_key()) as live:
        cell_runtime = witnessed(runtime, [w.config() for w in live])
        settings = cell_runtime.cell.witnesses
        add_entries(db, 4)
        honest = sign(db, cell_runtime)
        assert [o.result.status for o in push_latest(cell_runtime.database, settings)] == [200, 200]
        with client_with_witness_routes(cell_runtime) as client:
            client.headers.update(bearer(population.member("ISR")))
            state = MonitorState()
            poll(client, state, Policy(cell_runtime.signer.verifier_key()))
            # The mediator rewrites the tree and signs a second checkpoint of the same size.
            size = honest.size
            fork_tree(db, 1)
            db.execute(text("DELETE FROM ledger_cosignatures"))
            db.delete(db.get(Checkpoint, size))
            db.commit()
            second = sign(db, cell_runtime)
            assert second.size == size and second.root == root_at(db, size) != honest.root
            outcomes = push_latest(cell_runtime.database, settings)
            assert [o.result.status for o in outcomes] == [409, 409]  # same size, another root: refused
            assert all(o.line is None and "another root" in o.result.reason for o in outcomes)
            with pytest.raises(Alarm) as alarm:
                poll(client, state, Policy(cell_runtime.signer.verifier_key()))
            assert alarm.value.kind == "split-view"
    assert any(f.startswith("ledger entry 1:") for f in findings(db, cell_runtime))
