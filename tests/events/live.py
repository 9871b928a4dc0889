"""Real server processes on a real cell, and a real HTTP client reading their Server-Sent Events."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from fusioncell.demo import DEMO_PASSWORD

FUSIONCELL = [sys.executable, "-m", "fusioncell"]
PARTY_ACCOUNTS = {
    "USA": "usa.mediator",
    "ISR": "isr.liaison",
    "SYR": "syr.liaison",
    "FRA": "fra.observer",
    "JOR": "jor.observer",
    "UNDOF": "undof.observer",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(FUSIONCELL + list(args), env=env, capture_output=True, text=True, timeout=120)


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(env: dict, log: Path, *options: str) -> Server:
    port = free_port()
    handle = open(log, "ab")
    command = FUSIONCELL + ["serve", "--port", str(port), *options]
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=handle)
    handle.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return Server(process, base, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-3000:]}")


@dataclass
class LiveCell:
    """A cell initialised with `fusioncell init --demo` on a fresh database, and its servers."""

    backend: str
    url: str
    env: dict
    directory: Path
    servers: list[Server] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    def server(self, number: int = 0) -> Server:
        """The number-th long-lived server of this cell, started on first use."""
        while len(self.servers) <= number:
            self.servers.append(self.start_server())
        return self.servers[number]

    def start_server(self) -> Server:
        return start_server(self.env, self.directory / "servers.log")

    def token(self, party: str) -> str:
        if party not in self.tokens:
            username = PARTY_ACCOUNTS[party]
            response = httpx.post(
                f"{self.server().base}/api/v1/auth/login",
                json={"username": username, "password": DEMO_PASSWORD},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            self.tokens[party] = response.json()["token"]
        return self.tokens[party]

    def headers(self, party: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(party)}"}

    def post(self, party: str, path: str, *, server: int = 0, **kwargs) -> httpx.Response:
        return httpx.post(f"{self.server(server).base}{path}", headers=self.headers(party), timeout=30, **kwargs)

    def send(self, party: str, channel: str, body: str, *, server: int = 0, **fields) -> dict:
        response = self.post(party, "/api/v1/messages", server=server, json={"channel": channel, "body": body} | fields)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, party: str, path: str, *, server: int = 0) -> httpx.Response:
        return httpx.get(f"{self.server(server).base}{path}", headers=self.headers(party), timeout=30)

    def stream(self, party: str, *, server: int = 0, **kwargs) -> "EventStream":
        return EventStream(self.server(server).base, self.token(party), **kwargs)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@dataclass
class Event:
    id: str | None
    event: str
    data: Any
    received_at: float


class EventStream:
    """GET /api/v1/stream read by httpx in a thread of its own, parsed as the SSE specification says:
    fields id/event/data/retry, comments, an event dispatched on a blank line, the last event ID kept
    even from a frame without data (which dispatches no event)."""

    def __init__(
        self,
        base: str,
        token: str | None,
        *,
        last_event_id: int | str | None = None,
        query: str = "",
        wait_open: bool = True,
    ) -> None:
        self.url = f"{base}/api/v1/stream{query}"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        if last_event_id is not None:
            self.headers["Last-Event-ID"] = str(last_event_id)
        self.events: list[Event] = []
        self.comments: list[str] = []
        self.last_id: str | None = None
        self.frames = 0
        self.status: int | None = None
        self.response_headers: httpx.Headers | None = None
        self.error_body: bytes = b""
        self.error: BaseException | None = None
        self.ended = False
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._future = asyncio.run_coroutine_threadsafe(self._read(), self._loop)
        if wait_open:
            assert self.wait_for(lambda s: s.frames > 0 or s.ended, timeout=15), "the stream did not open"
            assert self.status == 200, f"stream answered {self.status}: {self.error_body!r} {self.error!r}"

    async def _read(self) -> None:
        try:
            timeout = httpx.Timeout(30, read=None)
            async with httpx.AsyncClient(timeout=timeout) as client:
                async with client.stream("GET", self.url, headers=self.headers) as response:
                    with self._changed:
                        self.status = response.status_code
                        self.response_headers = response.headers
                    if response.status_code != 200:
                        self.error_body = await response.aread()
                        return
                    fields: dict[str, Any] = {"data": []}
                    async for line in response.aiter_lines():
                        fields = self._feed(line, fields)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - reported to the test through .error
            self.error = exc
        finally:
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def _feed(self, line: str, fields: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            if line == "":
                self.frames += 1
                if "id" in fields:
                    self.last_id = fields["id"]
                if fields["data"]:
                    data = "\n".join(fields["data"])
                    self.events.append(
                        Event(fields.get("id"), fields.get("event", "message"), json.loads(data), time.monotonic())
                    )
                self._changed.notify_all()
                return {"data": []}
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                return fields
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                fields["data"].append(value)
            elif name in ("id", "event", "retry"):
                fields[name] = value
            return fields

    def wait_for(self, predicate: Callable[["EventStream"], bool], timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def wait_for_record(self, record_id: str, timeout: float = 10) -> Event:
        assert self.wait_for(lambda s: s.find(record_id) is not None, timeout), (
            f"record {record_id} never arrived; got {[e.data['id'] for e in self.events]}"
        )
        return self.find(record_id)

    def find(self, record_id: str) -> Event | None:
        return next((e for e in self.events if e.data["id"] == record_id), None)

    def ids(self) -> list[str]:
        return [e.data["id"] for e in self.events]

    def indices(self) -> list[int]:
        return [e.data["index"] for e in self.events]

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._future.cancel()
        self.wait_for(lambda s: s.ended, timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def base_env(directory: Path, url: str) -> dict[str, str]:
    return os.environ | {"FUSIONCELL_VAR_DIR": str(directory / "var"), "FUSIONCELL_DATABASE_URL": url}


@contextlib.contextmanager
def initialised_cell(backend: str, directory: Path) -> Iterator[LiveCell]:
    """`fusioncell init --demo` on a fresh database of `backend` under `directory`; afterwards its servers are
    stopped and a PostgreSQL database is dropped."""
    from tests.conftest import DEFAULT_POSTGRES, _postgres_database

    databases = None
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'var' / 'fusioncell.db'}"
    else:
        databases = _postgres_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
        url = next(databases)
    cell = LiveCell(backend, url, base_env(directory, url), directory)
    try:
        initialised = run_cli(cell.env, "init", "--demo")
        assert initialised.returncode == 0, initialised.stdout + initialised.stderr
        yield cell
    finally:
        cell.stop()
        if databases is not None:
            databases.close()  # runs its finally: the database is dropped
