"""The releasability rule: predicate and SQL filter agree with the oracle, on SQLite and PostgreSQL."""

import uuid

from sqlalchemy import select

from fusioncell.access.models import AccountEvent
from fusioncell.access.rule import can_read, readable
from fusioncell.access.subjects import Subject, parse_role
from tests.access.matrix import envelope_of, envelope_states, expected_readers


def subject_of(cell, party: str) -> Subject:
    return Subject(uuid.uuid4(), f"{party}.x", party, party, str(cell.party(party).role), frozenset({"liaison"}))


def test_predicate_matches_the_oracle_for_every_party_and_state(cell):
    for state in envelope_states(cell):
        for party in cell.party_codes:
            expected = party in expected_readers(state, cell)
            assert can_read(subject_of(cell, party), state.origin, state.status, state.releasable_to) is expected, (
                party,
                state,
            )


def test_query_filter_selects_exactly_what_the_predicate_allows(db, cell):
    rows = {}
    for state in envelope_states(cell):
        event = AccountEvent(
            action="probe",
            username="probe",
            **envelope_of(state),
        )
        db.add(event)
        rows[state.label] = (state, event)
    db.flush()
    probe_ids = {event.id for _, event in rows.values()}
    for party in sorted(cell.party_codes):
        subject = subject_of(cell, party)
        found = set(
            db.execute(
                select(AccountEvent.id).where(readable(subject, AccountEvent), AccountEvent.id.in_(probe_ids))
            ).scalars()
        )
        expected = {event.id for state, event in rows.values() if party in expected_readers(state, cell)}
        assert found == expected, party


def test_observers_see_only_what_names_them(cell):
    undof = subject_of(cell, "UNDOF")
    assert not can_read(undof, "ISR", "released", frozenset({"SYR"}))
    assert can_read(undof, "ISR", "released", frozenset({"UNDOF"}))
    assert not can_read(undof, "ISR", "pending", frozenset({"UNDOF"}))


def test_the_mediator_sees_pending_but_never_drafts(cell):
    usa = subject_of(cell, "USA")
    assert can_read(usa, "ISR", "pending", frozenset())
    assert not can_read(usa, "ISR", "draft", frozenset({"USA"}))


def test_roles_are_checked_against_the_cell_desks():
    desks = frozenset({"intelligence", "commerce"})
    assert parse_role("officer:intelligence", desks) == "officer:intelligence"
    assert parse_role("liaison", desks) == "liaison"
    for bad in ("officer:nowhere", "officer", "root", "liaison:extra"):
        try:
            parse_role(bad, desks)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_a_record_naming_another_reaches_only_those_who_may_read_that_one(cell):
    """envelope_naming, against the oracle: for every envelope state of the named record, the naming record
    (e.g. a suggested link meant for the whole cell) is read by exactly the oracle's readers of both."""
    from types import SimpleNamespace

    from fusioncell.access.rule import envelope_naming
    from fusioncell.db.base import Status

    everyone = frozenset(cell.party_codes)
    for state in envelope_states(cell):
        named = SimpleNamespace(origin_party=state.origin, status=state.status, releasable_to=state.releasable_to)
        status, audience = envelope_naming(named, audience=everyone, mediator=cell.mediator.code)
        for party in cell.party_codes:
            # the naming record's own origin is the named record's (an ingesting party names what it reads)
            reads = can_read(subject_of(cell, party), state.origin, status, audience)
            assert reads is (party in expected_readers(state, cell)), (party, state)
        assert (status == Status.DRAFT) is (state.status == Status.DRAFT)
