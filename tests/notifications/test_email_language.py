"""An e-mail alert is written in its recipient's language (their account's choice, else English): the subject,
the sentences and the channel's name; the message itself is the sender's words, never translated."""

from datetime import timedelta

from sqlalchemy import select

from fusioncell.access.models import User
from fusioncell.db.types import utcnow
from fusioncell.hotline.scheduled import escalate_overdue
from fusioncell.i18n import gettext, speaking
from fusioncell.notifications.mail import PRECEDENCES
from fusioncell.notifications.scheduled import deliver_notifications
from tests.notifications.test_email import alerts, mailer, send, text  # noqa: F401 (mailer is a fixture)


def speaks(db, username: str, language: str | None) -> None:
    db.execute(select(User).where(User.username == username)).scalar_one().language = language
    db.commit()


def words(language: str, msgid: str) -> str:
    with speaking(language):
        return gettext(msgid)


def test_a_message_alert_is_written_in_arabic_and_in_hebrew(client, db, as_, mailer, smtp_server):  # noqa: F811
    mailbox, _ = smtp_server
    alerts(client, as_("SYR", "liaison"), "syr.duty@example.org", ["flash"])
    alerts(client, as_("ISR", "liaison"), "isr.watch@example.org", ["flash"])
    alerts(client, as_("USA", "liaison"), "usa.duty@example.org", ["flash"])
    speaks(db, "syr.liaison", "ar")
    speaks(db, "isr.liaison", "he")
    send(client, as_("USA", "liaison"), body="Patrol at 0600 near Quneitra", precedence="flash")
    deliver_notifications(mailer)

    [arabic] = mailbox.to("syr.duty@example.org")
    flash_ar = words("ar", PRECEDENCES["flash"])
    assert flash_ar != "FLASH"
    assert arabic["Subject"] == words("ar", "[fusioncell] {precedence} {channel}: message from {party}").format(
        precedence=flash_ar, channel="الخط الساخن (hotline)", party="USA"
    )
    assert "message from" not in arabic["Subject"] and "الخط الساخن" in arabic["Subject"]
    body = text(arabic)
    assert body.startswith("Patrol at 0600 near Quneitra\n")  # the sender's words, as written
    assert "Change your alerts" not in body and "fusioncell" in body

    [hebrew] = mailbox.to("isr.watch@example.org")
    assert "הקו החם (hotline)" in hebrew["Subject"] and words("he", PRECEDENCES["flash"]) in hebrew["Subject"]
    assert "message from" not in hebrew["Subject"] and "Change your alerts" not in text(hebrew)

    [english] = mailbox.to("usa.duty@example.org") or [None]
    assert english is None  # its own message is not news to it; English is covered by test_email.py


def test_an_escalation_is_written_in_the_supervisors_language(client, db, cell, as_, mailer, smtp_server):  # noqa: F811
    mailbox, _ = smtp_server
    alerts(client, as_("USA", "supervisor"), "watch@usa.example", [])
    speaks(db, "usa.supervisor", "he")
    send(client, as_("ISR", "liaison"), body="Artillery fire heard near Beit Jinn", precedence="flash")
    escalate_overdue(db, cell=cell, now=utcnow() + timedelta(minutes=6))
    db.commit()
    deliver_notifications(mailer)
    [mail] = mailbox.to("watch@usa.example")
    expected = words("he", "[fusioncell] ESCALATION {precedence} {channel}: {party} has not acknowledged")
    assert expected != "[fusioncell] ESCALATION {precedence} {channel}: {party} has not acknowledged"
    assert mail["Subject"] == expected.format(
        precedence=words("he", PRECEDENCES["flash"]), channel="הקו החם (hotline)", party="SYR"
    )
    body = text(mail)
    assert "Artillery fire heard near Beit Jinn" in body and "did not acknowledge" not in body

    speaks(db, "usa.supervisor", None)  # no choice: English
    send(client, as_("ISR", "liaison"), body="Second", precedence="flash")
    escalate_overdue(db, cell=cell, now=utcnow() + timedelta(minutes=12))
    db.commit()
    deliver_notifications(mailer)
    assert mailbox.to("watch@usa.example")[-1]["Subject"].startswith("[fusioncell] ESCALATION FLASH Hotline (hotline)")
