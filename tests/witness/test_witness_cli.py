"""`fusioncell witness keygen / vkey / serve` argument handling (serving itself runs in
test_witness_process.py)."""

import stat

from typer.testing import CliRunner

from fusioncell.witness.cli import load_key, witness_app
from fusioncell.witness.cosignature import CosignatureVerifier
from fusioncell.witness.state import WitnessState

runner = CliRunner()
NAME = "witness.isr.example/w1"


def test_keygen_writes_a_private_key_and_prints_the_vkey(tmp_path):
    key = tmp_path / "keys" / "witness.key"
    result = runner.invoke(witness_app, ["keygen", "--name", NAME, "--out", str(key)])
    assert result.exit_code == 0, result.output
    vkey = result.stdout.strip()
    verifier = CosignatureVerifier.from_vkey(vkey)
    assert verifier.name == NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith(f"PRIVATE+KEY+{NAME}+")
    assert load_key(key).vkey() == vkey
    shown = runner.invoke(witness_app, ["vkey", "--key", str(key)])
    assert shown.exit_code == 0 and shown.stdout.strip() == vkey


def test_keygen_never_overwrites(tmp_path):
    key = tmp_path / "witness.key"
    assert runner.invoke(witness_app, ["keygen", "--name", NAME, "--out", str(key)]).exit_code == 0
    before = key.read_text()
    again = runner.invoke(witness_app, ["keygen", "--name", NAME, "--out", str(key)])
    assert again.exit_code == 1
    assert "never overwritten" in again.output
    assert key.read_text() == before


def test_keygen_refuses_a_bad_name(tmp_path):
    result = runner.invoke(witness_app, ["keygen", "--name", "has space", "--out", str(tmp_path / "k")])
    assert result.exit_code == 1
    assert not (tmp_path / "k").exists()


def test_a_key_others_can_read_is_refused(tmp_path):
    key = tmp_path / "witness.key"
    assert runner.invoke(witness_app, ["keygen", "--name", NAME, "--out", str(key)]).exit_code == 0
    key.chmod(0o640)
    result = runner.invoke(witness_app, ["vkey", "--key", str(key)])
    assert result.exit_code == 1
    assert "chmod 600" in result.output


def test_serve_refuses_bad_keys_before_listening(tmp_path):
    key = tmp_path / "witness.key"
    assert runner.invoke(witness_app, ["keygen", "--name", NAME, "--out", str(key)]).exit_code == 0
    state = tmp_path / "state.sqlite"
    common = ["serve", "--state", str(state), "--port", "1"]
    missing = runner.invoke(witness_app, [*common, "--key", str(tmp_path / "nope"), "--log-vkey", "x"])
    assert missing.exit_code == 1 and "keygen" in missing.output
    bad_vkey = runner.invoke(witness_app, [*common, "--key", str(key), "--log-vkey", "not-a-vkey"])
    assert bad_vkey.exit_code == 1
    # The log's key must be a signed-note (0x01) key, not a witness's own (0x04) vkey.
    witness_vkey = load_key(key).vkey()
    wrong_type = runner.invoke(witness_app, [*common, "--key", str(key), "--log-vkey", witness_vkey])
    assert wrong_type.exit_code == 1
    no_logs = runner.invoke(witness_app, [*common, "--key", str(key)])
    assert no_logs.exit_code != 0


def test_refusals_prints_the_evidence(tmp_path):
    path = tmp_path / "state.sqlite"
    state = WitnessState(path)
    state.record_refusal("cell.example/ledger", 8, "AAAA\n", "cell.example/ledger\n13\nroot\n\n— sig\n", "bad proof")
    state.close()
    result = runner.invoke(witness_app, ["refusals", "--state", str(path)])
    assert result.exit_code == 0, result.output
    assert "cell.example/ledger old 8: bad proof" in result.stdout
    # Each refusal is printed as the add-checkpoint body the log sent, ready to show anyone.
    assert "old 8\nAAAA\n\ncell.example/ledger\n13\n" in result.stdout
    missing = runner.invoke(witness_app, ["refusals", "--state", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1
