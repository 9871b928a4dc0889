"""The cell pushes checkpoints to two real witness processes (ISR's and SYR's) and serves their
cosignatures; a forked log is refused by both with 422; a witness behind the cell answers 409 and the
cell recovers from the size it names."""

import shutil

import pytest

from fusioncell.ledger.monitor import Alarm, MonitorState, Policy, poll
from fusioncell.ledger.note import Verifier, open_note, parse_checkpoint
from fusioncell.ledger.receipts import ReceiptError, build_receipt, verify_receipt
from fusioncell.ledger.witnessing import push_latest
from fusioncell.witness.client import add_checkpoint
from fusioncell.witness.cosignature import CosignatureVerifier, cosignatures_in
from tests.ledger.witness_support import (
    add_entries,
    client_with_witness_routes,
    fork_tree,
    sign,
    two_witnesses,
    witnessed,
)
from tests.support import bearer


@pytest.fixture
def witnesses(tmp_path, signer):
    with two_witnesses(tmp_path, signer.verifier_key()) as live:
        yield live


@pytest.fixture
def cell_runtime(runtime, witnesses):
    return witnessed(runtime, [w.config() for w in witnesses], required_parties=("ISR", "SYR"))


def recording(calls):
    """add_checkpoint, noting each status a witness answered."""

    def send(url, **kwargs):
        result = add_checkpoint(url, **kwargs)
        calls.append((url, kwargs["old_size"], result.status))
        return result

    return send


def test_normal_operation_yields_checkpoints_cosigned_by_both(db, cell_runtime, witnesses, population):
    settings = cell_runtime.cell.witnesses
    verifiers = [CosignatureVerifier.from_vkey(w.vkey) for w in witnesses]
    headers = bearer(population.member("SYR", "liaison"))
    with client_with_witness_routes(cell_runtime) as client:
        for round_ in range(3):
            add_entries(db, 2 + round_)
            checkpoint = sign(db, cell_runtime)
            outcomes = push_latest(cell_runtime.database, settings)
            assert [o.result.status for o in outcomes] == [200, 200]
            served = client.get("/api/v1/ledger/checkpoint", headers=headers).text
            # Still a note that a verifier knowing only the log key accepts, now with both cosignatures.
            note = open_note(served, [Verifier.from_vkey(cell_runtime.signer.verifier_key())])
            assert parse_checkpoint(note.text).size == checkpoint.size
            assert set(cosignatures_in(served, verifiers)) == {w.name for w in witnesses}
        status = client.get("/api/v1/ledger/witnesses", headers=headers).json()
        assert client.get("/api/v1/ledger/witnesses").status_code == 401  # members only, any party
        assert client.get("/api/v1/ledger/witnesses", headers=bearer(population.member("FRA"))).status_code == 200
    assert status["checkpoint_size"] == checkpoint.size
    assert [(w["party"], w["cosigned_size"], w["behind_by"], w["refusal"]) for w in status["witnesses"]] == [
        ("ISR", checkpoint.size, 0, None),
        ("SYR", checkpoint.size, 0, None),
    ]
    # Nothing new to push: the witnesses are not asked again.
    assert push_latest(cell_runtime.database, settings) == []


def test_a_forked_log_is_refused_by_both_witnesses_and_rejected_by_clients(
    db, cell_runtime, witnesses, population, tmp_path
):
    settings = cell_runtime.cell.witnesses
    add_entries(db, 4)
    sign(db, cell_runtime)
    assert [o.result.status for o in push_latest(cell_runtime.database, settings)] == [200, 200]
    headers = bearer(population.member("ISR", "liaison"))
    log_vkey = cell_runtime.signer.verifier_key()
    with client_with_witness_routes(cell_runtime) as client:
        client.headers.update(headers)
        monitor_state = MonitorState()
        poll(client, monitor_state, Policy(log_vkey))  # the monitor saw the honest history

        fork_tree(db, 1)  # the mediator rewrites history...
        add_entries(db, 2)
        forked = sign(db, cell_runtime)  # ...and signs a checkpoint that does not extend the cosigned one
        outcomes = push_latest(cell_runtime.database, settings)
        assert [o.result.status for o in outcomes] == [422, 422]
        status = client.get("/api/v1/ledger/witnesses", headers=headers).json()
        assert all(w["refusal"].startswith("422") and w["behind_by"] == 2 for w in status["witnesses"])

        # Clients: the monitor alarms, and a receipt against the forked checkpoint lacks the quorum.
        with pytest.raises(Alarm) as alarm:
            poll(client, monitor_state, Policy(log_vkey))
        assert alarm.value.kind in {"inconsistent", "split-view"}
        receipt = build_receipt(db, settings.model_copy(update={"witnesses": ()}), index=forked.size - 1)
    vkeys = [w.vkey for w in witnesses]
    with pytest.raises(ReceiptError, match="cosignature"):
        verify_receipt(receipt, log_vkey=log_vkey, witness_vkeys=vkeys, quorum=2)


@pytest.mark.parametrize("restored", ["fresh", "older"])
def test_a_witness_behind_the_cell_answers_409_and_the_cell_recovers(db, cell_runtime, witnesses, tmp_path, restored):
    settings = cell_runtime.cell.witnesses
    add_entries(db, 3)
    first = sign(db, cell_runtime).size
    assert [o.result.status for o in push_latest(cell_runtime.database, settings)] == [200, 200]
    syr = witnesses[1]
    syr.stop()
    older = tmp_path / "older.state"
    for part in syr.state.parent.glob(syr.state.name + "*"):  # SYR's state as it was at `first`
        shutil.copy(part, older.parent / part.name.replace(syr.state.name, older.name))
    syr.start()
    settings = witnessed(cell_runtime, [w.config() for w in witnesses]).cell.witnesses  # its new port
    add_entries(db, 2)
    second = sign(db, cell_runtime).size
    assert [o.result.status for o in push_latest(cell_runtime.database, settings)] == [200, 200]
    # SYR's witness restarts from an older state (at `first`) or a fresh one (at 0), while the cell
    # believes it is at `second`.
    syr.stop()
    syr.start(state=older if restored == "older" else tmp_path / "fresh.state")
    settings = witnessed(cell_runtime, [w.config() for w in witnesses]).cell.witnesses  # its new port
    add_entries(db, 2)
    checkpoint = sign(db, cell_runtime)
    calls = []
    outcomes = push_latest(cell_runtime.database, settings, send=recording(calls))
    assert [o.result.status for o in outcomes] == [200, 200]
    # SYR's: the cell's belief → 409 naming the witness's real size → again from there → cosigned.
    real = first if restored == "older" else 0
    assert [(old, status) for url, old, status in calls if url == syr.url] == [(second, 409), (real, 200)]
    assert [(old, status) for url, old, status in calls if url != syr.url] == [(second, 200)]
    assert all(o.line is not None for o in outcomes)
    assert push_latest(cell_runtime.database, settings) == []  # both hold the newest checkpoint
    assert checkpoint.size == second + 2


def test_the_cell_definition_checks_its_witnesses(cell):
    from pydantic import ValidationError

    from fusioncell.cell.definition import CellDefinition
    from fusioncell.witness.cosignature import CosignatureSigner

    assert cell.witnesses.witnesses == ()  # the default cell configures none: nothing is pushed
    isr = CosignatureSigner.generate("witness.isr.example")
    good = {"name": isr.name, "party": "ISR", "url": "http://127.0.0.1:8401", "vkey": isr.vkey()}
    data = cell.model_dump(mode="json")
    ok = CellDefinition.model_validate(data | {"witnesses": {"witnesses": [good], "policy": {"quorum": 1}}})
    assert ok.witnesses.met_by({isr.name}) and not ok.witnesses.met_by(set())
    bad = [
        good | {"party": "XXX"},
        good | {"vkey": "not+a+key"},
        good | {"name": "witness.syr.example"},  # the key's name is another
    ]
    for witness in bad:
        with pytest.raises(ValidationError):
            CellDefinition.model_validate(data | {"witnesses": {"witnesses": [witness]}})
    with pytest.raises(ValidationError, match="quorum 2 exceeds"):
        CellDefinition.model_validate(data | {"witnesses": {"witnesses": [good], "policy": {"quorum": 2}}})
    with pytest.raises(ValidationError, match="no witness of party 'SYR'"):
        CellDefinition.model_validate(
            data | {"witnesses": {"witnesses": [good], "policy": {"required_parties": ["SYR"]}}}
        )


def test_the_panel_shows_who_cosigned_and_warns_of_refusals(db, cell_runtime, witnesses, runtime):
    from fusioncell.ledger.witness_endpoints import witness_statuses
    from fusioncell.web.templating import templates

    panel = templates.env.get_template("_witness_panel.html")
    assert "No witness is configured" in panel.render(witness_status=witness_statuses(db, runtime))
    add_entries(db, 2)
    checkpoint = sign(db, cell_runtime)
    push_latest(cell_runtime.database, cell_runtime.cell.witnesses)
    witnesses[0].stop()  # ISR's witness goes away; the next checkpoint leaves it behind
    add_entries(db, 3)
    sign(db, cell_runtime)
    push_latest(cell_runtime.database, cell_runtime.cell.witnesses)
    assert push_latest(cell_runtime.database, cell_runtime.cell.witnesses) == []  # ISR's rests 10 s
    html = panel.render(witness_status=witness_statuses(db, cell_runtime))
    assert "witness.isr.example" in html and "witness.syr.example" in html
    assert "⚠ 3" in html and "unreachable" in html  # ISR's: behind by 3, its error shown
    assert f">{checkpoint.size}<" in html


def test_the_background_pusher_gets_new_checkpoints_cosigned(db, cell_runtime, witnesses):
    """What app.py runs: run_pusher's loop, its store step queued at the write gate."""
    import asyncio

    from fusioncell.ledger.witnessing import run_pusher
    from fusioncell.ledger.witnessing_models import Cosignature

    add_entries(db, 2)
    checkpoint = sign(db, cell_runtime)

    async def until_cosigned() -> None:
        pusher = asyncio.create_task(run_pusher(cell_runtime, 0.05))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(db.query(Cosignature).filter_by(size=checkpoint.size).all()) == 2:
                break
        pusher.cancel()

    asyncio.run(until_cosigned())
    assert {c.witness for c in db.query(Cosignature).filter_by(size=checkpoint.size)} == {w.name for w in witnesses}
