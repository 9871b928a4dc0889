"""ID enumeration: a party must never learn that a record it may not read exists.

For every GET route with a record id (or index, or code) in its path — derived from the app's routes and
failing when a new one is not listed here — real records of each kind are made, owned by ISR and not
released to SYR (drafts, pending the mediator, released to FRA alone, released to nobody; the domains' own
matrix helpers, plus records created through the API where the domain's tests do so, so that they have
ledger entries and receipts). Then, as SYR, the route is asked for

  (a) those real ids,
  (b) random ids (UUIDv4 and UUIDv7, i.e. of a record that could exist),
  (c) ids adjacent to the real ones (the same UUIDv7 millisecond with the counter or random part changed,
      the next and the previous millisecond),

and for the integer-indexed routes, indexes past the end of the ledger and indexes of entries SYR may not
read. Every answer must equal the answer about a missing record: status, JSON body (or HTML page) apart
from the request id, and the headers that could tell them apart (content-type, content-length,
cache-control). DESIGN.md: "A record the user may not see answers 404, exactly as a record that does not
exist."
"""

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fusioncell.app import create_app
from fusioncell.db.base import recorded_models
from fusioncell.intel.collections import collections_of
from fusioncell.ledger.receipts import verify_receipt
from fusioncell.ledger.service import tree_size
from tests.access.matrix import EnvelopeState, envelope_states, expected_readers
from tests.access.test_every_endpoint import routes
from tests.commerce.conftest import make_project, project_body
from tests.commerce.test_matrix import make_organisation
from tests.deconfliction.test_matrix import make_notice
from tests.diplomacy.commitments.conftest import make_commitment
from tests.diplomacy.meetings.test_matrix import make_meeting
from tests.diplomacy.test_statement_matrix import make_party_key, make_statement
from tests.fusion.test_matrix import make_fusion
from tests.glossary.test_matrix import make_term
from tests.hotline.test_matrix import make_attachment, make_message
from tests.hotline.test_matrix import make_escalation as make_message_escalation
from tests.hotline.test_messages import PDF
from tests.incidents.conftest import report
from tests.incidents.test_matrix import make_complaint, make_incident
from tests.incidents.test_matrix import make_escalation as make_incident_escalation
from tests.intel.test_matrix import make_report
from tests.ledger.witness_support import sign
from tests.osint.reading_support import make_probe_article
from tests.support import Population, bearer
from tests.taxii.stix import TAXII, envelope, indicator
from tests.verification.test_matrix import make_inspection, make_position, make_posture
from tests.web.test_statement_pages import unrequested

ProbeMaker = Callable[[Session, EnvelopeState], str]

# Each kind of record addressed by id: the domain's own probe maker (tests/<domain>/test_matrix.py).
MAKERS: dict[str, ProbeMaker] = {
    "attachment": make_attachment,
    "commitment": make_commitment,
    "complaint": make_complaint,
    "escalation": make_message_escalation,
    "fusion": make_fusion,
    "term": make_term,
    "incident_escalation": make_incident_escalation,
    "incident": make_incident,
    "inspection": make_inspection,
    "report": make_report,
    "meeting": make_meeting,
    "message": make_message,
    "notice": make_notice,
    "organisation": make_organisation,
    "article": make_probe_article,
    "party_key": make_party_key,
    "position": make_position,
    "posture": make_posture,
    "project": make_project,
    "statement": make_statement,
}

# GET route → (kind of the id in it, query string it needs).
UUID_ROUTES: dict[str, tuple[str, str]] = {
    "/api/v1/attachments/{attachment_id}": ("attachment", ""),
    "/api/v1/attachments/{attachment_id}/content": ("attachment", ""),
    "/api/v1/commitments/{commitment_id}": ("commitment", ""),
    "/commitments/{commitment_id}": ("commitment", ""),
    "/api/v1/complaints/{complaint_id}": ("complaint", ""),
    "/api/v1/escalations/{escalation_id}": ("escalation", ""),
    "/api/v1/fusions/{fusion_id}": ("fusion", ""),
    "/fusions/{fusion_id}": ("fusion", ""),
    "/api/v1/glossary/{term_id}": ("term", ""),
    "/api/v1/incident-escalations/{escalation_id}": ("incident_escalation", ""),
    "/api/v1/incidents/{incident_id}": ("incident", ""),
    "/api/v1/incidents/{incident_id}/projects": ("incident", ""),
    "/incidents/{incident_id}": ("incident", ""),
    "/api/v1/inspections/{inspection_id}": ("inspection", ""),
    "/api/v1/intel/reports/{report_id}": ("report", ""),
    "/api/v1/intel/reports/{report_id}/correlations": ("report", ""),
    "/intel/reports/{report_id}": ("report", ""),
    "/api/v1/meetings/{meeting_id}": ("meeting", ""),
    "/meetings/{meeting_id}": ("meeting", ""),
    "/api/v1/messages/{message_id}": ("message", ""),
    "/api/v1/messages/{message_id}/translation": ("message", "?to=ar"),
    "/hotline/messages/{message_id}/fragment": ("message", ""),
    "/api/v1/notices/{notice_id}": ("notice", ""),
    "/notices/{notice_id}": ("notice", ""),
    "/api/v1/organisations/{organisation_id}": ("organisation", ""),
    "/api/v1/osint/articles/{article_id}": ("article", ""),
    "/api/v1/osint/articles/{article_id}/links": ("article", ""),
    "/osint/articles/{article_id}": ("article", ""),
    "/api/v1/party-keys/{key_id}": ("party_key", ""),
    "/api/v1/positions/{position_id}": ("position", ""),
    "/positions/{position_id}": ("position", ""),
    "/api/v1/posture-declarations/{declaration_id}": ("posture", ""),
    "/api/v1/projects/{project_id}": ("project", ""),
    "/api/v1/projects/{project_id}/incidents": ("project", ""),
    "/projects/{project_id}": ("project", ""),
    "/api/v1/statements/{statement_id}": ("statement", ""),
    "/api/v1/statements/{statement_id}/bundle": ("statement", ""),
    "/api/v1/statements/{statement_id}/diff": ("statement", "?from=1&to=1"),
    "/statements/{statement_id}": ("statement", ""),
    "/statements/{statement_id}/print": ("statement", ""),
    # Not enveloped: a party's own webhooks (another party's answers as a missing one).
    "/api/v1/webhooks/{webhook_id}": ("webhook", ""),
    "/api/v1/webhooks/{webhook_id}/deliveries": ("webhook", ""),
    "/webhooks/{webhook_id}": ("webhook", ""),
}
# Routes with an id that are covered by their own tests below.
SPECIAL = {
    "/api/v1/ledger/entries/{index}",  # integer index: test_ledger_indexes_...
    "/api/v1/records/{kind}/{record_id}/receipt",  # test_record_receipts_...
    "/hotline/{channel_code}",  # test_channels_...
    "/taxii2/api/collections/{collection_id}/",  # test_taxii_...
    "/taxii2/api/collections/{collection_id}/manifest/",
    "/taxii2/api/collections/{collection_id}/objects/",
    "/taxii2/api/collections/{collection_id}/objects/{object_id}/",
    "/taxii2/api/collections/{collection_id}/objects/{object_id}/versions/",
    "/taxii2/api/status/{status_id}/",
}
NOT_RECORDS = {
    "/desks/{desk}",  # the cell definition's desks, the same for every member: no record behind it
    "/taxii2/{rest:path}",  # TAXII's catch-all: 404/405 whatever follows
}
ASKERS = ("liaison", "admin")  # SYR's: a speaker on every desk, and the admin (webhooks are admins')
SAMPLES = 3  # random and adjacent ids per real id and per variation


def test_every_get_route_with_an_id_is_probed(runtime):
    found = {path for method, path in routes(create_app(runtime, background=False)) if method == "GET"}
    with_ids = {path for path in found if "{" in path}
    unlisted = with_ids - UUID_ROUTES.keys() - SPECIAL - NOT_RECORDS
    assert not unlisted, f"probe these routes for ID enumeration: {sorted(unlisted)}"
    assert not (UUID_ROUTES.keys() | SPECIAL | NOT_RECORDS) - with_ids, "routes listed here that the app lacks"


# ---- ids ----


def uuid7_parts(value: uuid.UUID) -> tuple[int, int]:
    """(unix milliseconds, the 80 bits after them: version, counter or random bits, variant, random bits)."""
    return value.int >> 80, value.int & ((1 << 80) - 1)


def uuid7_of(ms: int, rest: int) -> uuid.UUID:
    raw = (ms << 80) | rest
    raw = (raw & ~(0xF << 76)) | (0x7 << 76)  # version 7
    raw = (raw & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    return uuid.UUID(int=raw)


def adjacent_ids(real: str, rng: random.Random) -> list[str]:
    """Ids one would guess from a real UUIDv7: its millisecond with the counter or random bits changed, the
    counter ±1, and the next and previous millisecond."""
    value = uuid.UUID(real)
    ms, rest = uuid7_parts(value)
    counter_step = 1 << 64  # rand_a (the monotonic counter) sits above the variant and rand_b
    guesses = [
        uuid7_of(ms, (rest + counter_step) % (1 << 80)),
        uuid7_of(ms, (rest - counter_step) % (1 << 80)),
        uuid7_of(ms, rest ^ 1),
        uuid7_of(ms, rest ^ (1 << 40)),
        *(uuid7_of(ms, rng.getrandbits(80)) for _ in range(SAMPLES)),
        uuid7_of(ms + 1, rest),
        uuid7_of(ms - 1, rest),
        uuid7_of(ms + 1, rng.getrandbits(80)),
        uuid7_of(ms - 1, rng.getrandbits(80)),
    ]
    return [str(g) for g in guesses if str(g) != real]


def random_ids(rng: random.Random, anchor_ms: int) -> list[str]:
    v4 = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(SAMPLES)]
    v7 = [str(uuid7_of(anchor_ms + rng.randint(-60_000, 60_000), rng.getrandbits(80))) for _ in range(SAMPLES)]
    return v4 + v7


# ---- answers ----

COMPARED_HEADERS = ("content-type", "content-length", "cache-control", "content-disposition", "location")
# Every other header is compared by name (which headers an answer carries), and by value but for these,
# which differ from one response to the next whatever was asked.
PER_RESPONSE = {"date", "x-request-id", "set-cookie", "server-timing"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str | None], ...]
    body: str

    def differences(self, other: "Answer") -> list[str]:
        found = []
        if self.status != other.status:
            found.append(f"status {self.status} vs {other.status}")
        for (name, mine), (_, theirs) in zip(self.headers, other.headers, strict=True):
            if mine != theirs:
                found.append(f"{name}: {mine!r} vs {theirs!r}")
        if self.body != other.body:
            found.append(f"body {self.body[:300]!r} vs {other.body[:300]!r}")
        return found


def answer(response, asked: str) -> Answer:
    """The response with what legitimately varies taken out: the request id, and the id asked for (echoed
    back by some answers; content-length is corrected for it)."""
    text = response.text
    echoed = text.count(asked) if asked else 0
    body = unrequested(text.replace(asked, "{id}") if asked else text)
    body = re.sub(r'"request_id":\s*"[^"]*"', '"request_id": ""', body)
    headers = []
    for name in COMPARED_HEADERS:
        value = response.headers.get(name)
        if name == "content-length" and value is not None:
            value = str(int(value) - echoed * len(asked.encode()))
        if value is not None and asked:
            value = value.replace(asked, "{id}")
        headers.append((name, value))
    others = sorted(
        (name, "" if name in PER_RESPONSE else value.replace(asked, "{id}") if asked else value)
        for name, value in response.headers.items()
        if name not in COMPARED_HEADERS
    )
    headers.append(("other headers", repr(others)))
    return Answer(response.status_code, tuple(headers), body)


class Probe:
    """Asks as each of SYR's askers and compares every answer with the one about a missing record."""

    def __init__(self, client: TestClient, population: Population) -> None:
        self.client = client
        self.askers = [population.member("SYR", role) for role in ASKERS]
        self.failures: list[str] = []
        self.checks = 0

    def get(self, url: str, member, headers: dict | None = None):
        return self.client.get(url, headers=bearer(member) | (headers or {}), follow_redirects=False)

    def compare(
        self,
        template: Callable[[str], str],
        unreadable: list[tuple[str, str]],
        missing: list[str],
        *,
        headers: dict | None = None,
    ) -> None:
        """`unreadable`: (label, id) of records SYR may not read; `missing`: ids of nothing. All must answer
        as the first missing id does."""
        for member in self.askers:
            reference_id = missing[0]
            reference = answer(self.get(template(reference_id), member, headers), reference_id)
            assert reference.status in (403, 404), f"{template(reference_id)}: missing answered {reference.status}"
            asked = [(f"real {label}", i) for label, i in unreadable] + [("missing", i) for i in missing[1:]]
            for label, asked_id in asked:
                got = answer(self.get(template(asked_id), member, headers), asked_id)
                self.checks += 1
                differences = got.differences(reference)
                if differences:
                    self.failures.append(
                        f"{member.username} GET {template(asked_id)} ({label}) differs from missing "
                        f"{reference_id}: " + "; ".join(differences)
                    )

    def assert_clean(self) -> None:
        assert self.checks, "nothing was probed"
        assert not self.failures, f"{len(self.failures)} of {self.checks} answers differ:\n" + "\n".join(
            self.failures[:30]
        )


# ---- records ----


def hidden_states(cell) -> list[EnvelopeState]:
    """ISR's records SYR may not read: a draft, one pending the mediator, released to FRA alone, to nobody."""
    states = [s for s in envelope_states(cell) if s.origin == "ISR" and "SYR" not in expected_readers(s, cell)]
    assert {s.status for s in states} >= {"draft", "pending", "released"}
    return states


def api_records(client: TestClient, population: Population, kind: str) -> list[tuple[str, str]]:
    """Records made through the API as the domains' tests make them: ISR's, unreadable to SYR, with
    their ledger entries."""
    isr = bearer(population.member("ISR", "liaison"))
    made = []
    if kind == "incident":
        response = report(client, isr, draft=True)
        assert response.status_code == 201, response.text
        made.append(("API draft", response.json()["id"]))
    elif kind == "message":
        body = {"channel": "usa-isr", "body": "For the mediator alone."}
        response = client.post("/api/v1/messages", json=body, headers=isr)
        assert response.status_code == 201, response.text
        made.append(("API message on usa-isr", response.json()["id"]))
    elif kind == "attachment":
        for label, send in (("API upload not sent yet", False), ("API upload sent on usa-isr", True)):
            files = {"file": ("map.pdf", PDF, "application/pdf")}
            upload = client.post("/api/v1/attachments", files=files, headers=isr)
            assert upload.status_code == 201, upload.text
            made.append((label, upload.json()["id"]))
            if send:
                body = {"channel": "usa-isr", "body": "Map attached.", "attachments": [made[-1][1]]}
                assert client.post("/api/v1/messages", json=body, headers=isr).status_code == 201
    elif kind == "project":
        response = client.post("/api/v1/projects", json=project_body(), headers=isr)
        assert response.status_code == 201, response.text
        made.append(("API project", response.json()["id"]))
    elif kind == "webhook":
        body = {"url": "https://hooks.isr.example/fusioncell", "description": "ops room"}
        response = client.post("/api/v1/webhooks", json=body, headers=bearer(population.member("ISR", "admin")))
        assert response.status_code == 201, response.text
        made.append(("ISR's webhook", response.json()["id"]))
    return made


def real_records(client, db, population, cell, kind: str) -> list[tuple[str, str]]:
    made = []
    if kind in MAKERS:
        made = [(state.label, MAKERS[kind](db, state)) for state in hidden_states(cell)]
        db.commit()
    made += api_records(client, population, kind)
    assert made, kind
    return made


def id_variants(made: list[tuple[str, str]], seed: str) -> list[str]:
    rng = random.Random(seed)
    anchor = uuid7_parts(uuid.UUID(made[0][1]))[0]
    missing = random_ids(rng, anchor)
    for _, real in made:
        missing += adjacent_ids(real, rng)
    real_ids = {real for _, real in made}
    return [i for i in missing if i not in real_ids]


# ---- the routes ----


@pytest.mark.parametrize("path", sorted(UUID_ROUTES))
def test_an_unreadable_record_answers_exactly_as_a_missing_one(client, db, population, cell, path):
    kind, query = UUID_ROUTES[path]
    made = real_records(client, db, population, cell, kind)
    url = lambda i: re.sub(r"\{[^}]+\}", i, path) + query  # noqa: E731
    owner = population.member("ISR", "admin" if kind == "webhook" else "liaison")
    owned = [client.get(url(i), headers=bearer(owner)).status_code for _, i in made]
    assert any(status != 404 for status in owned), f"{path}: even ISR gets 404 for its own records: the probe is void"
    probe = Probe(client, population)
    probe.compare(url, made, id_variants(made, path))
    probe.assert_clean()


def test_record_receipts_answer_exactly_as_for_a_missing_record(client, db, runtime, population, cell):
    """/api/v1/records/{kind}/{id}/receipt for every recorded kind: real records (those made through the API
    have a ledger entry, so a reader would get 200), random and adjacent ids, and kinds that do not exist."""
    kinds = {m.record_kind: m for m in recorded_models()}
    probe = Probe(client, population)
    isr = population.member("ISR", "liaison")
    made = [made for kind_name in sorted(MAKERS) for made in real_records(client, db, population, cell, kind_name)]
    sign(db, runtime)  # in a checkpoint: a reader gets the receipt (200), not "ask again in a moment"
    owned = 0
    for record_kind, model in kinds.items():
        mine = [(label, i) for label, i in made if db.get(model, uuid.UUID(i)) is not None]
        if not mine:
            continue
        for label, record_id in mine:  # the owner may read it: the probe is not vacuous
            if db.get(model, uuid.UUID(record_id)).ledger_index is not None:
                own = probe.get(f"/api/v1/records/{record_kind}/{record_id}/receipt", isr)
                assert own.status_code == 200, (record_kind, label, own.text)
                owned += 1
        probe.compare(lambda i, k=record_kind: f"/api/v1/records/{k}/{i}/receipt", mine, id_variants(mine, record_kind))
    assert owned >= 3, "no record with a ledger entry was probed"
    # A kind that does not exist, and ids that are not UUIDs, answer as a missing record too.
    missing = str(uuid.uuid4())
    probe.compare(lambda i: f"/api/v1/records/{i}/{missing}/receipt", [], ["no-such-kind", "incidentx", "users"])
    probe.compare(lambda i: f"/api/v1/records/incident/{i}/receipt", [], [missing, "not-a-uuid", "1"])
    probe.assert_clean()


def test_ledger_indexes_of_unreadable_entries_answer_as_past_the_end(client, db, runtime, population, cell):
    """/api/v1/ledger/entries/{index}: the entries of ISR's records SYR may not read answer exactly as the
    indexes past the end of the log. The receipt by index is public to members (leaves are), so it answers
    200 for both readable and unreadable entries, without the body and salt to who may not read it."""
    from fusioncell.ledger.models import LedgerEntry

    hidden = []
    for kind in ("incident", "message", "project"):
        for label, record_id in api_records(client, population, kind):
            entries = db.query(LedgerEntry).filter(LedgerEntry.record_id == record_id).all()
            hidden += [(f"{label} entry", str(e.index)) for e in entries]
    assert hidden
    sign(db, runtime)
    size = tree_size(db)
    syr = population.member("SYR", "liaison")
    assert all(client.get(f"/api/v1/ledger/entries/{i}", headers=bearer(syr)).status_code == 404 for _, i in hidden)
    isr = population.member("ISR", "liaison")
    assert client.get(f"/api/v1/ledger/entries/{hidden[0][1]}", headers=bearer(isr)).status_code == 200
    past = [str(size + n) for n in (0, 1, 2, 10, 1000, 10**6, 2**40)]
    probe = Probe(client, population)
    probe.compare(lambda i: f"/api/v1/ledger/entries/{i}", hidden, past)
    probe.assert_clean()

    # Receipts by index: an unreadable entry's receipt is the public proof alone; past the end, 404.
    for _, index in hidden:
        response = client.get(f"/api/v1/ledger/receipt?index={index}", headers=bearer(syr))
        assert response.status_code == 200, response.text
        verified = verify_receipt(response.text, log_vkey=runtime.signer.verifier_key())
        assert verified.receipt.body is None, "the receipt of an unreadable entry carries its body"
    for index in past:
        assert client.get(f"/api/v1/ledger/receipt?index={index}", headers=bearer(syr)).status_code == 404


def test_channels_a_party_is_not_in_answer_as_missing_ones(client, population, cell):
    """/hotline/{channel_code}: the channels SYR is not in answer as codes no channel has."""
    hidden = [(c.code, c.code) for c in cell.channels if "SYR" not in c.members]
    assert hidden
    missing = ["no-such-channel", "usa-isx", "isr-usa", "usa-isr2", "plenaryx"]
    probe = Probe(client, population)
    probe.compare(lambda code: f"/hotline/{code}", hidden, missing)
    probe.assert_clean()


def test_taxii_collections_objects_and_statuses_answer_as_missing_ones(client, db, population, cell):
    """TAXII: a collection SYR is not in, an ISR object SYR may not read in a collection it is in, and ISR's
    upload status answer as ones that do not exist (byte for byte, TAXII's media type)."""
    from fusioncell.taxii import API_ROOT_PATH
    from tests.taxii.test_matrix import _place

    collections = collections_of(cell)
    rng = random.Random("taxii")
    headers = {"Accept": TAXII}
    probe = Probe(client, population)
    not_in = [(c.code, c.id) for c in collections if "SYR" not in c.parties]
    missing_collections = [str(uuid.uuid5(uuid.UUID(int=rng.getrandbits(128)), "x")) for _ in range(4)]
    missing_collections += [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(2)]
    for tail in ("", "objects/", "manifest/"):
        probe.compare(
            lambda i, t=tail: f"{API_ROOT_PATH}collections/{i}/{t}", not_in, missing_collections, headers=headers
        )
    # Objects: ISR's, pending the mediator, in a collection SYR reads.
    isr = population.member("ISR", "liaison")
    shared = next(c for c in collections if {"ISR", "SYR"} <= c.parties)
    placed = _place(db, cell, isr, shared, "pending")
    db.commit()
    real = placed.stix_id
    base = f"{API_ROOT_PATH}collections/{shared.id}/objects/"
    assert client.get(f"{base}{real}/", headers=bearer(isr) | headers).status_code == 200
    missing_objects = [f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}" for _ in range(SAMPLES)]
    real_uuid = real.split("--", 1)[1]
    missing_objects += [f"indicator--{uuid.UUID(int=uuid.UUID(real_uuid).int ^ 1)}"]
    for tail in ("", "versions/"):
        probe.compare(lambda i, t=tail: f"{base}{i}/{t}", [("ISR pending", real)], missing_objects, headers=headers)
    # Statuses: ISR's upload.
    taxii_write = bearer(isr) | {"Accept": TAXII, "Content-Type": TAXII}
    posted = client.post(base, json=envelope([indicator(7)]), headers=taxii_write)
    assert posted.status_code == 202, posted.text
    status_id = posted.json()["id"]
    probe.compare(
        lambda i: f"{API_ROOT_PATH}status/{i}/",
        [("ISR's status", status_id)],
        id_variants([("ISR's status", status_id)], "status") if _is_uuid7(status_id) else missing_collections,
        headers=headers,
    )
    probe.assert_clean()


def _is_uuid7(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 7
    except ValueError:
        return False


def test_the_probe_tells_a_readable_record_from_a_missing_one(client, db, population, cell):
    """The control: a record SYR may read, and one that differs from a missing answer by a header alone, are
    both caught — the comparison above is not blind."""
    readable = EnvelopeState("ISR released to SYR", "ISR", "released", frozenset({"SYR"}))
    record_id = make_incident(db, readable)
    db.commit()
    probe = Probe(client, population)
    missing = id_variants([("readable", record_id)], "control")
    probe.compare(lambda i: f"/api/v1/incidents/{i}", [("readable", record_id)], missing)
    assert len(probe.failures) == len(ASKERS)
    probe.failures.clear()
    probe.compare(lambda i: f"/api/v1/incidents/{i}", [], missing, headers={"Accept-Language": "ar"})
    assert not probe.failures
    reference = answer(client.get(f"/api/v1/incidents/{missing[0]}", headers=bearer(probe.askers[0])), missing[0])
    other = answer(client.get(f"/api/v1/incidents/{missing[1]}", headers=bearer(probe.askers[0])), missing[1])
    assert not other.differences(reference)
    tampered = Answer(other.status, (*other.headers[:-1], ("other headers", "[('vary', 'x')]")), other.body)
    assert tampered.differences(reference)
