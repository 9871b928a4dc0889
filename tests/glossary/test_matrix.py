"""The glossary under the authorization matrix: every endpoint and page, for every party and role, over every
envelope state; lists and details hold exactly what the releasability rule allows, and every action on a term
a party may not read answers exactly as one that does not exist. (The glossary's own terms are all released to
every party, test_service.py shows; the matrix proves the routes read through the one rule all the same.)"""

import re

from fusioncell.glossary.models import GlossaryTerm, GlossaryVersion
from tests.access.matrix import (
    EnvelopeState,
    MatrixCase,
    assert_matrix_holds,
    envelope_of,
    envelope_states,
    expected_readers,
    stored,
)
from tests.support import bearer

MISSING = "01a217a2-0000-7000-8000-00000000fade"
WORDING = {"en": "probe", "ar": "مسبار", "he": "גשוש"}


def key_of(state: EnvelopeState) -> str:
    return "probe-" + re.sub(r"[^a-z0-9]+", "-", state.label.lower()).strip("-")


def make_term(session, state: EnvelopeState) -> str:
    term = GlossaryTerm(
        key=key_of(state), required_parties=frozenset({"ISR", "SYR"}), latest_version=1, **envelope_of(state)
    )
    term_id = stored(session, term)
    version = GlossaryVersion(term_id=term.id, number=1, wording=WORDING, variants={}, **envelope_of(state))
    stored(session, version)
    return term_id


def test_terms_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="glossary terms",
        create=make_term,
        detail_path=lambda i: f"/api/v1/glossary/{i}",
        missing_id=MISSING,
        list_path="/api/v1/glossary?limit=500",
        actions=[
            lambda i: ("POST", f"/api/v1/glossary/{i}/versions", {"wording": WORDING | {"en": "other"}}),
            lambda i: ("POST", f"/api/v1/glossary/{i}/approvals", {"version": 1}),
            lambda i: ("POST", f"/glossary/{i}/versions", None),
            lambda i: ("POST", f"/glossary/{i}/approve", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_the_glossary_page_shows_each_member_exactly_what_it_may_read(client, db, population, cell):
    states = envelope_states(cell)
    for state in states:
        make_term(db, state)
    db.commit()
    for member in population.members:
        page = client.get("/glossary", headers=bearer(member))
        assert page.status_code == 200
        shown = set(re.findall(r'<tbody id="term-([a-z0-9-]+)"', page.text))
        expected = {key_of(s) for s in states if member.party in expected_readers(s, cell)}
        assert shown == expected, member.username
