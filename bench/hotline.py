"""Hotline delivery benchmark: stream clients across the parties, messages posted at a steady rate,
delivery latency from post to arrival on another party's stream.

Run with `.venv/bin/python bench/hotline.py` (`--help` for options). Not part of the test suite.
Starts a real `fusioncell serve` process on a throwaway demo cell (SQLite, then PostgreSQL), connects
`--clients` SSE clients to /api/v1/stream spread over the parties, posts `--rate` messages/s for
`--seconds` from ISR and SYR liaison officers on the hotline, and measures, for every message, the
time from the start of its POST to its arrival on each stream that may read it (the other principal
and the mediator). Prints the figures beside the target (p99 < 100 ms, nothing lost) and writes
bench/results/hotline.json.
"""

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from fusioncell.demo import DEMO_PASSWORD

RESULTS = Path(__file__).resolve().parent / "results" / "hotline.json"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_P99_MS = 100.0
# Who listens: stream clients per demo account, in proportion (the hotline's readers and others).
LISTENERS = {"syr.liaison": 0.3, "isr.liaison": 0.3, "usa.mediator": 0.2, "fra.observer": 0.1, "undof.observer": 0.1}
SENDERS = ("isr.liaison", "syr.liaison")
READERS_OF = {"isr.liaison": {"syr.liaison", "usa.mediator"}, "syr.liaison": {"isr.liaison", "usa.mediator"}}

console = Console(stderr=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cell:
    """A demo cell in a temporary directory, served by a real server process."""

    def __init__(self, database_url: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="fusioncell_bench_hotline_"))
        self.env = os.environ | {
            "FUSIONCELL_VAR_DIR": str(self.home / "var"),
            "FUSIONCELL_DATABASE_URL": database_url,
            "FUSIONCELL_LOG_JSON": "true",
        }
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Cell":
        run = [sys.executable, "-m", "fusioncell"]
        init = subprocess.run(run + ["init", "--demo"], env=self.env, capture_output=True, text=True)
        if init.returncode:
            raise RuntimeError(init.stderr)
        log = open(self.home / "server.log", "wb")
        self.process = subprocess.Popen(run + ["serve", "--port", str(self.port)], env=self.env, stdout=log, stderr=log)
        for _ in range(300):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def tokens(base: str) -> dict[str, str]:
    found = {}
    for username in set(LISTENERS) | set(SENDERS):
        response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        response.raise_for_status()
        found[username] = response.json()["token"]
    return found


async def listen(base: str, username: str, token: str, arrivals: dict, ready: asyncio.Event, counter: list) -> None:
    """One SSE client: note the arrival time of every message event, keyed by the message's nonce."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=None) as client:
        for attempt in range(5):  # a refused connection (server busy) is retried, not lost
            response_cm = client.stream("GET", "/api/v1/stream")
            response = await response_cm.__aenter__()
            if response.status_code == 200:
                break
            await response_cm.__aexit__(None, None, None)
            await asyncio.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"{username}: the stream refused the connection ({response.status_code})")
        try:
            counter[0] += 1
            if counter[0] == counter[1]:
                ready.set()
            event, data = None, []
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    if event == "message":
                        body = (json.loads("\n".join(data)).get("record") or {}).get("body") or ""
                        if body.startswith("bench "):
                            arrivals.setdefault(body.split()[1], []).append((username, time.perf_counter()))
                    event, data = None, []
        finally:
            await response_cm.__aexit__(None, None, None)


async def post_all(base: str, token_of: dict, rate: float, seconds: float, sent: dict) -> float:
    """Post at a steady rate (each POST on its own task, so a slow one does not hold back the rest)."""
    clients = {
        u: httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token_of[u]}"}, timeout=30)
        for u in SENDERS
    }
    total, started, tasks = int(rate * seconds), time.perf_counter(), []

    async def one(n: int) -> None:
        sender = SENDERS[n % len(SENDERS)]
        nonce = secrets.token_hex(8)
        begun = time.perf_counter()
        response = await clients[sender].post(
            "/api/v1/messages",
            json={"channel": "hotline", "body": f"bench {nonce} {n}", "idempotency_key": f"bench-{nonce}"},
        )
        if response.status_code == 201:
            sent[nonce] = (sender, begun, time.perf_counter())

    for n in range(total):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    for client in clients.values():
        await client.aclose()
    return elapsed


async def run_once(base: str, clients: int, rate: float, seconds: float) -> dict:
    token_of = tokens(base)
    arrivals: dict[str, list] = {}
    sent: dict[str, tuple] = {}
    ready, counter = asyncio.Event(), [0, clients]
    plan = [u for u, share in LISTENERS.items() for _ in range(round(share * clients))][:clients]
    counter[1] = len(plan)
    listeners = []
    for n, username in enumerate(plan):  # connect in waves, as people open their pages
        listeners.append(asyncio.create_task(listen(base, username, token_of[username], arrivals, ready, counter)))
        if n % 25 == 24:
            await asyncio.sleep(0.25)
    await asyncio.wait_for(ready.wait(), timeout=120)
    elapsed = await post_all(base, token_of, rate, seconds, sent)
    await asyncio.sleep(2.0)  # let the last deliveries land
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)

    listeners_of = {u: plan.count(u) for u in set(plan)}
    latencies, expected, received = [], 0, 0
    for nonce, (sender, begun, _) in sent.items():
        readers = READERS_OF[sender]
        want = sum(listeners_of.get(u, 0) for u in readers)
        got = [(u, t) for u, t in arrivals.get(nonce, []) if u in readers]
        leaked = [u for u, _ in arrivals.get(nonce, []) if u not in readers and u != sender]
        if leaked:
            raise AssertionError(f"message {nonce} reached {leaked}, who may not read it")
        expected += want
        received += len(got)
        latencies += [(t - begun) * 1000 for _, t in got]
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "clients": len(plan),
        "rate_requested": rate,
        "messages_posted": len(sent),
        "post_rate_achieved": len(sent) / elapsed,
        "deliveries_expected": expected,
        "deliveries_received": received,
        "lost": expected - received,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] if latencies else None,
        "mean_ms": statistics.fmean(latencies) if latencies else None,
        "deliveries_per_s": received / elapsed,
    }


def postgres_database(base_url: str) -> tuple[str, callable]:
    name = f"fusioncell_bench_hotline_{os.getpid()}"
    admin = psycopg.connect(base_url, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return base_url.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100.0, help="messages posted per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--postgres-url", default=os.environ.get("FUSIONCELL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    results = {"target_p99_ms": TARGET_P99_MS, "cores": os.cpu_count(), "load_start": os.getloadavg(), "runs": {}}
    backends = [("sqlite", "")] + ([] if args.no_postgres else [("postgresql", None)])
    for name, url in backends:
        drop = None
        if url is None:
            url, drop = postgres_database(args.postgres_url)
        try:
            with Cell(url) as cell:
                console.print(
                    f"[bold]{name}[/]: {args.clients} stream clients, {args.rate:g} messages/s for {args.seconds:g} s"
                )
                results["runs"][name] = asyncio.run(run_once(cell.base, args.clients, args.rate, args.seconds))
        finally:
            if drop:
                drop()
    results["load_end"] = os.getloadavg()

    table = Table(
        title=f"Hotline delivery ({os.cpu_count()} cores; load {results['load_start'][0]:.1f} → "
        f"{results['load_end'][0]:.1f}; server and clients share this machine)"
    )
    for column in (
        "backend",
        "clients",
        "posted/s",
        "deliveries/s",
        "p50 ms",
        "p99 ms (target < 100)",
        "max ms",
        "lost (target 0)",
    ):
        table.add_column(column)
    for name, run in results["runs"].items():
        table.add_row(
            name,
            str(run["clients"]),
            f"{run['post_rate_achieved']:.0f}",
            f"{run['deliveries_per_s']:.0f}",
            f"{run['p50_ms']:.1f}",
            f"{run['p99_ms']:.1f}",
            f"{run['max_ms']:.1f}",
            str(run["lost"]),
        )
    Console(width=150).print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
