"""`fusioncell key rotate` on a live cell, with two servers running: they sign with the new key without a
restart, `fusioncell ledger verify` given the key printed at init reaches the new one by proof, the audit is
clean, and a backup taken after the rotation restores and verifies."""

import re
import stat
import time

import pytest

from fusioncell.ledger.note import NoteError, Verifier, open_note, parse_checkpoint
from tests.events.live import base_env, initialised_cell, run_cli


def checkpoint_by(cell, party: str, verifier: Verifier, above: int, server: int = 0):
    """The served checkpoint once it is signed by `verifier` and covers more than `above` entries."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        note = cell.get(party, "/api/v1/ledger/checkpoint", server=server).text
        try:
            checkpoint = parse_checkpoint(open_note(note, [verifier]).text)
        except NoteError:
            checkpoint = None
        if checkpoint is not None and checkpoint.size > above:
            return note, checkpoint
        time.sleep(0.2)
    raise AssertionError(f"no checkpoint above {above} signed by {verifier.name}: {note}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_rotating_the_key_of_a_running_cell_keeps_the_record_verifiable(backend, tmp_path):
    with initialised_cell(backend, tmp_path / "cell") as cell:
        first = run_cli(cell.env, "key").stdout.strip()
        old = Verifier.from_vkey(first)
        cell.server(0), cell.server(1)  # two processes, each holding the old key in memory
        cell.send("ISR", "plenary", "before the rotation")
        _, before = checkpoint_by(cell, "SYR", old, 0)

        rotated = run_cli(cell.env, "key", "rotate", "--reason", "annual rotation, custodian change")
        assert rotated.returncode == 0, rotated.stdout + rotated.stderr
        second = run_cli(cell.env, "key").stdout.strip()
        new = Verifier.from_vkey(second)
        assert second != first and second in rotated.stdout
        assert cell.get("JOR", "/api/v1/ledger/key").text.strip() == second
        key_path = tmp_path / "cell" / "var" / "ledger.key"
        [retired] = key_path.parent.glob("ledger.key.retired-*")
        assert stat.S_IMODE(retired.stat().st_mode) == 0o600 and first.split("+")[1] in retired.name

        # Both servers sign what follows with the new key alone, without a restart.
        for server in (0, 1):
            message = cell.send("SYR", "plenary", f"after the rotation, via server {server}", server=server)
            note, checkpoint = checkpoint_by(cell, "ISR", new, message["ledger_index"], server=server)
            with pytest.raises(NoteError):
                open_note(note, [old])
        [rotation] = cell.get("UNDOF", "/api/v1/ledger/keys").json()["rotations"]
        assert rotation["reason"] == "annual rotation, custodian change" and rotation["index"] >= before.size

        base = cell.server().base
        token = cell.token("SYR")
        verified = run_cli(cell.env, "ledger", "verify", "--url", base, "--vkey", first, "--token", token)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "1 handover" in verified.stdout and second in re.sub(r"\s+", "", verified.stdout)
        audited = run_cli(cell.env, "ledger", "audit")
        assert audited.returncode == 0 and "audit clean" in audited.stdout, audited.stdout + audited.stderr

        if backend == "sqlite":  # a backup after a rotation restores with the key in force and proves itself
            archive = tmp_path / "after-rotation.tar.gz"
            assert run_cli(cell.env, "backup", str(archive)).returncode == 0
            url = f"sqlite:///{tmp_path / 'restored' / 'var' / 'fusioncell.db'}"
            restored = run_cli(base_env(tmp_path / "restored", url), "restore", str(archive))
            assert restored.returncode == 0, restored.stdout + restored.stderr
            assert run_cli(base_env(tmp_path / "restored", url), "key").stdout.strip() == second


def test_a_rotation_with_no_reason_changes_nothing(tmp_path):
    with initialised_cell("sqlite", tmp_path / "cell") as cell:
        first = run_cli(cell.env, "key").stdout.strip()
        refused = run_cli(cell.env, "key", "rotate", "--reason", "  ")
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "Say why the key is rotated" in refused.stderr
        assert run_cli(cell.env, "key").stdout.strip() == first
        var = tmp_path / "cell" / "var"
        assert sorted(p.name for p in var.glob("ledger.key*")) == ["ledger.key"]
        assert cell.get("ISR", "/api/v1/ledger/keys").json()["rotations"] == []
