"""The stream under the authorization matrix: records of every kind the stream tells, in every
envelope state, appended to the record; a stream of every party receives exactly the entries the
releasability rule (as tests/access/matrix.py states it, independently) lets that party read —
live, and again when it resumes from before them with Last-Event-ID."""

import uuid

import pytest

from fusioncell.cell.loader import default_cell
from fusioncell.db.base import Status
from fusioncell.db.session import Database
from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Attachment, Escalation, Message, Receipt
from fusioncell.ledger.service import record_change
from tests.access.matrix import EnvelopeState, envelope_states, expected_readers
from tests.events.live import PARTY_ACCOUNTS

pytestmark = pytest.mark.slow
REVIEW_NOTE = "for the author's side and the mediator only"


def _envelope(state: EnvelopeState) -> dict:
    return {
        "origin_party": state.origin,
        "created_by": "matrix",
        "status": state.status,
        "releasable_to": state.releasable_to,
    }


def _records(state: EnvelopeState, carrier: uuid.UUID, marker: str):
    """One record of each kind the stream tells, in this envelope state."""
    yield Message(
        channel="plenary",
        body=f"{marker} {state.label}",
        language="en",
        review_comment=REVIEW_NOTE,
        **_envelope(state),
    )
    yield Receipt(message_id=carrier, party=state.origin, kind=f"read-{uuid.uuid4().hex[:6]}", **_envelope(state))
    yield Escalation(message_id=carrier, party=f"P{uuid.uuid4().hex[:6]}", due_at=utcnow(), **_envelope(state))
    yield Attachment(sha256="0" * 64, filename="probe.txt", media_type="text/plain", size=1, **_envelope(state))


def test_every_party_s_stream_carries_exactly_what_it_may_read(live):
    cell = default_cell()
    assert set(PARTY_ACCOUNTS) == cell.party_codes
    streams = {party: live.stream(party) for party in sorted(cell.party_codes)}
    marker = uuid.uuid4().hex[:8]
    expected: dict[str, set[int]] = {party: set() for party in cell.party_codes}
    messages: dict[int, str] = {}  # index of a message probe -> its origin party
    database = Database(live.url)
    try:
        # Written by this process straight into the cell's database, as another server process or
        # the CLI would: the servers learn of it by NOTIFY (PostgreSQL) or the safety poll (SQLite).
        with database.writing() as session:
            carrier = Message(
                channel="plenary",
                body="carrier",
                language="en",
                origin_party="USA",
                created_by="matrix",
                status=Status.DRAFT,
                releasable_to=frozenset(),
            )
            session.add(carrier)
            session.flush()
            created = []
            for state in envelope_states(cell):
                for record in _records(state, carrier.id, marker):
                    session.add(record)
                    index = record_change(session, record=record, action="probe", actor="matrix", party=state.origin)
                    created.append(index)
                    if isinstance(record, Message):
                        messages[index] = state.origin
                    for party in expected_readers(state, cell):
                        expected[party].add(index)
            # A sentinel every party may read: once it arrives, everything before it has.
            sentinel = Message(
                channel="plenary",
                body=f"{marker} sentinel",
                language="en",
                origin_party="USA",
                created_by="matrix",
                status=Status.RELEASED,
                releasable_to=frozenset(cell.party_codes) - {"USA"},
            )
            session.add(sentinel)
            sentinel_index = record_change(session, record=sentinel, action="probe", actor="matrix", party="USA")
        probes = set(created)
        assert all(expected.values()) and len(probes) == len(envelope_states(cell)) * 4

        for party, stream in streams.items():
            stream.wait_for_record(str(sentinel.id), timeout=15)
            got = [index for index in stream.indices() if index in probes]
            assert len(got) == len(set(got)), f"{party} received an entry twice"
            assert set(got) == expected[party], (
                f"{party}: unexpected {sorted(set(got) - expected[party])}, "
                f"missing {sorted(expected[party] - set(got))}"
            )
            _check_trim(party, stream, messages, cell.mediator.code)
            stream.close()

        # The same from the database: each party resumes from just before the probes.
        for party in sorted(cell.party_codes):
            resumed = live.stream(party, last_event_id=min(probes) - 1)
            try:
                resumed.wait_for_record(str(sentinel.id), timeout=15)
                got = [index for index in resumed.indices() if index in probes]
                assert got == sorted(expected[party]), f"{party} on resume"
                assert resumed.indices()[-1] == sentinel_index
                _check_trim(party, resumed, messages, cell.mediator.code)
            finally:
                resumed.close()
    finally:
        for stream in streams.values():
            stream.close()
        database.dispose()


def _check_trim(party: str, stream, messages: dict[int, str], mediator: str) -> None:
    """The reviewer's comment goes to the author's side and the mediator, nobody else."""
    for event in stream.events:
        origin = messages.get(event.data["index"])
        if origin is None:
            continue
        comment = event.data["record"]["review_comment"]
        assert comment == (REVIEW_NOTE if party in (origin, mediator) else None), (party, origin, comment)


def test_an_entry_goes_only_to_those_who_may_read_the_record_as_it_is_now(live):
    """The entry's envelope is not enough: a message the mediator could read while it waited for
    review, since returned to its author as a draft, is not told to the mediator any more."""
    database = Database(live.url)
    try:
        with database.writing() as session:
            message = Message(
                channel="plenary",
                body="held, then returned",
                language="en",
                origin_party="ISR",
                created_by="matrix",
                status=Status.PENDING,
                releasable_to=frozenset({"SYR"}),
            )
            session.add(message)
            held = record_change(session, record=message, action="message-submitted", actor="matrix", party="ISR")
            before = held - 1
            message.status, message.review_comment, message.version = Status.DRAFT, "not like this", 2
            returned = record_change(session, record=message, action="message-returned", actor="matrix", party="USA")
            sentinel = Message(
                channel="plenary",
                body="sentinel",
                language="en",
                origin_party="USA",
                created_by="matrix",
                status=Status.RELEASED,
                releasable_to=frozenset({"ISR", "SYR"}),
            )
            session.add(sentinel)
            record_change(session, record=sentinel, action="probe", actor="matrix", party="USA")
        seen = {}
        for party in ("ISR", "USA", "SYR"):
            stream = live.stream(party, last_event_id=before)
            try:
                stream.wait_for_record(str(sentinel.id))
                seen[party] = [e.data["index"] for e in stream.events if e.data["id"] == str(message.id)]
                if party == "ISR":
                    assert {e.data["record"]["status"] for e in stream.events[:2]} == {"draft"}
            finally:
                stream.close()
        assert seen == {"ISR": [held, returned], "USA": [], "SYR": []}
    finally:
        database.dispose()
