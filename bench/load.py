"""Load test: many concurrent users of every party doing a realistic mix, on PostgreSQL with several workers.

Run with `.venv/bin/python bench/load.py` (`--help` for options; `--quick` for 30 users and 1 minute). Not part
of the test suite. Starts a throwaway demo cell on a fresh PostgreSQL database (`fusioncell init --demo`, then
`fusioncell serve --workers N`, both through bench/hotline.py's Cell), then, from a process of its own,
`--users` simulated users spread over the demo accounts of the six parties: each logs in once through the API,
a share of them keep /api/v1/stream open, and each loops over realistic actions with exponential think time
(reads far more often than writes): the inbox and channel messages, sending on the hotline, listing, opening,
reporting and acknowledging incidents, the map feed, intelligence reports, open-source search, HTML pages,
the ledger's status and checkpoint. After a warm-up (logins, streams opening, not counted) it measures for
`--minutes`: per endpoint (route template) count, rate, p50/p95/p99/max latency and errors (any answer
other than 2xx/3xx, timeouts, connection errors, with a sample of bodies); the RSS of every server process;
the client's CPU; the ledger's growth; and at the end `fusioncell ledger audit`. Prints each figure beside
its target and writes bench/results/load.json.
"""

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import re
import resource
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from fusioncell.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from fusioncell.events.tail import MAX_STREAM_SECONDS
from hotline import DEFAULT_POSTGRES, Cell, postgres_database  # the hotline bench's throwaway cell and database

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
TARGET_P99_MS = 500.0  # per endpoint, under this load (our choice: a page or a call feels immediate below it)
TARGET_ERRORS = 0
EVENT_ID = re.compile(rb"(?m)^id: ([^\r\n]+)$")

# Who the users are: a share of the users per demo account (the principals' liaison officers most).
SHARES = {
    "isr.liaison": 0.20,
    "isr.intel": 0.06,
    "isr.admin": 0.02,
    "syr.liaison": 0.18,
    "syr.intel": 0.06,
    "syr.deesc": 0.06,
    "usa.mediator": 0.14,
    "usa.supervisor": 0.03,
    "fra.observer": 0.08,
    "jor.observer": 0.08,
    "undof.observer": 0.09,
}
ROLES = {a.username: set(a.roles) for a in DEMO_ACCOUNTS}
PARTY = {a.username: a.party for a in DEMO_ACCOUNTS}

# Realistic content (the Golan: lat 32.75-33.35, lon 35.75-35.95).
MESSAGES = (
    "Patrol reports vehicle movement near the line; please confirm it is not yours.",
    "Received. Checking with the units in the area, will revert within the hour.",
    "Convoy to Suwayda departs 14:00 local, six trucks, escorted. Please pass to your units.",
    "Two explosions heard east of the Area of Separation at about 09:40. Any information?",
    "Drone sighted heading north-east at low altitude. Not ours.",
    "Agenda item for the plenary: lead times for humanitarian convoys.",
    "Confirming the meeting tomorrow at the usual place, 10:00.",
    "تم الاستلام. نتحقق مع الوحدات في المنطقة.",
    "התקבל. בודקים מול הכוחות בשטח.",
)
PRECEDENCE = (("routine", 0.70), ("priority", 0.15), ("immediate", 0.12), ("flash", 0.03))
INCIDENT_TYPES = ("armed-clash", "shelling-artillery-missile-attack")
INCIDENT_TEXT = (
    "Small-arms fire heard from the ridge for about ten minutes.",
    "Explosion reported on the outskirts of the village; no casualties known.",
    "Exchange of fire between an unidentified group and a patrol.",
)
SEARCH_TERMS = ("Quneitra", "convoy", "crossing", "drone", "UNDOF", "Suwayda", "ceasefire")
PAGES = ("/", "/hotline", "/incidents", "/map", "/intel", "/inbox", "/dashboard/deescalation")

console = Console(stderr=True)


def plan_users(users: int, seed: int) -> list[str]:
    """`users` accounts in proportion to SHARES (largest remainder), shuffled."""
    exact = {u: s * users for u, s in SHARES.items()}
    counts = {u: int(x) for u, x in exact.items()}
    for u in sorted(exact, key=lambda u: exact[u] - counts[u], reverse=True)[: users - sum(counts.values())]:
        counts[u] += 1
    plan = [u for u, n in counts.items() for _ in range(n)]
    random.Random(seed).shuffle(plan)
    return plan


# ---------------------------------------------------------------- the client process


class Recorder:
    """Every request of the measured window: latency per endpoint template, errors with sample bodies."""

    def __init__(self) -> None:
        self.measuring = False
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, list[str]] = defaultdict(list)
        self.statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.warmup_errors: dict[str, int] = defaultdict(int)
        self.warmup_samples: list[str] = []
        self.warmup_latencies: dict[str, list[float]] = defaultdict(list)

    def note(self, name: str, started: float, elapsed: float, status: int | str, body: str = "") -> None:
        ok = isinstance(status, int) and status < 400
        if not self.measuring:
            if ok:
                self.warmup_latencies[name].append(elapsed * 1000)
            else:
                self.warmup_errors[name] += 1
                if len(self.warmup_samples) < 10:
                    self.warmup_samples.append(f"{name} → {status}: {body[:300]}")
            return
        self.statuses[name][str(status)] += 1
        if ok:
            self.latencies[name].append(elapsed * 1000)
        else:
            self.errors[name] += 1
            if len(self.samples[name]) < 5:
                self.samples[name].append(f"{status}: {body[:400]}")


class User:
    """One person at a desk: logs in once, then loops over actions with exponential think time."""

    def __init__(self, number: int, username: str, env: "ClientEnv") -> None:
        self.number, self.username, self.env = number, username, env
        self.party, self.roles = PARTY[username], ROLES[username]
        self.random = random.Random(env.seed * 100_003 + number)
        self.headers: dict[str, str] = {}
        self.channels: list[str] = []  # readable
        self.postable: list[str] = []
        self.seen_messages: dict[str, list[tuple[str, str]]] = {}  # channel -> [(id, origin party)]
        self.incidents: list[str] = []
        self.reports: list[str] = []
        self.owed_messages: list[str] = []
        self.sent = 0

    # -- HTTP with recording

    async def call(self, method: str, name: str, path: str, **kwargs) -> httpx.Response | None:
        headers = self.headers | kwargs.pop("headers", {})
        if method != "GET":
            headers["Idempotency-Key"] = f"load-{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            response = await self.env.client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            self.env.recorder.note(name, started, time.perf_counter() - started, "timeout", repr(exc))
            return None
        except httpx.HTTPError as exc:
            self.env.recorder.note(name, started, time.perf_counter() - started, "connection", repr(exc))
            return None
        elapsed = time.perf_counter() - started
        location = response.headers.get("location", "")
        status = response.status_code
        if 300 <= status < 400 and location.startswith("/login"):
            status = f"{status}→login"  # a page that sent us to log in did not work
        self.env.recorder.note(
            name, started, elapsed, status, response.text if not isinstance(status, int) or status >= 400 else ""
        )
        return response if isinstance(status, int) and status < 400 else None

    async def get_json(self, name: str, path: str, **kwargs):
        response = await self.call("GET", name, path, **kwargs)
        return response.json() if response is not None else None

    # -- start

    async def login(self) -> bool:
        response = await self.call(
            "POST",
            "POST /api/v1/auth/login",
            "/api/v1/auth/login",
            json={"username": self.username, "password": DEMO_PASSWORD},
        )
        if response is None:
            return False
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}
        channels = await self.get_json("GET /api/v1/channels", "/api/v1/channels")
        if channels is None:
            return False
        self.channels = [c["code"] for c in channels["items"]]
        self.postable = [c["code"] for c in channels["items"] if c.get("may_post")]
        return True

    async def stream(self, stop: asyncio.Event) -> None:
        """Keep /api/v1/stream open as a page does; count what arrives. The server ends every stream after
        MAX_STREAM_SECONDS and the page reconnects with its Last-Event-ID: that is a reconnection, not an
        error. A stream ended sooner, or a failed connection, is an error; then reconnect."""
        name = "GET /api/v1/stream (open)"
        last_id: bytes | None = None
        while not stop.is_set():
            started = time.perf_counter()
            headers = self.headers | ({"Last-Event-ID": last_id.decode()} if last_id else {})
            try:
                async with self.env.streams.stream("GET", "/api/v1/stream", headers=headers) as response:
                    self.env.recorder.note(
                        name,
                        started,
                        time.perf_counter() - started,
                        response.status_code,
                        (await response.aread()).decode(errors="replace") if response.status_code >= 400 else "",
                    )
                    if response.status_code != 200:
                        await asyncio.sleep(1)
                        continue
                    self.env.streams_open += 1
                    try:
                        async for chunk in response.aiter_raw():
                            self.env.stream_bytes += len(chunk)
                            ids = EVENT_ID.findall(chunk)
                            last_id = ids[-1] if ids else last_id
                            if stop.is_set():
                                return
                    finally:
                        self.env.streams_open -= 1
                lasted = time.perf_counter() - started
                if stop.is_set():
                    return
                if lasted >= MAX_STREAM_SECONDS - 5:  # its time was up, as designed: reconnect and resume
                    self.env.recorder.note("GET /api/v1/stream (reconnected after its time)", started, 0, 200, "")
                else:
                    self.env.recorder.note(
                        "GET /api/v1/stream (dropped)", started, 0, "closed", "the server closed the stream early"
                    )
            except (httpx.HTTPError, OSError) as exc:
                if stop.is_set():
                    return
                self.env.recorder.note("GET /api/v1/stream (dropped)", started, 0, "connection", repr(exc))
                await asyncio.sleep(1)

    # -- the actions: (weight, coroutine), by role

    def actions(self) -> list[tuple[float, object]]:
        roles, party = self.roles, self.party
        principal = party in ("ISR", "SYR")
        speaks = bool(self.postable) and not roles <= {"admin", "supervisor"}
        acts: list[tuple[float, object]] = [
            (10, self.read_inbox),
            (16, self.read_channel),
            (6, self.open_message),
            (10, self.list_incidents),
            (6, self.open_incident),
            (4, self.map_feed),
            (5, self.list_reports),
            (2, self.open_report),
            (2, self.list_notices),
            (3, self.search),
            (9, self.open_page),
            (2, self.ledger_status),
            (2, self.ledger_checkpoint),
        ]
        if not roles <= {"admin", "supervisor"}:
            acts.append((3, self.mark_read))
            acts.append((3, self.acknowledge_message))
        if speaks:
            acts.append((4 if roles & {"liaison", "observer"} else 2, self.send_message))
        if roles & {"liaison", "observer", "officer:deescalation"}:
            acts.append((2 if "officer:deescalation" in roles else 1, self.report_incident))
        if principal and roles & {"liaison", "officer:deescalation"}:
            acts.append((3, self.acknowledge_incident))
        if "officer:intelligence" in roles:
            acts.append((3, self.write_report))
        elif roles & {"liaison", "observer"}:
            acts.append((0.3, self.write_report))
        return acts

    async def read_inbox(self) -> None:
        inbox = await self.get_json("GET /api/v1/inbox", "/api/v1/inbox")
        if inbox is not None:
            self.owed_messages = [m["id"] for m in inbox["acknowledgements"]]

    async def read_channel(self, channel: str | None = None) -> None:
        channel = channel or self.random.choice(self.channels)
        page = await self.get_json("GET /api/v1/messages", "/api/v1/messages", params={"channel": channel, "limit": 50})
        if page is not None:
            self.seen_messages[channel] = [(m["id"], m["origin_party"]) for m in page["items"]]

    async def open_message(self) -> None:
        if not self.seen_messages:
            return await self.read_channel()
        channel = self.random.choice(list(self.seen_messages))
        if self.seen_messages[channel]:
            message_id, _ = self.random.choice(self.seen_messages[channel][:20])
            await self.call("GET", "GET /api/v1/messages/{message_id}", f"/api/v1/messages/{message_id}")

    async def mark_read(self) -> None:
        """A read receipt for a message of another party this user saw (as opening it does)."""
        others = [(c, m) for c, ms in self.seen_messages.items() for m, origin in ms[:10] if origin != self.party]
        if not others:
            return await self.read_channel()
        _, message_id = self.random.choice(others)
        await self.call("POST", "POST /api/v1/messages/{message_id}/read", f"/api/v1/messages/{message_id}/read")

    async def acknowledge_message(self) -> None:
        """Acknowledge a message the inbox says the party owes (the server records it once per party)."""
        if not self.owed_messages:
            return await self.read_inbox()
        message_id = self.owed_messages.pop(self.random.randrange(len(self.owed_messages)))
        await self.call(
            "POST", "POST /api/v1/messages/{message_id}/acknowledge", f"/api/v1/messages/{message_id}/acknowledge"
        )

    async def send_message(self) -> None:
        channel = (
            "hotline"
            if "hotline" in self.postable and self.random.random() < 0.75
            else self.random.choice(self.postable)
        )
        body = {
            "channel": channel,
            "body": f"[load {self.number}.{self.sent}] {self.random.choice(MESSAGES)}",
            "precedence": self.random.choices([p for p, _ in PRECEDENCE], [w for _, w in PRECEDENCE])[0],
            "idempotency_key": f"load-{uuid.uuid4().hex}",
        }
        seen = self.seen_messages.get(channel)
        if seen and self.random.random() < 0.3:
            body["reply_to"] = self.random.choice(seen[:10])[0]
        self.sent += 1
        await self.call("POST", "POST /api/v1/messages", "/api/v1/messages", json=body)

    async def list_incidents(self) -> None:
        params: dict = {"limit": 50}
        pick = self.random.random()
        if pick < 0.2:
            params["type"] = self.random.choice(INCIDENT_TYPES)
        elif pick < 0.4:
            params["since"] = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        elif pick < 0.5:
            params["stage"] = "reported"
        page = await self.get_json("GET /api/v1/incidents", "/api/v1/incidents", params=params)
        if page is not None:
            self.incidents = [i["id"] for i in page["items"]] or self.incidents

    async def open_incident(self) -> None:
        if not self.incidents:
            return await self.list_incidents()
        incident_id = self.random.choice(self.incidents[:20])
        await self.call("GET", "GET /api/v1/incidents/{incident_id}", f"/api/v1/incidents/{incident_id}")

    async def report_incident(self) -> None:
        now = datetime.now(UTC)
        body = {
            "occurred_at": (now - timedelta(minutes=self.random.randint(1, 120))).isoformat(),
            "time_precision": self.random.choice(("exact", "exact", "hour")),
            "location": {
                "type": "Point",
                "coordinates": [
                    round(self.random.uniform(35.75, 35.95), 5),
                    round(self.random.uniform(32.75, 33.35), 5),
                ],
            },
            "geo_precision": self.random.choice(("exact", "near")),
            "type": self.random.choice(INCIDENT_TYPES),
            "severity": self.random.randint(1, 4),
            "description": f"[load {self.number}] {self.random.choice(INCIDENT_TEXT)}",
            "sources": ["patrol report"],
        }
        await self.call("POST", "POST /api/v1/incidents", "/api/v1/incidents", json=body)

    async def acknowledge_incident(self) -> None:
        """Acknowledge an incident owed by the party. Only one officer of a party acknowledges each (the
        second would rightly get 409), so the client process claims it first, as a desk would share out work."""
        page = await self.get_json(
            "GET /api/v1/incidents", "/api/v1/incidents", params={"stage": "reported", "limit": 50}
        )
        if page is None:
            return
        owed = [
            i["id"]
            for i in page["items"]
            if self.party in i["ack_parties"]
            and self.party not in i["acknowledged_parties"]
            and (i["id"], self.party) not in self.env.claimed
        ]
        if owed:
            incident_id = self.random.choice(owed)
            self.env.claimed.add((incident_id, self.party))
            await self.call(
                "POST",
                "POST /api/v1/incidents/{incident_id}/acknowledge",
                f"/api/v1/incidents/{incident_id}/acknowledge",
            )

    async def map_feed(self) -> None:
        await self.call("GET", "GET /api/v1/incidents/map", "/api/v1/incidents/map")

    async def list_reports(self) -> None:
        page = await self.get_json("GET /api/v1/intel/reports", "/api/v1/intel/reports", params={"limit": 50})
        if page is not None:
            self.reports = [r["id"] for r in page["items"]] or self.reports

    async def open_report(self) -> None:
        if not self.reports:
            return await self.list_reports()
        report_id = self.random.choice(self.reports[:20])
        await self.call("GET", "GET /api/v1/intel/reports/{report_id}", f"/api/v1/intel/reports/{report_id}")

    async def write_report(self) -> None:
        body = {
            "title": f"[load {self.number}] Vehicle movement observed",
            "summary": "Two trucks seen moving north on the road at dawn; no markings visible.",
            "source_reliability": self.random.choice("ABCDEF"),
            "credibility": self.random.choice("123456"),
            "observables": [],
            "releasable_to": ["USA"],
            "observed_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "draft": self.random.random() < 0.2,
        }
        await self.call("POST", "POST /api/v1/intel/reports", "/api/v1/intel/reports", json=body)

    async def list_notices(self) -> None:
        await self.call("GET", "GET /api/v1/notices", "/api/v1/notices")

    async def search(self) -> None:
        await self.call(
            "GET",
            "GET /api/v1/osint/articles?q=",
            "/api/v1/osint/articles",
            params={"q": self.random.choice(SEARCH_TERMS)},
        )

    async def open_page(self) -> None:
        page = self.random.choice(PAGES + ("/hotline/{channel_code}", "/incidents/{incident_id}"))
        if page == "/hotline/{channel_code}":
            path = f"/hotline/{self.random.choice(self.channels)}"
        elif page == "/incidents/{incident_id}":
            if not self.incidents:
                return await self.list_incidents()
            path = f"/incidents/{self.random.choice(self.incidents[:20])}"
        else:
            path = page
        await self.call("GET", f"GET {page} (page)", path)

    async def ledger_status(self) -> None:
        await self.call("GET", "GET /api/v1/ledger/status", "/api/v1/ledger/status")

    async def ledger_checkpoint(self) -> None:
        await self.call("GET", "GET /api/v1/ledger/checkpoint", "/api/v1/ledger/checkpoint")

    # -- the loop

    async def run(self, delay: float, with_stream: bool, stop: asyncio.Event) -> None:
        await asyncio.sleep(delay)
        for attempt in range(5):
            if await self.login():
                break
            await asyncio.sleep(2 * (attempt + 1))
        else:
            self.env.arrived += 1
            return
        self.env.arrived += 1
        stream = asyncio.create_task(self.stream(stop)) if with_stream else None
        acts = self.actions()
        functions, weights = [a for _, a in acts], [w for w, _ in acts]
        await self.read_channel()  # what one sees first
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.random.expovariate(1 / self.env.think))
                break
            except TimeoutError:
                pass
            await self.random.choices(functions, weights)[0]()
        if stream is not None:
            try:
                await asyncio.wait_for(stream, 5)
            except (TimeoutError, asyncio.CancelledError):
                stream.cancel()


class ClientEnv:
    def __init__(self, base: str, think: float, seed: int, connections: int) -> None:
        self.think, self.seed = think, seed
        self.recorder = Recorder()
        self.claimed: set[tuple[str, str]] = set()
        self.stream_bytes = 0
        self.arrived = 0  # users past their login (logged in or given up)
        self.streams_open = 0
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.client = httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30.0, pool=60.0), limits=limits)
        self.streams = httpx.AsyncClient(
            base_url=base, timeout=httpx.Timeout(30.0, read=None), limits=httpx.Limits(max_connections=None)
        )


async def drive(base: str, options: dict, ready, results) -> None:
    env = ClientEnv(base, options["think"], options["seed"], options["connections"])
    plan = plan_users(options["users"], options["seed"])
    chooser = random.Random(options["seed"])
    stop = asyncio.Event()
    ramp = options["warmup"] * 0.6  # users arrive over most of the warm-up
    users = [User(n, username, env) for n, username in enumerate(plan)]
    with_stream = [chooser.random() < options["stream_share"] for _ in users]
    tasks = [
        asyncio.create_task(user.run(chooser.uniform(0, ramp), streams, stop))
        for user, streams in zip(users, with_stream, strict=True)
    ]
    await asyncio.sleep(options["warmup"])
    began = time.perf_counter()  # the window starts once every user is in (logins are slow: Argon2id)
    while env.arrived < len(users) and time.perf_counter() - began < 600:
        await asyncio.sleep(0.5)
    if time.perf_counter() - began > 0.5:
        await asyncio.sleep(5)  # the last arrivals' first page
    warmup = options["warmup"] + time.perf_counter() - began
    env.recorder.measuring = True
    usage0, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    bytes0, streams_at_start = env.stream_bytes, env.streams_open
    ready.set()  # the conductor samples the server's start figures now
    await asyncio.sleep(options["minutes"] * 60)
    elapsed = time.perf_counter() - started
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    streams_at_end = env.streams_open
    stop.set()  # users finish the action in hand (counted: it started in the window), then leave
    await asyncio.wait(tasks, timeout=60)
    env.recorder.measuring = False
    for task in tasks:
        task.cancel()
    await env.client.aclose()
    await env.streams.aclose()
    recorder = env.recorder
    results.put(
        {
            "elapsed": elapsed,
            "warmup": warmup,
            "logins_ms": sorted(env.recorder.warmup_latencies.get("POST /api/v1/auth/login", [])),
            "warmup_latencies": dict(env.recorder.warmup_latencies),
            "client_cpu_seconds": (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime),
            "client_max_rss_mb": usage1.ru_maxrss / 1024,
            "stream_bytes": env.stream_bytes - bytes0,
            "streams_at_start": streams_at_start,
            "streams_at_end": streams_at_end,
            "stream_users": sum(1 for w in with_stream if w),
            "latencies": dict(recorder.latencies),
            "errors": dict(recorder.errors),
            "samples": dict(recorder.samples),
            "statuses": {k: dict(v) for k, v in recorder.statuses.items()},
            "warmup_errors": dict(recorder.warmup_errors),
            "warmup_samples": recorder.warmup_samples,
            "users_by_account": {u: plan.count(u) for u in SHARES},
            "logged_in": sum(1 for u in users if u.headers),
        }
    )


def client_process(base: str, options: dict, ready, results) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    run(drive(base, options, ready, results))


# ---------------------------------------------------------------- the conductor: server memory, ledger, audit


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry))
            except (OSError, IndexError):
                continue
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def command(pid: int) -> str:
    """What a server process is: the parent, a worker, multiprocessing's resource tracker, or its command."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            line = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"
    if "resource_tracker" in line:
        return "resource tracker"
    if "spawn_main" in line:
        return "worker"
    return "parent" if " serve " in line else line[:80]


def rss_and_cpu(pid: int) -> tuple[float, float] | None:
    """RSS in MB and CPU seconds (user + system) of one process."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, StopIteration, IndexError):
        return None


class Sampler(threading.Thread):
    """RSS of every server process (the parent and its workers) every `every` seconds."""

    def __init__(self, root: int, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.root, self.every = root, every
        self.samples: list[dict] = []
        self.done = threading.Event()

    def sample(self) -> dict:
        processes = {}
        for pid in process_tree(self.root):
            figures = rss_and_cpu(pid)
            if figures:
                processes[pid] = figures
        return {
            "t": time.time(),
            "rss_mb": sum(r for r, _ in processes.values()),
            "cpu_s": sum(c for _, c in processes.values()),
            "per_process_mb": {f"{p} {command(p)}": round(r, 1) for p, (r, _) in processes.items()},
        }

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.samples.append(self.sample())


def ledger_size(base: str) -> int:
    return httpx.get(f"{base}/healthz", timeout=30).json()["ledger_size"]


def server_5xx(base: str, token: str) -> dict[str, float]:
    """Answers by status class, as the server counted them (its Prometheus metrics, every worker)."""
    text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30).text
    classes: dict[str, float] = defaultdict(float)
    for line in text.splitlines():
        if line.startswith("fusioncell_http_requests_total{"):
            status = line.split('status="', 1)[1].split('"', 1)[0]
            classes[status[0] + "xx"] += float(line.rsplit(" ", 1)[1])
    return dict(classes)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(p * len(values)) - 1)]


def measure(args: argparse.Namespace, url: str) -> dict:
    cell = Cell(url, args.workers)
    metrics_token = secrets.token_urlsafe(24)
    cell.env |= {"FUSIONCELL_METRICS_TOKEN": metrics_token}
    with cell:
        console.print(
            f"[bold]{args.users} users[/] on PostgreSQL, {args.workers} server processes, think {args.think:g} s, "
            f"warm-up {args.warmup:g} s, then {args.minutes:g} min measured "
            f"({cell.base}; log {cell.home / 'server.log'})"
        )
        sampler = Sampler(cell.process.pid)
        sampler.start()
        spawn = multiprocessing.get_context("spawn")
        ready, results = spawn.Event(), spawn.Queue()
        options = {
            k: getattr(args, k) for k in ("users", "think", "seed", "connections", "warmup", "minutes", "stream_share")
        }
        client = spawn.Process(target=client_process, args=(cell.base, options, ready, results))
        client.start()
        try:
            if not ready.wait(args.warmup + 720):
                raise RuntimeError("the client process did not finish its warm-up")
            start = sampler.sample() | {"ledger_size": ledger_size(cell.base), "load": os.getloadavg()[0]}
            first_sample = len(sampler.samples)
            console.print(f"warm-up over; measuring for {args.minutes:g} min …")
            run = results.get(True, args.minutes * 60 + args.warmup + 300)
            end = sampler.sample() | {"ledger_size": ledger_size(cell.base), "load": os.getloadavg()[0]}
        finally:
            client.join(60)
            if client.is_alive():
                client.kill()
            sampler.done.set()
        window = sampler.samples[first_sample:] or [end]
        classes = server_5xx(cell.base, metrics_token)
        began = time.perf_counter()
        audit = subprocess.run(
            [sys.executable, "-m", "fusioncell", "ledger", "audit"], env=cell.env, capture_output=True, text=True
        )
        audit_seconds = time.perf_counter() - began
        final_size = ledger_size(cell.base)
    return {
        "run": run,
        "start": start,
        "end": end,
        "peak_rss_mb": max(s["rss_mb"] for s in window),
        "peak_sample": max(window, key=lambda s: s["rss_mb"]),
        "warmup_peak_rss_mb": max((s["rss_mb"] for s in sampler.samples[:first_sample]), default=None),
        "rss_series": [(round(s["t"] - start["t"], 1), round(s["rss_mb"], 1)) for s in sampler.samples],
        "server_status_classes": classes,
        "audit": {
            "returncode": audit.returncode,
            "seconds": audit_seconds,
            "ledger_size": final_size,
            "output": (audit.stdout + audit.stderr)[-3000:],
        },
    }


def report(args: argparse.Namespace, measured: dict, load_start: float, load_end: float) -> dict:
    run, start, end = measured["run"], measured["start"], measured["end"]
    elapsed = run["elapsed"]
    endpoints = {}
    for name in sorted(set(run["latencies"]) | set(run["errors"])):
        lat = run["latencies"].get(name, [])
        errors = run["errors"].get(name, 0)
        endpoints[name] = {
            "count": len(lat) + errors,
            "per_s": (len(lat) + errors) / elapsed,
            "p50_ms": percentile(lat, 0.50),
            "p95_ms": percentile(lat, 0.95),
            "p99_ms": percentile(lat, 0.99),
            "max_ms": max(lat) if lat else float("nan"),
            "errors": errors,
            "statuses": run["statuses"].get(name, {}),
            "error_samples": run["samples"].get(name, []),
        }
    warm = run["warmup_latencies"]
    warm_writes = [x for n, v in warm.items() if not n.startswith("GET") and "login" not in n for x in v]
    warm_reads = [x for n, v in warm.items() if n.startswith("GET") and "stream" not in n for x in v]
    warmup_endpoints = {
        n: {"count": len(v), "p50_ms": percentile(v, 0.5), "p99_ms": percentile(v, 0.99), "max_ms": max(v)}
        for n, v in warm.items()
        if v
    }
    timed = [n for n in endpoints if "(dropped)" not in n]
    all_lat = [x for n in timed if "stream" not in n for x in run["latencies"].get(n, [])]
    total = sum(e["count"] for n, e in endpoints.items() if "(dropped)" not in n)
    errors = sum(e["errors"] for e in endpoints.values())
    writes = sum(e["count"] for n, e in endpoints.items() if not n.startswith("GET"))
    growth = end["ledger_size"] - start["ledger_size"]
    audit_clean = measured["audit"]["returncode"] == 0
    summary = {
        "users": args.users,
        "logged_in": run["logged_in"],
        "users_by_account": run["users_by_account"],
        "server_processes": args.workers,
        "think_mean_s": args.think,
        "stream_share": args.stream_share,
        "warmup_s": run["warmup"],
        "logins_ms": {
            "count": len(run["logins_ms"]),
            "p50": percentile(run["logins_ms"], 0.5),
            "p99": percentile(run["logins_ms"], 0.99),
            "max": max(run["logins_ms"], default=float("nan")),
        },
        "measured_s": elapsed,
        "requests": total,
        "requests_per_s": total / elapsed,
        "writes_per_s": writes / elapsed,
        "p50_ms_all": percentile(all_lat, 0.50),
        "p99_ms_all": percentile(all_lat, 0.99),
        "errors": errors,
        "warmup_errors": run["warmup_errors"],
        "warmup_endpoints": warmup_endpoints,
        "warmup_error_samples": run["warmup_samples"],
        "endpoints_over_p99_target": [n for n in timed if endpoints[n]["p99_ms"] > TARGET_P99_MS],
        "server_rss_mb": {
            "start": start["rss_mb"],
            "peak": measured["peak_rss_mb"],
            "end": end["rss_mb"],
            "warmup_peak": measured["warmup_peak_rss_mb"],
            "processes_at_end": len(end["per_process_mb"]),
            "per_process_end": end["per_process_mb"],
        },
        "server_cpu_s": end["cpu_s"] - start["cpu_s"],
        "client_cpu_s": run["client_cpu_seconds"],
        "client_max_rss_mb": run["client_max_rss_mb"],
        "stream_bytes": run["stream_bytes"],
        "streams": {k: run[k] for k in ("stream_users", "streams_at_start", "streams_at_end")},
        "ledger": {
            "start": start["ledger_size"],
            "end": end["ledger_size"],
            "growth": growth,
            "entries_per_s": growth / elapsed,
            "after_audit": measured["audit"]["ledger_size"],
        },
        "audit": measured["audit"],
        "server_status_classes_whole_run": measured["server_status_classes"],
        "rss_series": measured["rss_series"],
        "cores": os.cpu_count(),
        "load_start": load_start,
        "load_end": load_end,
        "target_p99_ms": TARGET_P99_MS,
        "target_errors": TARGET_ERRORS,
    }

    table = Table(
        title=f"Load: {args.users} users, {args.workers} server processes on PostgreSQL, "
        f"{elapsed / 60:.1f} min measured ({os.cpu_count()} cores; load {load_start:.1f} → {load_end:.1f}; "
        "server, database and client share this machine)"
    )
    for column, justify in (
        ("endpoint", "left"),
        ("count", "right"),
        ("/s", "right"),
        ("p50 ms", "right"),
        ("p95 ms", "right"),
        ("p99 ms (< 500)", "right"),
        ("max ms", "right"),
        ("errors (0)", "right"),
    ):
        table.add_column(column, justify=justify)
    for name, e in sorted(endpoints.items(), key=lambda kv: -kv[1]["count"]):
        p99 = f"{e['p99_ms']:.0f}"
        if e["p99_ms"] > TARGET_P99_MS:
            p99 = f"[red]{p99}[/]"
        table.add_row(
            name,
            f"{e['count']:,}",
            f"{e['per_s']:.2f}",
            f"{e['p50_ms']:.0f}",
            f"{e['p95_ms']:.0f}",
            p99,
            f"{e['max_ms']:.0f}",
            f"[red]{e['errors']}[/]" if e["errors"] else "0",
        )
    Console(width=160).print(table)

    totals = Table(title="Totals beside their targets")
    for column in ("figure", "measured", "target", "met"):
        totals.add_column(column)
    rss = summary["server_rss_mb"]
    yes = lambda ok: "[green]yes[/]" if ok else "[red]no[/]"  # noqa: E731
    rows = [
        (
            "requests/s (all endpoints)",
            f"{summary['requests_per_s']:.1f} ({total:,} requests; writes {summary['writes_per_s']:.2f}/s)",
            "",
            "",
        ),
        (
            "latency, every request but the stream",
            f"p50 {summary['p50_ms_all']:.0f} ms, p99 {summary['p99_ms_all']:.0f} ms",
            "",
            "",
        ),
        ("errors (non-2xx/3xx, timeouts, connection)", str(errors), "0", yes(errors == 0)),
        (
            "endpoints with p99 ≥ 500 ms",
            ", ".join(summary["endpoints_over_p99_target"]) or "none",
            "none",
            yes(not summary["endpoints_over_p99_target"]),
        ),
        (
            "server 5xx, whole run (its own metrics)",
            f"{int(summary['server_status_classes_whole_run'].get('5xx', 0))}",
            "0",
            yes(not summary["server_status_classes_whole_run"].get("5xx")),
        ),
        (
            "warm-up errors (logins, streams; not counted above)",
            str(sum(run["warmup_errors"].values())),
            "0",
            yes(not run["warmup_errors"]),
        ),
        (
            "live streams open: start / end of the window (dropped: errors above)",
            f"{run['streams_at_start']} / {run['streams_at_end']} of {run['stream_users']}; "
            f"{run['stream_bytes'] / 1e6:.1f} MB received",
            "all",
            yes(run["streams_at_start"] == run["streams_at_end"] == run["stream_users"]),
        ),
        ("users logged in", f"{run['logged_in']} of {args.users}", "all", yes(run["logged_in"] == args.users)),
        (
            "logins in the warm-up (Argon2id; not counted above)",
            f"p50 {summary['logins_ms']['p50']:.0f} ms, max {summary['logins_ms']['max']:.0f} ms; "
            f"warm-up {run['warmup']:.0f} s",
            "",
            "",
        ),
        (
            "meanwhile, in the warm-up: other writes / reads, p99 (max)",
            f"{percentile(warm_writes, 0.99):.0f} ({max(warm_writes, default=float('nan')):.0f}) ms / "
            f"{percentile(warm_reads, 0.99):.0f} ({max(warm_reads, default=float('nan')):.0f}) ms",
            "",
            "",
        ),
        (
            f"server RSS, {rss['processes_at_end']} processes: start / peak / end",
            f"{rss['start']:.0f} / {rss['peak']:.0f} / {rss['end']:.0f} MB "
            f"(warm-up peak {rss['warmup_peak'] or 0:.0f})",
            "",
            "",
        ),
        (
            "server CPU (all its processes)",
            f"{summary['server_cpu_s']:.0f} s = {summary['server_cpu_s'] / elapsed:.2f} cores",
            "",
            "",
        ),
        (
            "client CPU (its own process)",
            f"{summary['client_cpu_s']:.0f} s = {summary['client_cpu_s'] / elapsed:.2f} cores",
            "",
            "",
        ),
        (
            "ledger growth",
            f"{summary['ledger']['start']:,} → {summary['ledger']['end']:,} "
            f"(+{growth:,}, {summary['ledger']['entries_per_s']:.1f}/s)",
            "",
            "",
        ),
        (
            "fusioncell ledger audit",
            f"{'clean' if audit_clean else 'FAILED'} ({measured['audit']['seconds']:.1f} s)",
            "clean",
            yes(audit_clean),
        ),
    ]
    for row in rows:
        totals.add_row(*row)
    Console(width=160).print(totals)
    for name, e in endpoints.items():
        for sample in e["error_samples"]:
            console.print(f"[red]{name}[/] {sample}")
    if not audit_clean:
        console.print(measured["audit"]["output"])
    return {"summary": summary, "endpoints": endpoints}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help="simulated users (default 200; --quick 30)")
    parser.add_argument("--minutes", type=float, default=None, help="measured, after warm-up (default 10; --quick 1)")
    parser.add_argument("--workers", type=int, default=4, help="server processes (fusioncell serve --workers)")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean think time between a user's actions, s (exponential)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="s before measuring: users log in over 60 %% of it (default 45; --quick 15)",
    )
    parser.add_argument("--stream-share", type=float, default=0.5, help="share of users keeping /api/v1/stream open")
    parser.add_argument("--connections", type=int, default=100, help="the client's connection limit (streams apart)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="30 users, 1 minute (unless given)")
    parser.add_argument("--postgres-url", default=os.environ.get("FUSIONCELL_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.users is None:
        args.users = 30 if args.quick else 200
    if args.minutes is None:
        args.minutes = 1.0 if args.quick else 10.0
    if args.warmup is None:
        args.warmup = 15.0 if args.quick else 45.0

    load_start = os.getloadavg()[0]
    url, drop = postgres_database(args.postgres_url)
    try:
        measured = measure(args, url)
    finally:
        drop()
    results = report(args, measured, load_start, os.getloadavg()[0])
    results["options"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    console.print(f"written to {args.output}")


if __name__ == "__main__":
    main()
