"""Joint statements and party keys under the authorization matrix: every endpoint, for every party and role;
lists and details over every envelope state, and every action answering what a party may not read exactly
as what does not exist; then who may act on what they can read, per member, against written-out oracles."""

import uuid
from datetime import timedelta

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.diplomacy import keys, service, signing
from fusioncell.diplomacy.models import PartyKey, Statement, StatementVersion
from fusioncell.ledger.service import checkpoint_if_due
from tests.access.matrix import EnvelopeState, MatrixCase, assert_matrix_holds, envelope_of, stored
from tests.support import PASSWORD, bearer

MISSING = "01a217a2-0000-7000-8000-00000000fade"
TEXTS = {"en": "First paragraph.\n\nSecond paragraph."}
SIGNATURE = {"version": 1, "key_id": "00" * 8, "signature": signing.b64(bytes(64))}
# The oracle, written out for the default cell: who drafts, revises and publishes; who speaks for a party.
CHAIRS = {("USA", "liaison"), ("USA", "supervisor")}
SPEAKS = {"liaison"}  # and officer:diplomacy, which the test population does not hold
READERS = {"USA", "ISR", "SYR", "FRA"}  # of the statements below: required ISR and SYR, released to FRA
REQUIRED = {"ISR", "SYR"}


def make_statement(session, state: EnvelopeState) -> str:
    statement = Statement(
        title=f"probe {state.label}", required_parties=frozenset({"ISR", "SYR"}), **envelope_of(state)
    )
    statement_id = stored(session, statement)
    sha = signing.digest(TEXTS, statement_id=statement.id, version=1).hex()
    stored(
        session,
        StatementVersion(statement_id=statement.id, number=1, texts=TEXTS, canonical_sha256=sha, **envelope_of(state)),
    )
    return statement_id


def make_party_key(session, state: EnvelopeState) -> str:
    public_key = signing.public_key_of(signing.new_private_key())
    key = PartyKey(
        party=state.origin,
        public_key=signing.b64(public_key),
        key_id=signing.key_id_of(public_key),
        **envelope_of(state),
    )
    return stored(session, key)


def test_statements_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="statements",
        create=make_statement,
        detail_path=lambda i: f"/api/v1/statements/{i}",
        missing_id=MISSING,
        list_path="/api/v1/statements?limit=200",
        actions=[
            lambda i: ("POST", f"/api/v1/statements/{i}/versions", {"texts": TEXTS}),
            lambda i: ("POST", f"/api/v1/statements/{i}/comments", {"version": 1, "paragraph": 1, "text": "probe"}),
            lambda i: ("POST", f"/api/v1/statements/{i}/signatures", SIGNATURE),
            lambda i: ("POST", f"/api/v1/statements/{i}/signatures/stored", {"version": 1, "password": PASSWORD}),
            lambda i: ("POST", f"/api/v1/statements/{i}/publish", None),
            lambda i: ("GET", f"/api/v1/statements/{i}/diff?from=1&to=1", None),
            lambda i: ("GET", f"/api/v1/statements/{i}/bundle", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_party_keys_obey_the_matrix_in_lists_and_details(client, db, population, cell):
    case = MatrixCase(
        name="party keys",
        create=make_party_key,
        detail_path=lambda i: f"/api/v1/party-keys/{i}",
        missing_id=MISSING,
        list_path="/api/v1/party-keys",
    )
    assert_matrix_holds(client, db, population, cell, case)


class Desk:
    """Statements made through the service for the per-member checks, with ISR's and SYR's keys stored."""

    def __init__(self, db, cell, settings) -> None:
        self.db, self.cell, self.settings = db, cell, settings
        self.usa, self.isr, self.syr = (self.subject(f"{p}.liaison") for p in ("usa", "isr", "syr"))
        for party in ("isr", "syr"):
            private_key = signing.new_private_key()
            keys.register_party_key(
                db,
                cell=cell,
                subject=self.subject(f"{party}.admin"),
                public_key=signing.public_key_of(private_key),
                private_key=private_key,
                settings=settings,
            )

    def subject(self, username: str):
        return subject_for(user_by_name(self.db, username), self.cell)

    def drafting(self) -> uuid.UUID:
        statement = service.draft_statement(
            self.db,
            cell=self.cell,
            subject=self.usa,
            title="probe",
            required_parties=frozenset(REQUIRED),
            texts=TEXTS,
            releasable_to=frozenset({"FRA"}),
        )
        return statement.id

    def signed(self) -> uuid.UUID:
        statement_id = self.drafting()
        for subject in (self.isr, self.syr):
            service.sign_with_stored_key(
                self.db,
                cell=self.cell,
                subject=subject,
                statement_id=statement_id,
                version=1,
                password=PASSWORD,
                settings=self.settings,
            )
        return statement_id

    def published(self) -> uuid.UUID:
        statement_id = self.signed()
        service.publish_statement(self.db, cell=self.cell, subject=self.usa, statement_id=statement_id)
        return statement_id


def oracle(party: str, role: str, action: str) -> int:
    created = 201
    if action == "draft":
        return created if (party, role) in CHAIRS else 403
    if action == "register key":
        return created if role == "admin" else 403
    if action == "list keys":
        return 200
    if party not in READERS:
        return 404
    if action in ("diff", "bundle"):
        return 200
    if action in ("revise", "publish"):
        return (200 if action == "publish" else created) if (party, role) in CHAIRS else 403
    if action == "comment":
        return created if role in SPEAKS else 403
    # signing: a required party's speaker; anyone else who reads the statement is refused
    return created if party in REQUIRED and role in SPEAKS else 403


def test_who_may_act_on_statements_and_keys_for_every_member(client, db, population, cell, signer, runtime):
    desk = Desk(db, cell, runtime.settings)
    plan = []
    for member in population.members:
        drafting, signed, published = desk.drafting(), desk.signed(), desk.published()
        own_key = signing.new_private_key()
        plan += [
            (
                member,
                "draft",
                "POST",
                "/api/v1/statements",
                {"title": "T", "required_parties": ["ISR"], "texts": TEXTS},
            ),
            (
                member,
                "register key",
                "POST",
                "/api/v1/party-keys",
                {"public_key": signing.b64(signing.public_key_of(own_key))},
            ),
            (member, "list keys", "GET", "/api/v1/party-keys", None),
            (
                member,
                "comment",
                "POST",
                f"/api/v1/statements/{drafting}/comments",
                {"version": 1, "paragraph": 2, "text": "?"},
            ),
            (
                member,
                "sign",
                "POST",
                f"/api/v1/statements/{drafting}/signatures/stored",
                {"version": 1, "password": PASSWORD},
            ),
            (member, "revise", "POST", f"/api/v1/statements/{drafting}/versions", {"texts": TEXTS}),
            (member, "diff", "GET", f"/api/v1/statements/{drafting}/diff?from=1&to=2", None),
            (member, "publish", "POST", f"/api/v1/statements/{signed}/publish", None),
            (member, "bundle", "GET", f"/api/v1/statements/{published}/bundle", None),
        ]
    checkpoint_if_due(db, signer=signer, origin=cell.log_origin, interval=timedelta(0))
    db.commit()
    failures = []
    for member, action, method, path, body in plan:
        expected = oracle(member.party, member.role, action)
        if action == "diff" and expected == 200 and oracle(member.party, member.role, "revise") != 201:
            expected = 422  # nobody revised this member's statement: there is no version 2 to compare
        response = client.request(method, path, json=body, headers=bearer(member))
        if response.status_code != expected:
            failures.append(
                f"{member.username} {action}: {response.status_code}, not {expected}: {response.text[:120]}"
            )
    assert not failures, "\n".join(failures[:30])


def test_a_signature_by_a_party_key_answers_by_role(client, db, population, cell, runtime):
    """The key-file path: only a required party's speakers get as far as the key; a signature with an
    unknown key is then 422 for them and 403 (or 404) for everyone else."""
    desk = Desk(db, cell, runtime.settings)
    targets = [(member, desk.drafting()) for member in population.members]
    db.commit()
    failures = []
    for member, statement_id in targets:
        expected = oracle(member.party, member.role, "sign")
        expected = 422 if expected == 201 else expected
        response = client.post(f"/api/v1/statements/{statement_id}/signatures", json=SIGNATURE, headers=bearer(member))
        if response.status_code != expected:
            failures.append(f"{member.username}: {response.status_code}, not {expected}")
    assert not failures, "\n".join(failures)
