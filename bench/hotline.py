"""Hotline delivery benchmark: stream clients across the parties, messages posted at a steady rate,
delivery latency from post to arrival on another party's stream.

Run with `.venv/bin/python bench/hotline.py` (`--help` for options). Not part of the test suite.
Starts a real `fusioncell serve` on a throwaway demo cell (SQLite in one process, then PostgreSQL with
`--postgres-workers` processes), connects `--clients` SSE clients (in a process of their own) to
/api/v1/stream spread over the parties, posts `--rate` messages/s (several rates: a row each) for
`--seconds` from ISR and SYR liaison officers on the hotline, and measures, for every message, the time
from the start of its POST to its arrival on each stream that may read it (the other principal and the
mediator). Prints the figures beside the target (p99 < 100 ms, nothing lost) and writes
bench/results/hotline.json.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
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

    def __init__(self, database_url: str, workers: int = 1) -> None:
        self.workers = workers
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
        serve = ["serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(run + serve, env=self.env, stdout=log, stderr=log)
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


_NONCE = re.compile(rb'"body":"bench ([0-9a-f]{16}) ')


class StreamReader(asyncio.Protocol):
    """One SSE client on a raw connection: notes when each bench message's nonce first arrives.

    The bench's own clients must cost little, or they starve the server they measure (both share
    this machine): no HTTP library, no JSON parsing, only a search of the received bytes. A nonce
    split between two reads is found in the carried-over tail; one found twice is counted once."""

    def __init__(self, username: str, token: str, host: str, arrivals: dict, connected: asyncio.Future) -> None:
        self.username, self.token, self.host = username, token, host
        self.arrivals, self.connected = arrivals, connected
        self.seen: set[bytes] = set()
        self.carry = b""
        self.head = b""

    def connection_made(self, transport) -> None:
        request = (
            f"GET /api/v1/stream HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        )
        transport.write(request.encode())

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.connected.done():
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            status = self.head.split(b" ", 2)[1]
            if status != b"200":
                self.connected.set_exception(RuntimeError(f"{self.username}: stream refused ({status.decode()})"))
                return
            self.connected.set_result(True)
            data, self.head = self.head, b""
        window = self.carry + data
        for match in _NONCE.finditer(window):
            nonce = match.group(1)
            if nonce not in self.seen:
                self.seen.add(nonce)
                self.arrivals.setdefault(nonce.decode(), []).append((self.username, now))
        self.carry = window[-64:]

    def connection_lost(self, exc) -> None:
        if not self.connected.done():
            self.connected.set_exception(RuntimeError(f"{self.username}: connection lost before the stream opened"))


async def listen_all(base: str, plan: list[str], token_of: dict, ready, stop) -> dict:
    """All the stream clients of one process; returns every arrival once `stop` is set."""
    host, port = base.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    arrivals: dict[str, list] = {}
    transports = []
    for n, username in enumerate(plan):  # connect in waves, as people open their pages
        for attempt in range(5):  # a refused connection (server busy) is retried, not lost
            connected = loop.create_future()
            reader = StreamReader(username, token_of[username], host, arrivals, connected)
            transport, _ = await loop.create_connection(lambda reader=reader: reader, host, int(port))
            try:
                await asyncio.wait_for(connected, 30)
                break
            except (TimeoutError, RuntimeError):
                transport.close()
                await asyncio.sleep(0.5 * (attempt + 1))
        else:
            raise RuntimeError(f"{username}: the stream could not be opened")
        transports.append(transport)
        if n % 25 == 24:
            await asyncio.sleep(0.25)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    for transport in transports:
        transport.close()
    return arrivals


def listeners_process(base: str, plan: list[str], token_of: dict, ready, stop, results) -> None:
    """The stream clients, in a process of their own (on uvloop where it is installed)."""
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    results.put(run(listen_all(base, plan, token_of, ready, stop)))


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
    sent: dict[str, tuple] = {}
    plan = [u for u, share in LISTENERS.items() for _ in range(round(share * clients))][:clients]
    spawn = multiprocessing.get_context("spawn")
    ready, stop, results = spawn.Event(), spawn.Event(), spawn.Queue()
    listeners = spawn.Process(target=listeners_process, args=(base, plan, token_of, ready, stop, results))
    listeners.start()
    try:
        if not await asyncio.to_thread(ready.wait, 180):
            raise RuntimeError("the stream clients did not all connect")
        elapsed = await post_all(base, token_of, rate, seconds, sent)
        await asyncio.sleep(2.0)  # let the last deliveries land
        stop.set()
        arrivals = await asyncio.to_thread(results.get, True, 120)
    finally:
        stop.set()
        listeners.join(30)
        if listeners.is_alive():
            listeners.kill()

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
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[100.0],
        help="messages posted per second; several values give one row each (where the knee is)",
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--postgres-url", default=os.environ.get("FUSIONCELL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres-workers", type=int, default=2, help="server processes on PostgreSQL (SQLite runs in one)"
    )
    args = parser.parse_args()

    results = {"target_p99_ms": TARGET_P99_MS, "cores": os.cpu_count(), "load_start": os.getloadavg(), "runs": []}
    backends = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    for name in backends:
        workers = 1 if name == "sqlite" else args.postgres_workers
        for rate in args.rate:  # a fresh cell for each rate: no run inherits another's backlog
            url, drop = ("", None) if name == "sqlite" else postgres_database(args.postgres_url)
            try:
                with Cell(url, workers) as cell:
                    console.print(
                        f"[bold]{name}[/] ({workers} server process{'es' if workers > 1 else ''}): {args.clients} "
                        f"stream clients, {rate:g} messages/s for {args.seconds:g} s"
                    )
                    run = asyncio.run(run_once(cell.base, args.clients, rate, args.seconds))
                    results["runs"].append(run | {"backend": name, "server_processes": workers})
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
        "server processes",
        "clients",
        "asked/s",
        "posted/s",
        "deliveries/s",
        "p50 ms",
        "p99 ms (target < 100)",
        "max ms",
        "lost (target 0)",
    ):
        table.add_column(column)
    for run in results["runs"]:
        table.add_row(
            run["backend"],
            str(run["server_processes"]),
            str(run["clients"]),
            f"{run['rate_requested']:g}",
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
