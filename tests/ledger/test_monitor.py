"""`fusioncell ledger monitor`: follows the log, keeps its leaves, alarms on inconsistency or split view."""

import contextlib
import json

import typer
from typer.testing import CliRunner

from fusioncell.ledger import monitor
from fusioncell.ledger.monitor import MonitorState, monitor_command
from tests.ledger.witness_support import add_entries, client_with_witness_routes, fork_tree, sign
from tests.support import bearer


def run_monitor(runtime, client, state_path, *extra):
    app = typer.Typer()
    app.command()(monitor_command)
    args = ["--url", "http://cell", "--vkey", runtime.signer.verifier_key(), "--token", "t"]
    return CliRunner().invoke(app, [*args, "--state", str(state_path), "--once", *extra])


def test_the_monitor_follows_the_log_and_keeps_its_leaves(db, runtime, population, tmp_path, monkeypatch):
    state = tmp_path / "monitor.json"
    with client_with_witness_routes(runtime) as client:
        client.headers.update(bearer(population.member("SYR")))
        monkeypatch.setattr(monitor, "open_client", lambda url, token: contextlib.nullcontext(client))
        first = sign(db, runtime).size
        assert run_monitor(runtime, client, state).exit_code == 0
        assert MonitorState.load(state).size == first
        add_entries(db, 7)
        second = sign(db, runtime).size
        result = run_monitor(runtime, client, state, "--recheck")
        assert result.exit_code == 0, result.output
        kept = MonitorState.load(state)
        assert kept.size == second and kept.root_at(second) == kept.root
        # An unchanged log: nothing to do, still fine.
        assert run_monitor(runtime, client, state).exit_code == 0


def test_an_inconsistent_checkpoint_raises_the_alarm_everywhere(db, runtime, population, tmp_path, monkeypatch):
    state = tmp_path / "monitor.json"
    posted = []
    with client_with_witness_routes(runtime) as client:
        client.headers.update(bearer(population.member("ISR")))
        monkeypatch.setattr(monitor, "open_client", lambda url, token: contextlib.nullcontext(client))
        monkeypatch.setattr(monitor.httpx, "post", lambda url, json, timeout: posted.append((url, json)))
        add_entries(db, 4)
        seen = sign(db, runtime).size
        assert run_monitor(runtime, client, state).exit_code == 0
        fork_tree(db, 2)
        add_entries(db, 3)
        sign(db, runtime)
        result = run_monitor(runtime, client, state, "--webhook", "http://hook.example/alarm")
    assert result.exit_code == 3
    [(url, alarm)] = posted
    assert url == "http://hook.example/alarm" and alarm["alarm"] == "inconsistent"
    assert json.loads(state.read_text())["size"] == seen  # the alarm does not advance what it trusts


def test_a_bad_signature_is_an_alarm(db, runtime, population, tmp_path, monkeypatch):
    from fusioncell.ledger.note import Signer

    with client_with_witness_routes(runtime) as client:
        client.headers.update(bearer(population.member("ISR")))
        monkeypatch.setattr(monitor, "open_client", lambda url, token: contextlib.nullcontext(client))
        sign(db, runtime)
        app = typer.Typer()
        app.command()(monitor_command)
        other = Signer.generate(runtime.cell.log_origin).verifier_key()
        args = ["--url", "http://cell", "--vkey", other, "--token", "t", "--state", str(tmp_path / "s.json"), "--once"]
        assert CliRunner().invoke(app, args).exit_code == 3
