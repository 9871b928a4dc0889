"""The notifications timer: queue what the record holds for each webhook and e-mail, then send it.

Each step is its own short transaction, and nothing is sent while a transaction is open: a slow
receiver never holds the database. Webhooks are delivered at least once (receivers deduplicate on
X-Fusioncell-Delivery); e-mail at most once.
"""

import smtplib
import ssl
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.config import Settings
from fusioncell.db.types import utcnow
from fusioncell.ledger.service import tree_size
from fusioncell.notifications.mail import OutgoingMail, claim_emails, plan_emails, record_sent
from fusioncell.notifications.models import (
    Delivery,
    DeliveryStatus,
    EmailLog,
    EmailSettings,
    EmailStatus,
    Webhook,
)
from fusioncell.notifications.outbox import Outcome, Outgoing, claim_deliveries, plan_deliveries, record_outcomes, sign
from fusioncell.runtime import Runtime

log = structlog.get_logger("fusioncell.notifications")
SENDERS = 8
# Subjects are kept on one line (RFC 5322 allows up to 998 characters): Python's folding of a long
# subject would start it with a space.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
USER_AGENT = "fusioncell-webhooks/1"


@dataclass
class Report:
    queued: int = 0
    attempted: int = 0
    delivered: int = 0
    emails_queued: int = 0
    emails_sent: int = 0


def deliver_notifications(runtime: Runtime, now: datetime | None = None) -> Report:
    """One tick: plan, claim, send, record. `now` drives the backoff (tests pass it explicitly)."""
    now = now or utcnow()
    settings, cell, database = runtime.settings, runtime.cell, runtime.database
    report = Report()
    with database.reading() as session:
        if not has_work(session, now=now, email=bool(settings.smtp_host)):
            return report  # an idle tick takes no write lock
    with database.writing() as session:
        report.queued = plan_deliveries(session, cell=cell, now=now)
        report.emails_queued = plan_emails(session, cell=cell, now=now, enabled=bool(settings.smtp_host))
    lease = timedelta(seconds=settings.webhook_timeout_seconds + 60)
    with database.writing() as session:
        outgoing = claim_deliveries(session, cell=cell, now=now, lease=lease)
    if outgoing:
        outcomes = post_all(outgoing, settings=settings, now=now)
        with database.writing() as session:
            record_outcomes(session, outcomes=outcomes, backoff=settings.notification_backoff_seconds)
        report.attempted = len(outcomes)
        report.delivered = sum(outcome.ok for outcome in outcomes)
    if settings.smtp_host:
        with database.writing() as session:
            mails = claim_emails(session, cell=cell, now=now)
        if mails:
            results = send_mails(mails, settings=settings)
            with database.writing() as session:
                record_sent(session, results=results, now=now, backoff=settings.notification_backoff_seconds)
            report.emails_sent = sum(error is None for error in results.values())
    return report


def has_work(session: Session, *, now: datetime, email: bool) -> bool:
    size = tree_size(session)
    checks = [
        select(Webhook.id).where(Webhook.disabled_at.is_(None), Webhook.cursor < size),
        select(EmailSettings.id).where(EmailSettings.cursor < size),
        select(Delivery.id).where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now),
    ]
    if email:
        checks.append(
            select(EmailLog.id).where(EmailLog.status == EmailStatus.PENDING, EmailLog.next_attempt_at <= now)
        )
    return any(session.execute(check.limit(1)).first() is not None for check in checks)


def post_all(outgoing: list[Outgoing], *, settings: Settings, now: datetime) -> list[Outcome]:
    proxy = settings.webhook_proxy or None
    with httpx.Client(
        timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False, proxy=proxy
    ) as client:
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(outgoing))) as pool:
            return list(pool.map(lambda item: post(client, item, now=now), outgoing))


def post(client: httpx.Client, item: Outgoing, *, now: datetime) -> Outcome:
    """One attempt: success is a 2xx within the timeout; anything else is retried."""
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Fusioncell-Delivery": str(item.delivery_id),
        "X-Fusioncell-Timestamp": timestamp,
        "X-Fusioncell-Signature": sign(item.secret, timestamp, item.body),
    }
    started = time.monotonic()
    status, error = None, None
    try:
        response = client.post(item.url, content=item.body, headers=headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    duration = int((time.monotonic() - started) * 1000)
    log.info("webhook attempt", delivery=str(item.delivery_id), status=status, error=error, ms=duration)
    return Outcome(item.delivery_id, now, status, error, duration)


def send_mails(mails: list[OutgoingMail], *, settings: Settings) -> dict[uuid.UUID, str | None]:
    """Send through the configured SMTP server; per alert, None or the error."""
    results: dict[uuid.UUID, str | None] = {}
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            for mail in mails:
                try:
                    smtp.send_message(_email(mail, settings))
                    results[mail.log_id] = None
                except smtplib.SMTPException as exc:
                    results[mail.log_id] = f"{type(exc).__name__}: {exc}"
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.warning("smtp unavailable", host=settings.smtp_host, error=error)
        for mail in mails:
            results.setdefault(mail.log_id, error)
    return results


def _email(mail: OutgoingMail, settings: Settings) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["X-Fusioncell-Entry"] = str(mail.ledger_index)
    message.set_content(mail.body)
    return message
