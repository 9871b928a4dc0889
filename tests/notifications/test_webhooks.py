"""Webhooks: a party's system receives exactly what the party may read, signed, retried, logged."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.hotline.models import Message
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from fusioncell.ledger.service import record_change, tree_size
from fusioncell.notifications.models import Delivery
from fusioncell.notifications.scheduled import deliver_notifications
from tests.notifications.conftest import with_settings

MISSING = "01a2179d-0000-7000-8000-000000000000"


def subscribe(client, headers, url, **fields) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, "description": "ops room"} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def send(client, headers, **fields) -> dict:
    response = client.post("/api/v1/messages", json={"channel": "hotline", "body": "hello"} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def verified(secret: str, received) -> dict:
    """What a receiver does: recompute the signature over timestamp + "." + body, compare in constant time."""
    timestamp, body = received.headers["x-fusioncell-timestamp"], received.body
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, received.headers["x-fusioncell-signature"])
    return json.loads(body)


def test_syr_receives_the_hotline_flash_but_never_a_bilateral_or_a_draft(client, db, runtime, as_, receiver):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    assert hook["secret"].startswith("whsec_") and hook["party"] == "SYR" and hook["ledger_index"] is not None
    flash = send(client, as_("ISR", "liaison"), body="Drone over **Quneitra**", precedence="flash")
    send(client, as_("ISR", "liaison"), channel="usa-isr", body="For the mediator only")
    draft = Message(
        channel="hotline",
        body="ISR draft, never sent",
        language="en",
        origin_party="ISR",
        created_by="isr.liaison",
        status=Status.DRAFT,
        releasable_to=frozenset({"SYR", "USA"}),
    )
    db.add(draft)
    record_change(db, record=draft, action="message-drafted", actor="isr.liaison", party="ISR")
    db.commit()
    upload = client.post(
        "/api/v1/attachments", files={"file": ("a.txt", b"draft file", "text/plain")}, headers=as_("ISR", "liaison")
    )
    assert upload.status_code == 201

    report = deliver_notifications(runtime)
    assert (report.queued, report.delivered) == (1, 1)
    [got] = receiver.received
    document = verified(hook["secret"], got)
    assert document["kind"] == "message" and document["action"] == "message-sent"
    assert document["id"] == flash["id"] and document["index"] == flash["ledger_index"] and document["version"] == 1
    assert document["record"]["body"] == "Drone over **Quneitra**" and document["record"]["precedence"] == "flash"
    assert document["record"]["review_comment"] is None
    assert got.headers["content-type"] == "application/json" and got.headers["x-fusioncell-delivery"]
    assert got.path == "/hooks/fusioncell"
    assert deliver_notifications(runtime).attempted == 0  # nothing twice
    assert len(receiver.received) == 1


def test_the_mediators_webhook_sees_what_crosses_but_no_draft(client, runtime, as_, receiver):
    hook = subscribe(client, as_("USA", "admin"), receiver.url, kinds=["message"])
    flash = send(client, as_("ISR", "liaison"), precedence="flash")
    bilateral = send(client, as_("ISR", "liaison"), channel="usa-isr")
    client.post("/api/v1/attachments", files={"file": ("a.txt", b"x", "text/plain")}, headers=as_("ISR", "liaison"))
    client.post(f"/api/v1/messages/{flash['id']}/acknowledge", headers=as_("SYR", "liaison"))  # a receipt: not asked
    deliver_notifications(runtime)
    ids = [verified(hook["secret"], r)["id"] for r in receiver.received]
    assert sorted(ids) == sorted([flash["id"], bilateral["id"]])


def test_a_failed_delivery_is_retried_with_backoff_and_every_attempt_is_logged(client, runtime, as_, receiver):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    receiver.statuses = [500]
    send(client, as_("ISR", "liaison"), precedence="flash")
    start = utcnow()
    assert deliver_notifications(runtime, now=start).delivered == 0
    assert deliver_notifications(runtime, now=start + timedelta(seconds=5)).attempted == 0  # not before 10 s
    assert deliver_notifications(runtime, now=start + timedelta(seconds=11)).delivered == 1
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["x-fusioncell-delivery"] == second.headers["x-fusioncell-delivery"]
    verified(hook["secret"], second)

    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=as_("SYR", "admin")).json()
    [delivery] = log["items"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert delivery["id"] == first.headers["x-fusioncell-delivery"]
    assert [(a["status_code"], a["error"]) for a in delivery["log"]] == [(500, "HTTP 500"), (200, None)]
    assert all(a["duration_ms"] >= 0 for a in delivery["log"])


def test_a_delivery_is_given_up_after_the_last_retry(client, db, runtime, as_, receiver):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    receiver.statuses = [503] * 10
    send(client, as_("ISR", "liaison"))
    at = utcnow()
    for wait in (0, *runtime.settings.notification_backoff_seconds):
        at += timedelta(seconds=wait + 1)
        assert deliver_notifications(runtime, now=at).attempted == 1
    assert deliver_notifications(runtime, now=at + timedelta(days=1)).attempted == 0
    [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=as_("SYR", "admin")).json()["items"]
    assert delivery["status"] == "failed" and delivery["attempts"] == 6 and delivery["failed_at"]


def test_timeouts_and_refused_connections_are_logged_as_errors(client, runtime, as_, receiver):
    quick = with_settings(runtime, webhook_timeout_seconds=0.3)
    slow = subscribe(client, as_("SYR", "admin"), receiver.url)
    closed = subscribe(client, as_("SYR", "admin"), "http://127.0.0.1:9/nobody-listens")
    receiver.delay = 1.0
    send(client, as_("ISR", "liaison"))
    assert deliver_notifications(quick).attempted == 2
    for hook, error in ((slow, "Timeout"), (closed, "ConnectError")):
        [delivery] = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=as_("SYR", "admin")).json()[
            "items"
        ]
        [attempt] = delivery["log"]
        assert delivery["status"] == "pending" and attempt["status_code"] is None and error in attempt["error"]


def test_another_partys_webhook_answers_exactly_like_a_missing_one(client, as_, receiver):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    for method, suffix in (("GET", ""), ("POST", "/disable"), ("GET", "/deliveries")):
        for party in ("ISR", "USA", "FRA"):
            headers = as_(party, "admin")
            missing = client.request(method, f"/api/v1/webhooks/{MISSING}{suffix}", headers=headers)
            other = client.request(method, f"/api/v1/webhooks/{hook['id']}{suffix}", headers=headers)
            assert missing.status_code == other.status_code == 404
            assert missing.json() == other.json()
        assert client.request(method, f"/api/v1/webhooks/{hook['id']}{suffix}", headers=as_("SYR", "admin")).is_success
    assert client.get("/api/v1/webhooks", headers=as_("ISR", "admin")).json()["items"] == []
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=as_("SYR", "admin")).json()["items"]] == [
        hook["id"]
    ]


def test_only_a_partys_admins_manage_its_webhooks_and_the_secret_is_shown_once(client, as_, receiver):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    for role in ("liaison", "officer:intelligence"):
        headers = as_("SYR", role)
        assert client.get("/api/v1/webhooks", headers=headers).status_code == 403
        assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=headers).status_code == 403
        assert client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=headers).status_code == 403
    shown = client.get(f"/api/v1/webhooks/{hook['id']}", headers=as_("SYR", "admin")).json()
    assert "secret" not in shown and hook["secret"] not in json.dumps(shown)
    listed = client.get("/api/v1/webhooks", headers=as_("SYR", "admin")).text
    assert hook["secret"] not in listed


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://example.org/hook"},
        {"url": "http://"},
        {"url": "https:///no-host"},
        {"url": "not a url"},
        {"url": "http://user:pw@example.org/hook"},
        {"url": "http://example.org/hook", "kinds": ["Message"]},
        {"url": "http://example.org/hook", "kinds": ["nonsense"]},
        {"url": "http://example.org/hook", "surprise": True},
    ],
)
def test_bad_subscriptions_are_refused_and_record_nothing(client, db, as_, fields):
    size = tree_size(db)
    response = client.post("/api/v1/webhooks", json=fields, headers=as_("SYR", "admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid"
    assert tree_size(db) == size
    assert client.get("/api/v1/webhooks", headers=as_("SYR", "admin")).json()["items"] == []


def test_disabling_cancels_what_waits_and_stops_deliveries(client, db, runtime, as_, receiver, signer):
    hook = subscribe(client, as_("SYR", "admin"), receiver.url)
    receiver.statuses = [500]
    send(client, as_("ISR", "liaison"))
    deliver_notifications(runtime)
    disabled = client.post(f"/api/v1/webhooks/{hook['id']}/disable", headers=as_("SYR", "admin"))
    assert disabled.status_code == 200 and disabled.json()["disabled_at"]
    assert disabled.json()["ledger_index"] > hook["ledger_index"]
    send(client, as_("ISR", "liaison"))
    later = utcnow() + timedelta(hours=2)
    assert deliver_notifications(runtime, now=later).attempted == 0
    assert len(receiver.received) == 1
    statuses = [d.status for d in db.query(Delivery).filter(Delivery.webhook_id == uuid.UUID(hook["id"]))]
    assert statuses == ["cancelled"]
    again = client.post(f"/api/v1/webhooks/{hook['id']}/disable", headers=as_("SYR", "admin")).json()
    assert again["ledger_index"] == disabled.json()["ledger_index"]  # disabling twice records once
    db.commit()
    assert audit(db, verifier=Verifier.from_vkey(signer.verifier_key())) == []
