"""SIGKILL the server, again and again, while the parties write a realistic mix: ISR's hotline messages (each
with the hotline's idempotency key, retried until acknowledged), SYR's acknowledgements of them, SYR's incident
reports, ISR's intelligence reports (these three with the generic Idempotency-Key header, retried until
acknowledged, across the kills). After every kill and restart the audit is clean; at the end every acknowledged
write is stored, no retried message, acknowledgement, incident or report was stored twice, and the cell holds
exactly the incidents and reports that were acknowledged. On SQLite and on PostgreSQL."""

import itertools
import signal
import threading
import time
import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from fusioncell.db.session import Database
from fusioncell.demo import DEMO_PASSWORD
from fusioncell.incidents.models import Incident
from fusioncell.intel.models import IntelReport
from tests.events.live import base_env, run_cli, start_server
from tests.incidents.conftest import report_body as incident_body
from tests.intel.conftest import report_body as intel_body

pytestmark = pytest.mark.slow
ROUNDS = 3


class Party:
    """One account writing through whichever server is up, retrying what failed."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.base: str | None = None
        self.token: str | None = None

    def client(self) -> httpx.Client:
        if self.token is None:
            credentials = {"username": self.username, "password": DEMO_PASSWORD}
            login = httpx.post(f"{self.base}/api/v1/auth/login", json=credentials)
            self.token = login.json()["token"]
        return httpx.Client(base_url=self.base, headers={"authorization": f"Bearer {self.token}"}, timeout=5)


class MixedLoad:
    def __init__(self) -> None:
        self.isr, self.syr, self.isr_intel = Party("isr.liaison"), Party("syr.liaison"), Party("isr.intel")
        self.messages: dict[str, str] = {}  # idempotency key -> message id
        self.acknowledged: set[str] = set()  # message ids SYR acknowledged
        self.incidents: set[str] = set()
        self.reports: set[str] = set()
        # kind -> (Idempotency-Key, body) of the write sent and not yet acknowledged: resent, across the kills,
        # with the same key and the same bytes until it is
        self.pending: dict[str, tuple[str, dict] | None] = {"incident": None, "report": None}
        self.replayed = 0
        self.running = threading.Event()
        self.threads: list[threading.Thread] = []

    def point_at(self, base: str) -> None:
        for party in (self.isr, self.syr, self.isr_intel):
            party.base = base

    def _loop(self, party: Party, write: Callable[[httpx.Client], None]) -> None:
        while self.running.is_set():
            try:
                with party.client() as client:
                    while self.running.is_set():
                        write(client)
            except (httpx.HTTPError, KeyError, ValueError):
                time.sleep(0.05)  # the server is down or restarting: try again

    def _message(self, client: httpx.Client) -> None:
        key = uuid.uuid4().hex
        while self.running.is_set():  # a careful client resends with the same key until it is acknowledged
            try:
                body = {"channel": "hotline", "body": f"mixed load {key[:8]}", "precedence": "flash"}
                body["idempotency_key"] = key
                response = client.post("/api/v1/messages", json=body)
                if response.status_code in (200, 201):
                    self.messages[key] = response.json()["id"]
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
                raise

    def _acknowledge(self, client: httpx.Client) -> None:
        waiting = [m for m in list(self.messages.values()) if m not in self.acknowledged][:5]
        for message_id in waiting:
            response = client.post(
                f"/api/v1/messages/{message_id}/acknowledge", headers={"Idempotency-Key": f"ack-{message_id}"}
            )
            if self._acknowledged_id(response) is not None:
                self.acknowledged.add(message_id)
        time.sleep(0.02)

    def _acknowledged_id(self, response: httpx.Response) -> str | None:
        """The id of the record a keyed write stored, once the server has acknowledged it: its answer (or the
        replay of it), or the 409 of a write committed just before a kill whose answer was never stored."""
        if response.status_code in (200, 201):
            self.replayed += response.headers.get("idempotency-replayed") == "true"
            return response.json()["id"]
        if response.status_code == 409 and response.json()["error"]["code"] == "idempotent_answer_unknown":
            return response.json()["error"]["details"]["record_id"]
        return None

    def _keyed(self, client: httpx.Client, kind: str, path: str, make: Callable[[], dict], into: set[str]) -> None:
        if self.pending[kind] is None:
            self.pending[kind] = (uuid.uuid4().hex, make())
        key, body = self.pending[kind]
        record_id = self._acknowledged_id(client.post(path, json=body, headers={"Idempotency-Key": key}))
        if record_id is not None:
            into.add(record_id)
            self.pending[kind] = None

    def _incident(self, client: httpx.Client) -> None:
        make = lambda: incident_body(description=f"mixed {uuid.uuid4().hex[:6]}")  # noqa: E731
        self._keyed(client, "incident", "/api/v1/incidents", make, self.incidents)

    def _report(self, client: httpx.Client) -> None:
        make = lambda: intel_body(title=f"mixed {uuid.uuid4().hex[:6]}")  # noqa: E731
        self._keyed(client, "report", "/api/v1/intel/reports", make, self.reports)

    def drain(self) -> None:
        """After the last restart: the writes still unacknowledged are resent until they are."""
        for party, write, kind in ((self.syr, self._incident, "incident"), (self.isr_intel, self._report, "report")):
            with party.client() as client:
                for _ in range(50):
                    if self.pending[kind] is None:
                        break
                    write(client)
            assert self.pending[kind] is None, f"the {kind} sent before the last kill was never acknowledged"

    def start(self) -> None:
        self.running.set()
        work = [
            (self.isr, self._message),
            (self.syr, self._acknowledge),
            (self.syr, self._incident),
            (self.isr_intel, self._report),
        ]
        self.threads = [threading.Thread(target=self._loop, args=job, daemon=True) for job in work]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=15)


def test_sigkill_under_a_mixed_write_load_loses_and_duplicates_nothing(fresh_url, tmp_path):
    env = base_env(tmp_path, fresh_url)
    assert run_cli(env, "init", "--demo").returncode == 0
    load = MixedLoad()
    for round_number in itertools.count():
        server = start_server(env, tmp_path / "server.log")
        load.point_at(server.base)
        if round_number == ROUNDS:
            load.drain()
            break
        load.start()
        time.sleep(3.0)  # every kind of write in flight
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        load.stop()
        audit = run_cli(env, "ledger", "audit")
        assert audit.returncode == 0, f"round {round_number}: {audit.stdout}{audit.stderr}"
    try:
        assert min(len(load.messages), len(load.incidents), len(load.reports)) > 3, "the load did not get going"
        counts = (len(load.messages), len(load.acknowledged), len(load.incidents), len(load.reports))
        assert load.acknowledged, f"SYR acknowledged nothing: the test proves nothing about receipts {counts}"
        with load.isr.client() as isr, load.syr.client() as syr, load.isr_intel.client() as intel:
            for message_id in load.acknowledged:
                receipts = isr.get(f"/api/v1/messages/{message_id}").json()["receipts"]
                acknowledgements = [r for r in receipts if (r["party"], r["kind"]) == ("SYR", "acknowledged")]
                assert len(acknowledgements) == 1, receipts
            for incident_id in load.incidents:
                assert syr.get(f"/api/v1/incidents/{incident_id}").status_code == 200
            for report_id in load.reports:
                assert intel.get(f"/api/v1/intel/reports/{report_id}").status_code == 200
            mine = []
            cursor = None
            while True:  # every message ISR's load sent, page by page: one stored message per idempotency key
                params = {"channel": "hotline", "limit": 200} | ({"cursor": cursor} if cursor else {})
                page = isr.get("/api/v1/messages", params=params).json()
                mine += [m for m in page["items"] if m["body"].startswith("mixed load ")]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
        bodies = [m["body"] for m in mine]
        assert len(bodies) == len(set(bodies)), "a retried message was stored twice"
        assert {m["id"] for m in mine} >= set(load.messages.values()), "an acknowledged message is missing"
        database = Database(fresh_url)
        try:
            with database.reading() as session:
                incidents = session.scalars(select(Incident.id).where(Incident.description.like("mixed %"))).all()
                reports = session.scalars(select(IntelReport.id).where(IntelReport.title.like("mixed %"))).all()
        finally:
            database.dispose()
        # exactly the acknowledged ones: none stored twice by a retry, none stored unacknowledged
        assert sorted(str(i) for i in incidents) == sorted(load.incidents), "an incident was stored twice or lost"
        assert sorted(str(r) for r in reports) == sorted(load.reports), "a report was stored twice or lost"
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
