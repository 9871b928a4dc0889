"""Cursor-on-Target: the incidents a party may read, as CoT 2.0 events for TAK clients (ATAK, WinTAK).

Each incident is one event, `uid` "fusioncell.incident.<id>", so a later version (acknowledged, closed,
retracted) replaces the earlier marker on the client. Type `a-u-G` (an unknown ground track): every TAK
client draws it, and an incident is no hostile unit to be drawn as one. `how` is `h-e` (entered by a
human, estimated). A retracted incident goes out once more, stale at once, so clients drop its marker.
Every field comes from views.incident_read, so what a reader may not see stays withheld; the XML is built
with ElementTree, which escapes whatever the reporter wrote.

The TCP feed (`FUSIONCELL_COT_PORT`): a TAK client cannot send HTTP headers, so it authenticates with
its first line, `AUTH <bearer token>\\n`. A bad token (or no such line within AUTH_SECONDS) closes the
connection without a byte. Then the server sends the CoT events of every incident the token's party may
read, and every new version of one as it is recorded (the database is polled every POLL_SECONDS; the
token is checked again at each poll, so a revoked token is cut off within a second). A deployment facing
real TAK clients would put this behind TLS with client certificates.
"""

import asyncio
import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select

from fusioncell.access.rule import readable
from fusioncell.access.service import subject_for, user_for_token
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.session import Database
from fusioncell.incidents.models import Incident
from fusioncell.incidents.schemas import IncidentRead
from fusioncell.incidents.views import incident_read

log = structlog.get_logger("fusioncell.cot")

COT_TYPE = "a-u-G"
HOW = "h-e"
UID_PREFIX = "fusioncell.incident."
STALE = timedelta(hours=24)
UNKNOWN = "9999999.0"  # CoT's "not known" for hae and le
# ACLED-like precision in words to a circular error, metres.
CIRCULAR_ERROR = {"exact": "10.0", "near": "1000.0", "region": "10000.0"}
AUTH_SECONDS = 10.0
POLL_SECONDS = 1.0
BATCH = 500
MAX_AUTH_LINE = 1024


def cot_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def cot_event(incident: IncidentRead, *, now: datetime | None = None) -> ET.Element:
    now = now or datetime.now(UTC)
    retracted = incident.status == Status.RETRACTED
    event = ET.Element(
        "event",
        version="2.0",
        uid=f"{UID_PREFIX}{incident.id}",
        type=COT_TYPE,
        how=HOW,
        time=cot_time(now),
        start=cot_time(now),
        stale=cot_time(now if retracted else now + STALE),
    )
    ET.SubElement(
        event,
        "point",
        lat=f"{incident.lat:.6f}",
        lon=f"{incident.lon:.6f}",
        hae=UNKNOWN,
        ce=CIRCULAR_ERROR.get(incident.geo_precision, UNKNOWN),
        le=UNKNOWN,
    )
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", callsign=f"{incident.type} {str(incident.id)[-6:]}")
    account = "retracted: the account is withheld" if incident.description is None else incident.description
    remarks = ET.SubElement(detail, "remarks")
    remarks.text = (
        f"{incident.type}, severity {incident.severity}, occurred {incident.occurred_at.isoformat()}, "
        f"reported by {incident.origin_party}, {incident.stage}. {account}"
    )
    ET.SubElement(
        detail,
        "fusioncell",
        id=str(incident.id),
        version=str(incident.version),
        origin=incident.origin_party,
        status=str(incident.status),
        stage=str(incident.stage),
        severity=str(incident.severity),
        marking=incident.marking,
    )
    return event


def cot_bytes(incident: IncidentRead, *, now: datetime | None = None) -> bytes:
    """One event, as TAK clients expect it on a stream: no XML declaration, one after another."""
    return ET.tostring(cot_event(incident, now=now), encoding="unicode").encode()


def cot_document_chunks(incidents: Iterator[IncidentRead]) -> Iterator[bytes]:
    """An XML document `<events>` holding one `<event>` per incident, written an event at a time."""
    yield b"<?xml version='1.0' encoding='UTF-8'?>\n<events>"
    for incident in incidents:
        yield cot_bytes(incident)
    yield b"</events>\n"


# --- the TCP feed -------------------------------------------------------------------------------------


def _secret(line: bytes) -> str | None:
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    scheme, _, secret = text.partition(" ")
    return secret.strip() if scheme == "AUTH" and secret.strip() else None


def poll(database: Database, cell: CellDefinition, secret: str, after: int) -> tuple[list[bytes], int] | None:
    """The events of the readable incidents recorded after ledger index `after`, and the new `after`;
    None if the token is no longer valid."""
    with database.reading() as session:
        user = user_for_token(session, secret)
        if user is None:
            return None
        subject = subject_for(user, cell)
        found = session.execute(
            select(Incident)
            .where(readable(subject, Incident), Incident.ledger_index.is_not(None), Incident.ledger_index > after)
            .order_by(Incident.ledger_index)
            .limit(BATCH)
        ).scalars()
        events = []
        for incident in found:
            events.append(cot_bytes(incident_read(subject, incident)))
            after = max(after, incident.ledger_index)
        return events, after


class CotServer:
    """The TCP feed, run in the app's lifespan when `cot_port` is set."""

    def __init__(self, database: Database, cell: CellDefinition, *, host: str, port: int) -> None:
        self.database = database
        self.cell = cell
        self.host = host
        self.port = port
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task] = set()

    async def start(self) -> "CotServer":
        # reuse_port: several server processes (workers) share the port, as they share the HTTP one.
        self.server = await asyncio.start_server(
            self._connected, self.host, self.port, reuse_port=True, limit=MAX_AUTH_LINE
        )
        log.info("cot feed listening", host=self.host, port=self.port)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.connections):
            task.cancel()
        for task in list(self.connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 5)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.connections.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except Exception:
            log.exception("cot connection failed")
        finally:
            if task is not None:
                self.connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), AUTH_SECONDS)
        except TimeoutError:
            return
        secret = _secret(line)
        if secret is None:
            log.info("cot connection refused: no AUTH line")
            return
        after = -1
        # What the client sends after its AUTH line (TAK pings, its own position) is read and dropped;
        # its end is the connection's end.
        listening = asyncio.create_task(self._discard(reader))
        try:
            while not listening.done():
                polled = await asyncio.to_thread(poll, self.database, self.cell, secret, after)
                if polled is None:
                    log.info("cot connection closed: the token is not valid")
                    return
                events, after = polled
                if events:
                    writer.write(b"".join(events))
                    await writer.drain()
                    if len(events) == BATCH:
                        continue  # more are waiting
                await asyncio.wait([listening], timeout=POLL_SECONDS)
        finally:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listening

    @staticmethod
    async def _discard(reader: asyncio.StreamReader) -> None:
        while await reader.read(4096):
            pass
