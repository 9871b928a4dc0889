"""Two real witness processes, ISR's and SYR's, as each party would run its own:
`python -m fusioncell.witness keygen` then `serve`, spoken to over HTTP with the client."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fusioncell.witness.client import add_checkpoint
from fusioncell.witness.cosignature import CosignatureVerifier, cosignatures_in
from tests.witness.toylog import ToyLog

ORIGIN = "cell.example/ledger"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fusioncell.witness", *args], capture_output=True, text=True, timeout=60
    )


@dataclass
class WitnessProcess:
    name: str
    key: Path
    state: Path
    log_vkey: str
    vkey: str = ""
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_vkey(self.vkey)

    def start(self) -> None:
        self.port = _free_port()
        args = ["serve", "--key", str(self.key), "--log-vkey", self.log_vkey, "--state", str(self.state)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fusioncell.witness", *args, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"witness exited: {self.process.stderr.read().decode()}")
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("witness did not start within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()


@pytest.fixture
def log() -> ToyLog:
    return ToyLog(ORIGIN).grow(40)


@pytest.fixture
def witnesses(tmp_path, log) -> Iterator[list[WitnessProcess]]:
    started = []
    try:
        for party in ("isr", "syr"):
            w = WitnessProcess(
                name=f"witness.{party}.example/w1",
                key=tmp_path / f"{party}.key",
                state=tmp_path / f"{party}.sqlite",
                log_vkey=log.signer.verifier_key(),
            )
            keygen = _cli("keygen", "--name", w.name, "--out", str(w.key))
            assert keygen.returncode == 0, keygen.stderr
            w.vkey = keygen.stdout.strip()
            w.start()
            started.append(w)
        yield started
    finally:
        for w in started:
            w.stop()


def _push(w: WitnessProcess, log: ToyLog, old: int, new: int):
    return add_checkpoint(w.url, old_size=old, proof=log.proof(old, new), note=log.note(new), timeout=10)


def test_two_witnesses_cosign_refuse_forks_and_report_stale_sizes(witnesses, log):
    verifiers = [w.verifier() for w in witnesses]
    for old, new in [(0, 1), (1, 7), (7, 16), (16, 16), (16, 23)]:
        lines = []
        for w in witnesses:
            result = _push(w, log, old, new)
            assert result.cosigned, (w.name, result)
            lines.extend(result.lines)
        cosigned = log.note(new) + "".join(lines)
        assert set(cosignatures_in(cosigned, verifiers)) == {w.name for w in witnesses}

    forked = log.fork(20, seed="forked").grow(30)
    for w in witnesses:
        fork = add_checkpoint(w.url, old_size=23, proof=forked.proof(23, 30), note=forked.note(30), timeout=10)
        assert fork.refused and fork.status == 422, (w.name, fork)
        stale = _push(w, log, 16, 30)
        assert stale.conflict and stale.latest_size == 23, (w.name, stale)
        assert _push(w, log, 23, 30).cosigned


def test_state_survives_a_restart(witnesses, log):
    isr = witnesses[0]
    assert _push(isr, log, 0, 12).cosigned
    isr.stop()
    isr.start()
    assert httpx.get(isr.url + "/", timeout=5).text.endswith(f"{ORIGIN} at 12\n")
    fresh_start = _push(isr, log, 0, 20)
    assert fresh_start.conflict and fresh_start.latest_size == 12
    assert _push(isr, log, 12, 20).cosigned
    forked = log.fork(10, seed="forked").grow(25)
    refused = add_checkpoint(isr.url, old_size=20, proof=forked.proof(20, 25), note=forked.note(25), timeout=10)
    assert refused.status == 422
