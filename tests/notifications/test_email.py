"""E-mail alerts through a real SMTP server: only what the user may read, at the chosen precedences,
escalations to the mediator's supervisors, never twice."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from fusioncell.db.types import utcnow
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.ledger.audit import audit
from fusioncell.ledger.note import Verifier
from fusioncell.ledger.service import tree_size
from fusioncell.notifications.mail import claim_emails
from fusioncell.notifications.models import EmailLog
from fusioncell.notifications.scheduled import deliver_notifications
from tests.notifications.conftest import free_port, with_settings

ALL = ["flash", "immediate", "priority", "routine"]


def alerts(client, headers, email, precedences):
    response = client.put(
        "/api/v1/me/notifications", json={"email": email, "precedences": precedences}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def send(client, headers, **fields) -> dict:
    response = client.post("/api/v1/messages", json={"channel": "hotline", "body": "hello"} | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def text(mail) -> str:
    return mail.get_content().replace("\r\n", "\n")


@pytest.fixture
def mailer(runtime, smtp_server):
    _, port = smtp_server
    return with_settings(runtime, smtp_host="127.0.0.1", smtp_port=port, smtp_from="cell@fusioncell.test")


def test_a_flash_reaches_its_readers_inbox_and_never_an_observers(client, as_, mailer, smtp_server):
    mailbox, _ = smtp_server
    alerts(client, as_("SYR", "liaison"), "syr.duty@example.org", ["flash"])
    alerts(client, as_("FRA", "observer"), "fra.duty@example.org", ALL)
    alerts(client, as_("UNDOF", "observer"), "undof.duty@example.org", ALL)
    alerts(client, as_("ISR", "liaison"), "isr.duty@example.org", ALL)  # its own messages are not news to it
    flash = send(client, as_("ISR", "liaison"), body="Drone over Quneitra, 0412Z", precedence="flash")
    send(client, as_("ISR", "liaison"), body="Routine traffic", precedence="routine")
    send(client, as_("ISR", "liaison"), channel="usa-isr", body="Bilateral", precedence="flash")

    report = deliver_notifications(mailer)
    assert report.emails_sent == 1
    [mail] = mailbox.to("syr.duty@example.org")
    assert mail["Subject"] == "[fusioncell] FLASH Hotline (hotline): message from ISR"
    assert mail["From"] == "cell@fusioncell.test"
    assert text(mail).startswith("Drone over Quneitra, 0412Z\n")
    assert mail["X-Fusioncell-Entry"] == str(flash["ledger_index"])
    for address in ("fra.duty@example.org", "undof.duty@example.org", "isr.duty@example.org"):
        assert mailbox.to(address) == []

    send(client, as_("USA", "liaison"), channel="observers", body="Observers: patrol at 0600", precedence="flash")
    deliver_notifications(mailer)
    assert [m["Subject"] for m in mailbox.to("fra.duty@example.org")] == [
        "[fusioncell] FLASH Observers' channel (observers): message from USA"
    ]
    assert deliver_notifications(mailer).emails_sent == 0  # never twice
    assert len(mailbox.messages) == 3


def test_a_missed_deadline_is_mailed_to_the_supervisors_only(client, db, cell, as_, mailer, smtp_server):
    mailbox, _ = smtp_server
    alerts(client, as_("USA", "supervisor"), "watch@usa.example", [])
    alerts(client, as_("USA", "liaison"), "chair@usa.example", [])
    alerts(client, as_("SYR", "liaison"), "syr.duty@example.org", [])
    message = send(client, as_("ISR", "liaison"), body="Artillery fire heard near Beit Jinn", precedence="flash")
    escalate_overdue(db, cell=cell, now=utcnow() + timedelta(minutes=6))
    db.commit()
    deliver_notifications(mailer)
    [mail] = mailbox.to("watch@usa.example")
    assert mail["Subject"] == "[fusioncell] ESCALATION FLASH Hotline (hotline): SYR has not acknowledged"
    body = text(mail)
    assert message["id"] in body and "Artillery fire heard near Beit Jinn" in body
    assert mailbox.to("chair@usa.example") == [] and mailbox.to("syr.duty@example.org") == []


def test_an_alert_taken_for_sending_is_never_sent_again_after_a_crash(client, db, cell, as_, mailer, smtp_server):
    mailbox, _ = smtp_server
    alerts(client, as_("SYR", "liaison"), "syr.duty@example.org", ["flash"])
    send(client, as_("ISR", "liaison"), precedence="flash")
    off = with_settings(mailer, smtp_host="")
    deliver_notifications(off)  # nothing queued while e-mail is off...
    assert db.execute(select(EmailLog)).scalars().all() == []
    send(client, as_("ISR", "liaison"), precedence="flash", body="second")
    deliver_notifications(with_settings(mailer, smtp_port=free_port()))  # ...queued now; the server is down
    [log] = db.execute(select(EmailLog)).scalars().all()
    assert log.status == "pending" and log.attempts == 1 and "Connection" in log.error
    taken = claim_emails(db, cell=cell, now=utcnow() + timedelta(seconds=11))  # then the process dies
    db.commit()
    assert len(taken) == 1
    for minutes in (1, 10, 100):
        deliver_notifications(mailer, now=utcnow() + timedelta(minutes=minutes))
    assert mailbox.messages == []
    db.refresh(log)
    assert log.status == "sending" and log.attempts == 2


def test_a_retry_after_the_smtp_server_was_down_sends_once(client, db, as_, mailer, smtp_server):
    mailbox, _ = smtp_server
    alerts(client, as_("SYR", "liaison"), "syr.duty@example.org", ["immediate"])
    send(client, as_("ISR", "liaison"), precedence="immediate", body="Convoy at the crossing")
    now = utcnow()
    deliver_notifications(with_settings(mailer, smtp_port=free_port()), now=now)
    assert deliver_notifications(mailer, now=now + timedelta(seconds=5)).emails_sent == 0  # backoff
    assert deliver_notifications(mailer, now=now + timedelta(seconds=11)).emails_sent == 1
    assert [text(m).splitlines()[0] for m in mailbox.messages] == ["Convoy at the crossing"]
    [log] = db.execute(select(EmailLog)).scalars().all()
    assert (log.status, log.attempts, log.error) == ("sent", 2, None)


def test_settings_round_trip_and_enter_the_record(client, db, as_, signer):
    headers = as_("SYR", "liaison")
    assert client.get("/api/v1/me/notifications", headers=headers).json()["email"] is None
    size = tree_size(db)
    saved = alerts(client, headers, "syr.duty@example.org", ["immediate", "flash"])
    assert saved["precedences"] == ["flash", "immediate"] and saved["email_enabled"] is False
    assert saved["ledger_index"] == size
    assert client.get("/api/v1/me/notifications", headers=headers).json()["email"] == "syr.duty@example.org"
    assert alerts(client, headers, "syr.duty@example.org", ["flash", "immediate"])["ledger_index"] == size
    stopped = alerts(client, headers, None, [])
    assert stopped["email"] is None and stopped["ledger_index"] > size
    assert client.get("/api/v1/me/notifications", headers=as_("ISR", "liaison")).json()["email"] is None
    assert audit(db, verifier=Verifier.from_vkey(signer.verifier_key())) == []


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address", "precedences": ["flash"]},
        {"email": "a@b", "precedences": ["flash"]},
        {"email": "x@example.org\r\nBcc: spy@example.org", "precedences": ["flash"]},
        {"email": "x@example.org", "precedences": ["urgent"]},
        {"email": "x@example.org", "surprise": True},
    ],
)
def test_bad_settings_are_refused_and_record_nothing(client, db, as_, body):
    size = tree_size(db)
    response = client.put("/api/v1/me/notifications", json=body, headers=as_("SYR", "liaison"))
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"
    assert tree_size(db) == size
