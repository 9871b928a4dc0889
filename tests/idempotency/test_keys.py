"""The generic Idempotency-Key of API writes: a retry after a lost answer never stores the write twice.

On SQLite and PostgreSQL (the conftest's backends); the concurrent duplicates run against a database of their
own, with real commits, since the suite's usual one is a single rolled-back connection."""

import threading
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from fusioncell.app import create_app
from fusioncell.config import Settings
from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.idempotency.models import IdempotencyKey
from fusioncell.incidents.models import Incident
from fusioncell.intel.models import IntelReport
from fusioncell.ledger.models import LedgerEntry
from fusioncell.runtime import Runtime
from tests.conftest import DEFAULT_POSTGRES, _populate, _postgres_database
from tests.incidents.conftest import report_body as incident_body
from tests.intel.conftest import report_body as intel_body
from tests.support import bearer


def keyed(headers: dict, key: str) -> dict:
    return headers | {"Idempotency-Key": key}


def entries_for(db, record_id: str) -> int:
    return db.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.record_id == record_id))


def count(db, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return db.scalar(query)


@pytest.mark.parametrize(
    ("path", "make", "model", "party", "role"),
    [
        ("/api/v1/incidents", incident_body, Incident, "SYR", "liaison"),
        ("/api/v1/intel/reports", intel_body, IntelReport, "ISR", None),
    ],
    ids=["incident", "intel-report"],
)
def test_a_retry_is_answered_the_first_answer_and_stores_nothing(client, as_, db, path, make, model, party, role):
    headers = keyed(as_(party, role), f"retry-{uuid.uuid4()}")
    body = make(description="retried") if model is Incident else make(title="retried")
    before = count(db, model)
    first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotency-replayed" not in first.headers
    again = client.post(path, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json() and again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["x-content-type-options"] == "nosniff"  # the edge's headers on a replay too
    assert count(db, model) == before + 1
    assert entries_for(db, first.json()["id"]) == 1
    row = db.get(IdempotencyKey, (as_member_username(client, headers), headers["Idempotency-Key"]))
    assert row.record_id == first.json()["id"] and row.status_code == 201 and row.ledger_index is not None


def as_member_username(client, headers) -> str:
    return client.get("/api/v1/me", headers={"Authorization": headers["Authorization"]}).json()["username"]


def test_the_same_key_for_another_request_is_refused_and_writes_nothing(client, as_, db):
    headers = keyed(as_("ISR"), "one-key-two-bodies")
    assert client.post("/api/v1/intel/reports", json=intel_body(title="first"), headers=headers).status_code == 201
    before, entries = count(db, IntelReport), count(db, LedgerEntry)
    other = client.post("/api/v1/intel/reports", json=intel_body(title="second"), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "invalid"
    assert other.json()["error"]["details"] == {"idempotency_key": "one-key-two-bodies"}
    assert "idempotency-replayed" not in other.headers
    assert (count(db, IntelReport), count(db, LedgerEntry)) == (before, entries)
    elsewhere = client.post("/api/v1/incidents", json=incident_body(), headers=keyed(as_("ISR", "liaison"), "x" * 8))
    assert elsewhere.status_code == 201  # another account of the party: its own keys


def test_keys_belong_to_the_caller_account(client, as_, db):
    key = "shared-key-string"
    isr = client.post("/api/v1/incidents", json=incident_body(), headers=keyed(as_("ISR", "liaison"), key))
    syr = client.post("/api/v1/incidents", json=incident_body(), headers=keyed(as_("SYR", "liaison"), key))
    assert isr.status_code == syr.status_code == 201
    assert "idempotency-replayed" not in syr.headers and isr.json()["id"] != syr.json()["id"]
    assert count(db, IdempotencyKey, key=key) == 2


@pytest.mark.parametrize("key", ["short", "x" * 129, "has space in it", "tab\there!", "non-ascii-é-key"])
def test_a_malformed_key_is_refused_before_anything_is_written(client, as_, db, key):
    before = count(db, LedgerEntry)
    response = client.post(
        "/api/v1/incidents",
        json=incident_body(),
        headers=as_("SYR", "liaison") | {"Idempotency-Key": key.encode()},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["details"] == {"header": "Idempotency-Key"}
    assert count(db, LedgerEntry) == before and count(db, IdempotencyKey) == 0


def test_the_malformed_key_answer_speaks_the_clients_language(client, as_):
    headers = as_("SYR", "liaison") | {"Idempotency-Key": "short", "Accept-Language": "ar"}
    response = client.post("/api/v1/incidents", json=incident_body(), headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert response.json()["error"]["message"] != (
        "The Idempotency-Key must be 8 to 128 visible ASCII characters; nothing was stored."
    )


def test_a_failed_request_stores_no_key_so_it_may_be_sent_again(client, as_, db):
    headers = keyed(as_("SYR", "liaison"), "failed-then-fixed")
    refused = client.post("/api/v1/incidents", json=incident_body(severity=99), headers=headers)
    assert refused.status_code == 422
    missing = client.post(f"/api/v1/incidents/{uuid.uuid4()}/acknowledge", headers=keyed(as_("SYR"), "failed-key-2"))
    assert missing.status_code == 404  # refused by the service, after the key was claimed: released again
    assert count(db, IdempotencyKey) == 0
    fixed = client.post("/api/v1/incidents", json=incident_body(severity=99), headers=headers)
    assert fixed.status_code == 422  # the same failing request fails again (it is not replayed)
    body = incident_body()
    accepted = client.post("/api/v1/incidents", json=body, headers=keyed(as_("SYR", "liaison"), "fixed-for-real"))
    assert accepted.status_code == 201 and count(db, IdempotencyKey) == 1


def test_an_acknowledgement_with_a_path_id_is_replayed_not_refused(client, as_, db):
    incident = client.post("/api/v1/incidents", json=incident_body(actor_party="SYR"), headers=as_("ISR", "liaison"))
    assert incident.status_code == 201, incident.text
    path = f"/api/v1/incidents/{incident.json()['id']}/acknowledge"
    headers = keyed(as_("SYR", "liaison"), "ack-once-please")
    first = client.post(path, headers=headers)
    assert first.status_code == 200, first.text
    again = client.post(path, headers=headers)
    assert again.status_code == 200 and again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json()
    unkeyed = client.post(path, headers=as_("SYR", "liaison"))
    assert unkeyed.status_code == 409  # without the key, the service's own answer to a second acknowledgement
    acknowledged = count(db, LedgerEntry, record_id=incident.json()["id"], action="incident-acknowledged")
    assert acknowledged == 1


def test_the_crash_window_answers_409_naming_the_record(client, as_, db, monkeypatch):
    """The server died after the write committed and before its answer was stored: the retry writes nothing
    and names the record the write made."""
    from fusioncell.idempotency import middleware, service

    monkeypatch.setattr(middleware, "PENDING_WAIT_SECONDS", 0.2)
    original = service.store_answer
    monkeypatch.setattr(service, "store_answer", lambda session, **values: None)  # the answer is never stored
    headers = keyed(as_("SYR", "liaison"), "lost-answer-key")
    first = client.post("/api/v1/incidents", json=incident_body(), headers=headers)
    assert first.status_code == 201
    monkeypatch.setattr(service, "store_answer", original)
    before = count(db, Incident)
    retry = client.post("/api/v1/incidents", json=incident_body(), headers=headers)
    assert count(db, Incident) == before
    # a different body (a new timestamp) is a different request: the retry of a client sends the same bytes
    assert retry.status_code == 422
    body = incident_body(description="the same bytes")
    headers = keyed(as_("SYR", "liaison"), "lost-answer-key-2")
    monkeypatch.setattr(service, "store_answer", lambda session, **values: None)
    first = client.post("/api/v1/incidents", json=body, headers=headers)
    monkeypatch.setattr(service, "store_answer", original)
    retry = client.post("/api/v1/incidents", json=body, headers=headers | {"Accept-Language": "he"})
    assert retry.status_code == 409
    error = retry.json()["error"]
    assert error["code"] == "idempotent_answer_unknown"
    assert error["details"]["record_kind"] == "incident" and error["details"]["record_id"] == first.json()["id"]
    assert error["details"]["idempotency_key"] == "lost-answer-key-2"
    assert "Idempotency-Key" in error["message"] and "stored" not in error["message"]  # in Hebrew
    assert count(db, Incident) == before + 1


def test_a_key_left_unanswered_by_another_process_answers_409_at_once(client, as_, db, monkeypatch):
    """After a restart the process that claimed the key is gone: its retry does not wait for an answer that
    will never come."""
    import time

    from fusioncell.idempotency import middleware, service

    monkeypatch.setattr(middleware, "PENDING_WAIT_SECONDS", 30.0)
    original = service.store_answer
    monkeypatch.setattr(service, "store_answer", lambda session, **values: None)
    body, headers = incident_body(description="killed"), keyed(as_("SYR", "liaison"), "killed-process-key")
    first = client.post("/api/v1/incidents", json=body, headers=headers)
    monkeypatch.setattr(service, "store_answer", original)
    db.execute(update(IdempotencyKey).values(claimed_by="gone-host:1:killed"))
    db.flush()
    started = time.monotonic()
    retry = client.post("/api/v1/incidents", json=body, headers=headers)
    assert time.monotonic() - started < 5
    assert retry.status_code == 409 and retry.json()["error"]["details"]["record_id"] == first.json()["id"]


def test_hotline_messages_keep_their_own_key(client, as_, db):
    body = {"channel": "hotline", "body": "own mechanism", "precedence": "routine"}
    headers = keyed(as_("ISR"), "hotline-key-1")
    first = client.post("/api/v1/messages", json=body, headers=headers)
    again = client.post("/api/v1/messages", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert "idempotency-replayed" not in again.headers and again.json()["id"] == first.json()["id"]
    assert count(db, IdempotencyKey) == 0


def test_the_openapi_document_names_the_header_on_writes(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert ref in document["paths"]["/api/v1/incidents"]["post"]["parameters"]
    assert ref not in document["paths"]["/api/v1/incidents"]["get"].get("parameters", [])
    assert ref not in document["paths"]["/api/v1/messages"]["post"].get("parameters", [])
    assert ref not in document["paths"]["/api/v1/tokens"]["post"].get("parameters", [])
    created = document["paths"]["/api/v1/incidents"]["post"]["responses"]["201"]
    assert "Idempotency-Replayed" in created["headers"]


# Concurrent duplicates: real commits on a database of their own.


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committing(request, tmp_path_factory, cell, signer) -> Iterator[tuple[TestClient, Database, dict]]:
    if request.param == "sqlite":
        urls = iter([f"sqlite:///{tmp_path_factory.mktemp('idem') / 'cell.db'}"])
    else:
        urls = _postgres_database(DEFAULT_POSTGRES)
    url = next(urls)
    database = Database(url)
    try:
        migrate.upgrade(database.engine)
        population = _populate(database, cell)
        settings = Settings(var_dir=tmp_path_factory.mktemp("idem-var"), log_json=True)
        runtime = Runtime(settings=settings, database=database, cell=cell, signer=signer)
        with TestClient(create_app(runtime, background=False)) as client:
            yield client, database, {"SYR": bearer(population.member("SYR", "liaison"))}
    finally:
        database.dispose()
        next(urls, None)  # drops the PostgreSQL database


def test_concurrent_duplicates_write_once(committing):
    client, database, headers = committing
    body = incident_body(description=f"concurrent {uuid.uuid4().hex[:6]}")
    key = f"concurrent-{uuid.uuid4()}"
    answers = []
    start = threading.Barrier(6)

    def send() -> None:
        start.wait()
        answers.append(client.post("/api/v1/incidents", json=body, headers=keyed(headers["SYR"], key)))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(a.status_code for a in answers)
    assert len(answers) == 6 and set(statuses) <= {201, 409}, [a.text for a in answers]
    assert 500 not in statuses
    created = [a for a in answers if a.status_code == 201]
    assert len([a for a in created if "idempotency-replayed" not in a.headers]) == 1
    assert len({a.json()["id"] for a in created}) == 1
    with database.reading() as session:
        assert count(session, Incident, description=body["description"]) == 1
        assert count(session, LedgerEntry, record_id=created[0].json()["id"]) == 1


def test_keys_older_than_seven_days_are_purged(client, as_, db, runtime):
    from datetime import timedelta

    from fusioncell.db.types import utcnow
    from fusioncell.idempotency.scheduled import purge_expired_keys

    headers = keyed(as_("SYR", "liaison"), "old-key-purged")
    assert client.post("/api/v1/incidents", json=incident_body(), headers=headers).status_code == 201
    assert purge_expired_keys(runtime, now=utcnow() + timedelta(days=6)) == 0
    assert purge_expired_keys(runtime, now=utcnow() + timedelta(days=7, minutes=1)) == 1
    assert count(db, IdempotencyKey) == 0
