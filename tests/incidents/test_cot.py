"""Cursor-on-Target: the events' XML, the HTTP endpoint, and the TCP feed read by a real TAK client
library (`pytak`) from a real server process: a party receives the incidents released to it, none other."""

import asyncio
import concurrent.futures
import configparser
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx
import pytak
import pytest

from fusioncell.demo import DEMO_PASSWORD
from fusioncell.incidents.cot import COT_TYPE, UID_PREFIX, cot_bytes
from fusioncell.incidents.schemas import IncidentRead
from tests.events.live import PARTY_ACCOUNTS, base_env, free_port, run_cli, start_server
from tests.incidents.conftest import report, report_body
from tests.incidents.test_exports import READS, SECRET, incidents  # noqa: F401 - a fixture

HOSTILE = '<tag attr="x">&amp; ]]> "quoted" \'single\' \x7f'


def run_apart(coroutine):
    """asyncio.run in a thread of its own: in a whole-suite run the browser tests' Playwright keeps an
    event loop running on the main thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def events_of(document: str) -> dict[str, ET.Element]:
    root = ET.fromstring(document)
    assert root.tag == "events"
    return {e.get("uid").removeprefix(UID_PREFIX): e for e in root.findall("event")}


def test_an_incident_is_a_well_formed_cot_event_with_its_place(client, as_):
    created = report(client, as_("ISR", "liaison"), description=HOSTILE).json()
    now = datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC)
    event = ET.fromstring(cot_bytes(IncidentRead.model_validate(created), now=now))
    assert event.tag == "event" and event.get("version") == "2.0" and event.get("type") == COT_TYPE
    assert event.get("how") == "h-e" and event.get("uid") == UID_PREFIX + created["id"]
    assert event.get("time") == event.get("start") == "2026-11-26T12:00:00.123Z"
    assert event.get("stale") == "2026-11-27T12:00:00.123Z"
    point = event.find("point")
    assert float(point.get("lat")) == pytest.approx(33.1256) and float(point.get("lon")) == pytest.approx(35.8239)
    assert point.get("ce") == "1000.0"  # near
    assert event.find("detail/contact").get("callsign").startswith("armed-clash ")
    assert HOSTILE in event.find("detail/remarks").text  # escaped on the way out, intact on the way in
    assert event.find("detail/fusioncell").get("origin") == "ISR"


@pytest.mark.parametrize("party", sorted(READS))
def test_the_http_cot_endpoint_holds_exactly_what_the_party_may_read(client, as_, incidents, party):  # noqa: F811
    response = client.get("/api/v1/cot", headers=as_(party))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    events = events_of(response.text)
    assert set(events) & set(incidents.values()) == {incidents[label] for label in READS[party]}
    listed = {i["id"] for i in client.get("/api/v1/incidents?limit=200", headers=as_(party)).json()["items"]}
    assert set(events) == listed
    assert SECRET not in response.text
    if "retracted" in READS[party]:
        retracted = events[incidents["retracted"]]
        assert retracted.get("stale") == retracted.get("time")  # clients drop its marker
    for event in events.values():
        assert event.find("point").get("lat") and event.find("point").get("lon")


def test_the_http_cot_endpoint_refuses_strangers_and_takes_filters(client, as_, incidents):  # noqa: F811
    assert client.get("/api/v1/cot").status_code == 401
    retracted = client.get("/api/v1/cot?status=retracted", headers=as_("USA"))
    assert set(events_of(retracted.text)) == {incidents["retracted"]}


# --- the TCP feed, read by pytak -----------------------------------------------------------------------


class Collect(pytak.RXWorker):
    async def handle_data(self, data: bytes) -> None:  # pragma: no cover - run_once queues instead
        pass


class TakClient:
    """pytak's TCP client and receive worker, on a connection that first sent the AUTH line."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.received: dict[str, ET.Element] = {}
        self.closed = False

    async def run(self, until, seconds: float) -> None:
        """Read until `until(self)` holds or `seconds` pass."""
        config = configparser.ConfigParser()
        config["tak"] = {"COT_URL": f"tcp://127.0.0.1:{self.port}"}
        reader, writer = await pytak.protocol_factory(config["tak"])
        writer.write(f"AUTH {self.token}\n".encode())
        await writer.drain()
        queue: asyncio.Queue = asyncio.Queue()
        worker = asyncio.create_task(Collect(queue, config["tak"], reader).run())
        deadline = time.monotonic() + seconds
        try:
            while not until(self) and time.monotonic() < deadline:
                try:
                    data = await asyncio.wait_for(queue.get(), 0.2)
                except TimeoutError:
                    self.closed = reader.at_eof()
                    continue
                event = ET.fromstring(data)
                self.received[event.get("uid").removeprefix(UID_PREFIX)] = event
        finally:
            worker.cancel()
            writer.close()


def demo_login(base: str, party: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": PARTY_ACCOUNTS[party], "password": DEMO_PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.mark.slow
def test_pytak_receives_the_incidents_released_to_its_party_and_none_other(tmp_path, fresh_url):
    env = base_env(tmp_path, fresh_url)
    cot_port = free_port()
    env["FUSIONCELL_COT_PORT"] = str(cot_port)
    initialised = run_cli(env, "init", "--demo")
    assert initialised.returncode == 0, initialised.stdout + initialised.stderr
    server = start_server(env, tmp_path / "server.log")
    try:
        base = server.base
        isr = {"Authorization": f"Bearer {demo_login(base, 'ISR')}"}
        syr_token = demo_login(base, "SYR")

        def record(**fields) -> str:
            response = httpx.post(f"{base}/api/v1/incidents", json=report_body(**fields), headers=isr, timeout=30)
            assert response.status_code == 201, response.text
            return response.json()["id"]

        before = record(releasable_to=["SYR"])  # released to SYR before the client connects
        usa_only = record(releasable_to=["USA"])
        syr_readable = events_of(httpx.get(f"{base}/api/v1/cot", headers={"Authorization": f"Bearer {syr_token}"}).text)

        client = TakClient(cot_port, syr_token)
        recorded: dict[str, str] = {}

        async def scenario() -> None:
            task = asyncio.create_task(client.run(lambda c: False, 30))
            try:
                # Everything SYR may read arrives first, and the report for the mediator alone does not.
                for _ in range(100):
                    if before in client.received:
                        break
                    await asyncio.sleep(0.1)
                # Then what is recorded while it is connected: the later, SYR's, arrives; the USA-only never.
                await asyncio.to_thread(record, releasable_to=["USA"])
                later = await asyncio.to_thread(record, releasable_to=["SYR", "USA"])
                for _ in range(100):
                    if later in client.received:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.5)  # a poll more: nothing else comes
                recorded["later"] = later
            finally:
                task.cancel()

        run_apart(scenario())
        assert before in client.received and recorded["later"] in client.received, list(client.received)
        assert usa_only not in client.received
        # Exactly SYR's readable incidents: those of the HTTP endpoint then, and the one recorded since.
        assert set(client.received) == set(syr_readable) | {recorded["later"]}
        for event in client.received.values():
            assert event.get("type") == COT_TYPE and event.find("point") is not None
        usa_view = httpx.get(f"{base}/api/v1/incidents?limit=200", headers=isr, timeout=30).json()["items"]
        usa_only_ids = {i["id"] for i in usa_view if i["releasable_to"] == ["USA"]}
        # The two recorded here for the mediator alone, and any the demo cell holds: none ever sent.
        assert usa_only in usa_only_ids and len(usa_only_ids) >= 2 and not usa_only_ids & set(client.received)

        # A bad token, or no AUTH line: the connection closes without a byte.
        async def refused(first_line: bytes) -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", cot_port)
            writer.write(first_line)
            await writer.drain()
            data = await asyncio.wait_for(reader.read(), 15)
            writer.close()
            return data

        assert run_apart(refused(b"AUTH fct_not-a-token\n")) == b""
        assert run_apart(refused(b"GET / HTTP/1.1\r\n")) == b""

        # A token revoked while its feed is open: the feed is cut off.
        syr = {"Authorization": f"Bearer {syr_token}"}
        tak = httpx.post(f"{base}/api/v1/tokens", json={"name": "tak"}, headers=syr, timeout=30).json()

        async def revoked() -> tuple[int, bytes]:
            reader, writer = await asyncio.open_connection("127.0.0.1", cot_port)
            writer.write(f"AUTH {tak['secret']}\n".encode())
            await writer.drain()
            first = await reader.readuntil(b"</event>")
            revoke = f"{base}/api/v1/tokens/{tak['id']}/revoke"
            answer = await asyncio.to_thread(httpx.post, revoke, headers=syr, timeout=30)
            rest = await asyncio.wait_for(reader.read(), 15)  # the end of the connection, within a poll
            writer.close()
            return answer.status_code, first + rest

        status, sent = run_apart(revoked())
        assert status == 200 and sent.startswith(b"<event ")
        assert "cot connection failed" not in (tmp_path / "server.log").read_text()
    finally:
        server.stop()
