"""The hotline's behaviour over the API: sending, acknowledging, escalating, relaying, reviewing,
retracting, attachments; bad input gets a clear 4xx and stores nothing."""

from datetime import timedelta

import pytest

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.service import tree_size


def send(client, headers, **fields):
    return client.post("/api/v1/messages", json={"channel": "hotline", "body": "hello"} | fields, headers=headers)


def test_a_flash_on_the_hotline_reaches_syr_and_the_mediator_only(client, as_):
    response = send(client, as_("ISR", "liaison"), body="Drone over **Quneitra**", precedence="flash")
    assert response.status_code == 201
    message = response.json()
    assert message["ledger_index"] is not None and message["language"] == "en"
    assert message["releasable_to"] == ["SYR", "USA"] and message["ack_parties"] == ["SYR"]
    assert message["body_html"] == "<p>Drone over <strong>Quneitra</strong></p>\n"
    assert message["ack_due_at"] is not None
    for party, status in (("SYR", 200), ("USA", 200), ("FRA", 404), ("UNDOF", 404)):
        role = "observer" if party in ("FRA", "UNDOF") else "liaison"
        assert client.get(f"/api/v1/messages/{message['id']}", headers=as_(party, role)).status_code == status


def test_the_language_is_detected_and_rtl_text_kept(client, as_):
    message = send(client, as_("SYR", "liaison"), body="طائرة مسيرة فوق القنيطرة").json()
    assert message["language"] == "ar"


def test_acknowledgement_by_the_right_party_only(client, as_):
    message = send(client, as_("ISR", "liaison"), precedence="immediate").json()
    path = f"/api/v1/messages/{message['id']}/acknowledge"
    assert client.post(path, headers=as_("USA", "liaison")).status_code == 403  # not asked
    assert client.post(path, headers=as_("ISR", "liaison")).status_code == 403  # its own
    assert client.post(path, headers=as_("FRA", "observer")).status_code == 404  # cannot even read it
    acked = client.post(path, headers=as_("SYR", "liaison"))
    assert acked.status_code == 200
    assert {r["kind"] for r in acked.json()["receipts"]} == {"acknowledged"}
    again = client.post(path, headers=as_("SYR", "liaison")).json()
    assert len(again["receipts"]) == 1  # acknowledging twice records once
    seen_by_isr = client.get(f"/api/v1/messages/{message['id']}", headers=as_("ISR", "liaison")).json()
    assert seen_by_isr["receipts"][0]["party"] == "SYR"


def test_read_receipts_are_recorded_once_per_party(client, as_):
    message = send(client, as_("ISR", "liaison")).json()
    path = f"/api/v1/messages/{message['id']}/read"
    client.post(path, headers=as_("SYR", "liaison"))
    client.post(path, headers=as_("SYR", "officer:intelligence"))
    receipts = client.get(f"/api/v1/messages/{message['id']}", headers=as_("ISR", "liaison")).json()["receipts"]
    assert [(r["party"], r["kind"]) for r in receipts] == [("SYR", "read")]


def test_a_missed_deadline_escalates_once_to_the_mediators_supervisors(client, db, as_, cell):
    message = send(client, as_("ISR", "liaison"), precedence="flash").json()
    routine = send(client, as_("ISR", "liaison"), precedence="routine").json()
    acked = send(client, as_("ISR", "liaison"), precedence="flash").json()
    client.post(f"/api/v1/messages/{acked['id']}/acknowledge", headers=as_("SYR", "liaison"))
    later = utcnow() + timedelta(minutes=6)
    raised = escalate_overdue(db, cell=cell, now=later)
    assert [(str(e.message_id), e.party) for e in raised] == [(message["id"], "SYR")]
    assert escalate_overdue(db, cell=cell, now=later + timedelta(minutes=1)) == []  # never twice
    db.commit()
    inbox = client.get("/api/v1/inbox", headers=as_("USA", "supervisor")).json()
    assert [e["message_id"] for e in inbox["escalations"]] == [message["id"]]
    assert routine["ack_due_at"] is None
    assert client.get("/api/v1/escalations", headers=as_("ISR", "liaison")).json()["items"] == []
    owed = client.get("/api/v1/inbox", headers=as_("SYR", "liaison")).json()["acknowledgements"]
    assert message["id"] in [m["id"] for m in owed] and acked["id"] not in [m["id"] for m in owed]


def test_idempotent_sends_never_duplicate(client, db, as_):
    headers = as_("ISR", "liaison")
    first = send(client, headers, idempotency_key="retry-key-0001")
    size = tree_size(db)
    second = send(client, headers, idempotency_key="retry-key-0001")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert tree_size(db) == size
    header = client.post(
        "/api/v1/messages",
        json={"channel": "hotline", "body": "hello"},
        headers=headers | {"Idempotency-Key": "retry-key-0001"},
    )
    assert header.json()["id"] == first.json()["id"]
    clash = send(client, headers, idempotency_key="retry-key-0001", body="something else")
    assert clash.status_code == 409


@pytest.mark.parametrize(
    ("party", "role", "fields", "status"),
    [
        ("ISR", "liaison", {"channel": "nowhere"}, 422),
        ("FRA", "observer", {"channel": "hotline"}, 403),
        ("ISR", "liaison", {"channel": "usa-syr"}, 403),
        ("ISR", "liaison", {"body": "x" * 20_001}, 422),
        ("ISR", "liaison", {"body": ""}, 422),
        ("ISR", "liaison", {"precedence": "urgent"}, 422),
        ("ISR", "liaison", {"reply_to": "01a217a2-0000-7000-8000-000000000000"}, 422),
        ("ISR", "liaison", {"attachments": ["01a217a2-0000-7000-8000-000000000000"]}, 422),
        ("ISR", "liaison", {"surprise": True}, 422),
    ],
)
def test_bad_sends_are_refused_and_store_nothing(client, db, as_, party, role, fields, status):
    size = tree_size(db)
    response = send(client, as_(party, role), **fields)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
    assert tree_size(db) == size


def test_retraction_hides_the_body_from_everyone_but_keeps_the_message(client, as_):
    message = send(client, as_("ISR", "liaison"), body="wrong grid reference").json()
    path = f"/api/v1/messages/{message['id']}/retract"
    assert client.post(path, json={"reason": "x"}, headers=as_("SYR", "liaison")).status_code == 403
    retracted = client.post(path, json={"reason": "wrong grid"}, headers=as_("ISR", "liaison"))
    assert retracted.status_code == 200
    for party in ("ISR", "SYR", "USA"):
        view = client.get(f"/api/v1/messages/{message['id']}", headers=as_(party, "liaison")).json()
        assert view["status"] == "retracted" and view["body"] is None and view["retraction_reason"] == "wrong grid"
    correction = send(client, as_("ISR", "liaison"), body="correct grid", corrects=message["id"])
    assert correction.status_code == 201 and correction.json()["corrects"] == message["id"]
    assert send(client, as_("SYR", "liaison"), body="x", corrects=message["id"]).status_code == 422


def test_proximity_relay_cites_its_source_which_stays_with_its_side(client, as_):
    source = client.post(
        "/api/v1/messages", json={"channel": "usa-isr", "body": "We can pull back 2 km."}, headers=as_("ISR", "liaison")
    ).json()
    relay = client.post(
        f"/api/v1/messages/{source['id']}/relay",
        json={"channel": "usa-syr", "body": "Israel signals a limited pullback."},
        headers=as_("USA", "liaison"),
    )
    assert relay.status_code == 201
    relayed = relay.json()
    assert relayed["relayed_from"] == source["id"] and relayed["releasable_to"] == ["SYR"]
    assert client.get(f"/api/v1/messages/{relayed['id']}", headers=as_("SYR", "liaison")).status_code == 200
    assert client.get(f"/api/v1/messages/{source['id']}", headers=as_("SYR", "liaison")).status_code == 404
    assert (
        client.post(
            f"/api/v1/messages/{source['id']}/relay", json={"channel": "usa-syr"}, headers=as_("ISR", "liaison")
        ).status_code
        == 403
    )


@pytest.fixture
def supervised_hotline(runtime):
    data = runtime.cell.model_dump(mode="json")
    for channel in data["channels"]:
        if channel["code"] == "hotline":
            channel["supervised_delivery"] = True
    runtime.cell = CellDefinition.model_validate(data)
    return runtime


def test_supervised_delivery_waits_for_the_mediator(client, as_, supervised_hotline):
    message = send(client, as_("ISR", "liaison"), precedence="flash").json()
    assert message["status"] == "pending" and message["ack_due_at"] is None
    path = f"/api/v1/messages/{message['id']}"
    assert client.get(path, headers=as_("SYR", "liaison")).status_code == 404
    queue = client.get("/api/v1/inbox", headers=as_("USA", "liaison")).json()["reviews"]
    assert message["id"] in [m["id"] for m in queue]
    assert client.post(f"{path}/approve", headers=as_("SYR", "liaison")).status_code == 404
    approved = client.post(f"{path}/approve", headers=as_("USA", "liaison")).json()
    assert approved["status"] == "released" and approved["ack_due_at"] is not None
    assert client.get(path, headers=as_("SYR", "liaison")).status_code == 200


def test_a_returned_message_goes_back_to_its_author_with_the_comment(client, as_, supervised_hotline):
    message = send(client, as_("ISR", "liaison")).json()
    path = f"/api/v1/messages/{message['id']}"
    returned = client.post(f"{path}/return", json={"comment": "tone it down"}, headers=as_("USA", "liaison"))
    assert returned.json()["status"] == "draft"
    assert client.get(path, headers=as_("ISR", "liaison")).json()["review_comment"] == "tone it down"
    assert client.get(path, headers=as_("USA", "liaison")).status_code == 404  # a draft again
    assert client.get(path, headers=as_("SYR", "liaison")).status_code == 404


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_attachments_go_where_their_message_goes(client, as_):
    upload = client.post(
        "/api/v1/attachments", files={"file": ("map.pdf", PDF, "application/pdf")}, headers=as_("ISR", "liaison")
    )
    assert upload.status_code == 201
    attachment = upload.json()
    content = f"/api/v1/attachments/{attachment['id']}/content"
    assert client.get(content, headers=as_("SYR", "liaison")).status_code == 404  # not sent yet
    send(client, as_("ISR", "liaison"), attachments=[attachment["id"]])
    served = client.get(content, headers=as_("SYR", "liaison"))
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-disposition"].startswith("attachment")
    assert client.get(content, headers=as_("FRA", "observer")).status_code == 404
    again = send(client, as_("ISR", "liaison"), attachments=[attachment["id"]])
    assert again.status_code == 422  # one message per upload


@pytest.mark.parametrize(
    ("name", "content", "kind", "status"),
    [
        ("x.exe", b"MZ\x90\x00", "application/x-msdownload", 422),
        ("fake.pdf", b"<script>alert(1)</script>", "application/pdf", 422),
        ("empty.txt", b"", "text/plain", 422),
        ("bin.txt", b"\xff\xfe\x00", "text/plain", 422),
    ],
)
def test_bad_attachments_are_refused(client, as_, name, content, kind, status):
    response = client.post("/api/v1/attachments", files={"file": (name, content, kind)}, headers=as_("ISR", "liaison"))
    assert response.status_code == status, response.text


def test_an_attachment_over_the_limit_is_refused(client, as_, runtime):
    runtime.settings.attachment_max_bytes = 2048
    big = b"a" * 4096
    response = client.post(
        "/api/v1/attachments", files={"file": ("big.txt", big, "text/plain")}, headers=as_("ISR", "liaison")
    )
    assert response.status_code == 413


def test_channels_list_membership_and_who_may_post(client, as_):
    isr = {c["code"]: c for c in client.get("/api/v1/channels", headers=as_("ISR", "liaison")).json()["items"]}
    assert set(isr) == {"plenary", "usa-isr", "hotline"}
    assert all(c["may_post"] for c in isr.values())
    usa = {c["code"] for c in client.get("/api/v1/channels", headers=as_("USA", "liaison")).json()["items"]}
    assert {"plenary", "usa-isr", "usa-syr", "hotline", "observers"} <= usa
    assert client.get("/api/v1/messages?channel=nowhere", headers=as_("ISR", "liaison")).status_code == 422


def test_attachments_may_exceed_the_general_body_limit_up_to_their_own(client, as_, runtime):
    bigger_than_a_message = b"a" * (runtime.settings.max_body_bytes + 10)
    response = client.post(
        "/api/v1/attachments",
        files={"file": ("log.txt", bigger_than_a_message, "text/plain")},
        headers=as_("ISR", "liaison"),
    )
    assert response.status_code == 201, response.text
