"""Witness benchmark: checkpoints per second one witness cosigns, in process and over HTTP.

Run with `.venv/bin/python bench/witness.py` (`--help` for options). Not part of the test suite.
Prints a table of each figure beside its target and writes bench/results/witness.json.
See bench/README.md ("bench/witness.py") for what each figure measures.
"""

import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from fusioncell.ledger import merkle
from fusioncell.ledger.note import Checkpoint, Signer, format_checkpoint
from fusioncell.witness.cosignature import CosignatureSigner, CosignatureVerifier
from fusioncell.witness.server import Witness
from fusioncell.witness.state import WitnessState

RESULTS = Path(__file__).resolve().parent / "results" / "witness.json"
ORIGIN = "bench.fusioncell.example/ledger"
TARGET_RATE = 1.0  # checkpoints/s per log: the cell makes at most one a second (DESIGN.md)
TARGET_P99_MS = 1000.0  # 2 s write-to-cosigned, minus up to 1 s waiting for the next checkpoint

console = Console(stderr=True)


class BenchLog:
    """A growing log that keeps only the nodes later consistency proofs can need:
    the current frontier (everything to its left is never asked for again)."""

    def __init__(self, origin: str) -> None:
        self.signer = Signer.generate(origin)
        self.origin = origin
        self.size = 0
        self.frontier: list[bytes] = []
        self.nodes: dict[tuple[int, int], bytes] = {}

    def grow(self, count: int) -> None:
        leaves = [merkle.leaf_hash(os.urandom(32)) for _ in range(count)]
        new_nodes, self.frontier = merkle.append_leaves(self.size, self.frontier, leaves)
        self.nodes.update(((level, pos), h) for level, pos, h in new_nodes)
        self.size += count

    def proof_from(self, old: int) -> list[bytes]:
        return merkle.consistency_proof(old, self.size, self.nodes)

    def prune(self) -> None:
        keep = merkle.frontier_positions(self.size)
        self.nodes = {p: self.nodes[p] for p in keep}

    def note(self) -> str:
        root = merkle.root_from_frontier(self.frontier)
        return self.signer.sign_note(format_checkpoint(Checkpoint(self.origin, self.size, root)))


def make_bodies(log: BenchLog, count: int, leaves_per_checkpoint: int) -> list[tuple[bytes, str]]:
    """(add-checkpoint body, checkpoint text) for `count` consecutive checkpoints."""
    bodies = []
    for _ in range(count):
        old = log.size
        log.grow(leaves_per_checkpoint)
        proof = log.proof_from(old)
        note = log.note()
        lines = [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n", note]
        bodies.append(("".join(lines).encode(), note[: note.rfind("\n\n") + 1]))
        log.prune()
    return bodies


def summarise(latencies: list[float], wall: float) -> dict:
    ordered = sorted(latencies)
    return {
        "checkpoints": len(ordered),
        "per_second": len(ordered) / wall,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def check_sample(verifier: CosignatureVerifier, texts: list[str], lines: list[str]) -> None:
    """Every tenth answer must be a valid cosignature on its checkpoint (not timed)."""
    for text, line in list(zip(texts, lines, strict=True))[::10]:
        verifier.verify(text, line)


def bench_in_process(bodies: list[tuple[bytes, str]], log: BenchLog, state_path: Path) -> dict:
    """Witness.handle: parse, log signature, proof, the fsync'd compare-and-swap, cosign."""
    signer = CosignatureSigner.generate("witness.bench.example/in-process")
    state = WitnessState(state_path)
    witness = Witness(signer, {log.origin: [log.signer.verifier()]}, state)
    latencies, lines = [], []
    start = time.perf_counter()
    for body, _ in bodies:
        t0 = time.perf_counter()
        response = witness.handle(body)
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError(f"witness answered {response.status_code}: {response.body!r}")
        lines.append(response.body.decode())
    wall = time.perf_counter() - start
    state.close()
    check_sample(signer.verifier(), [text for _, text in bodies], lines)
    return summarise(latencies, wall)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_witness(workdir: Path, log_vkey: str) -> tuple[subprocess.Popen, str, str]:
    """A real `python -m fusioncell.witness serve`; returns (process, URL, its vkey)."""
    key = workdir / "witness.key"
    command = [sys.executable, "-m", "fusioncell.witness"]
    keygen = ["keygen", "--name", "witness.bench.example/http", "--out", str(key)]
    vkey = subprocess.run([*command, *keygen], capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    serve = ["serve", "--key", str(key), "--log-vkey", log_vkey, "--state", str(workdir / "http.sqlite")]
    process = subprocess.Popen([*command, *serve, "--port", str(port)], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return process, url, vkey
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the witness did not start within 30 s")


def bench_http(bodies: list[tuple[bytes, str]], url: str, vkey: str) -> dict:
    """One client on a kept-alive connection, one checkpoint after another (as a log pushes)."""
    latencies, lines = [], []
    with httpx.Client(timeout=10) as client:
        start = time.perf_counter()
        for body, _ in bodies:
            t0 = time.perf_counter()
            response = client.post(url + "/add-checkpoint", content=body)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise RuntimeError(f"witness answered {response.status_code}: {response.text}")
            lines.append(response.text)
        wall = time.perf_counter() - start
    check_sample(CosignatureVerifier.from_vkey(vkey), [text for _, text in bodies], lines)
    return summarise(latencies, wall)


def print_table(results: dict) -> None:
    table = Table(
        title=f"Witness cosigning ({os.cpu_count()} cores; load {results['load_start'][0]:.1f} → "
        f"{results['load_end'][0]:.1f}; {results['leaves_per_checkpoint']} leaves per checkpoint)"
    )
    for column in ("path", "checkpoints", f"per s (target ≥ {TARGET_RATE:g})", "p50 ms", "p99 ms (target < 1000)"):
        table.add_column(column)
    table.add_column("max ms")
    for name, run in results["runs"].items():
        table.add_row(
            name,
            str(run["checkpoints"]),
            f"{run['per_second']:.0f}",
            f"{run['p50_ms']:.2f}",
            f"{run['p99_ms']:.2f}",
            f"{run['max_ms']:.2f}",
        )
    Console(width=150).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, default=2000, help="checkpoints cosigned per path")
    parser.add_argument(
        "--leaves", type=int, default=500, help="entries between checkpoints (500 writes/s, one checkpoint a second)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the real witness process")
    args = parser.parse_args()

    results = {"leaves_per_checkpoint": args.leaves, "cores": os.cpu_count(), "load_start": os.getloadavg()}
    results["runs"] = {}
    with tempfile.TemporaryDirectory(prefix="fusioncell-witness-bench-") as tmp:
        workdir = Path(tmp)
        log = BenchLog(ORIGIN)
        console.print(f"making {args.checkpoints} checkpoints of {args.leaves} entries each (not timed)")
        bodies = make_bodies(log, args.checkpoints, args.leaves)
        console.print("in process: Witness.handle")
        results["runs"]["in process"] = bench_in_process(bodies, log, workdir / "in-process.sqlite")
        if not args.no_http:
            process, url, vkey = start_witness(workdir, log.signer.verifier_key())
            try:
                console.print(f"over HTTP: POST {url}/add-checkpoint")
                results["runs"]["HTTP, real process"] = bench_http(bodies, url, vkey)
            finally:
                process.terminate()
                process.wait(timeout=10)
    results["load_end"] = os.getloadavg()
    print_table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
