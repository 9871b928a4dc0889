"""E-mail alerts: messages at the precedences a user chose, and escalations to the mediator's
supervisors. Driven by the ledger like webhooks (a cursor per user), filtered by the same rule for
the user, and logged once per user and entry so a restart never sends twice. Never commits."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.policies import receives_escalations
from fusioncell.access.rule import can_read_record
from fusioncell.access.service import subject_for
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Envelope, Status
from fusioncell.hotline.models import Escalation, Message
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.service import tree_size
from fusioncell.notifications.models import EmailLog, EmailSettings, EmailStatus
from fusioncell.notifications.outbox import BATCH, CLAIM, readable_entries

# When a message becomes readable to a party: sent, or submitted (the mediator) or approved (recipients).
MESSAGE_ACTIONS = {"message-sent", "message-submitted", "message-approved"}


def _alerts(subject: Subject, settings: EmailSettings, entry: LedgerEntry, record: Envelope) -> bool:
    if isinstance(record, Escalation):
        return entry.action == "escalated" and receives_escalations(subject)
    if not isinstance(record, Message) or entry.action not in MESSAGE_ACTIONS:
        return False
    if record.origin_party == subject.party or record.precedence not in settings.precedences:
        return False
    return not (entry.action == "message-approved" and subject.is_mediator)  # it was told at submission


def plan_emails(session: Session, *, cell: CellDefinition, now: datetime, enabled: bool) -> int:
    """Move every user's cursor forward, queueing an alert per entry that warrants one. With e-mail
    switched off the cursors still move, so switching it on never floods anyone with the past."""
    size = tree_size(session)
    rows = session.execute(
        select(EmailSettings, User)
        .join(User, User.id == EmailSettings.user_id)
        .where(EmailSettings.cursor < size)
        .order_by(EmailSettings.id)
        .with_for_update(skip_locked=True, of=EmailSettings)
    ).all()
    queued = 0
    for settings, user in rows:
        if not enabled or settings.email is None or user.disabled_at is not None:
            settings.cursor = size
            continue
        end = min(size, settings.cursor + BATCH)
        subject = subject_for(user, cell)
        kinds = ("message", "escalation")
        for entry, record in readable_entries(session, subject=subject, start=settings.cursor, end=end, kinds=kinds):
            if _alerts(subject, settings, entry, record):
                session.add(
                    EmailLog(
                        user_id=user.id,
                        ledger_index=entry.index,
                        kind=entry.kind,
                        record_id=entry.record_id,
                        to_address=settings.email,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
                queued += 1
        settings.cursor = end
    session.flush()
    return queued


@dataclass(frozen=True)
class OutgoingMail:
    log_id: uuid.UUID
    to: str
    subject: str
    body: str
    ledger_index: int


def _channel(cell: CellDefinition, code: str) -> str:
    try:
        return f"{cell.channel(code).names.en} ({code})"
    except KeyError:
        return code


def _text(message: Message) -> str:
    if message.status == Status.RETRACTED:
        return f"(retracted by {message.origin_party}: {message.retraction_reason})"
    return message.body


def compose(session: Session, *, cell: CellDefinition, user: User, log: EmailLog) -> tuple[str, str] | None:
    """Subject and plain-text body, from the records as they now stand; None if the user may no
    longer read them (or is disabled): such an alert is cancelled, never sent."""
    if user.disabled_at is not None:
        return None
    subject = subject_for(user, cell)
    record_id = uuid.UUID(log.record_id)
    if log.kind == "escalation":
        escalation = session.get(Escalation, record_id)
        if escalation is None or not can_read_record(subject, escalation):
            return None
        message = session.get(Message, escalation.message_id)
        precedence, channel = message.precedence.upper(), _channel(cell, message.channel)
        title = f"[fusioncell] ESCALATION {precedence} {channel}: {escalation.party} has not acknowledged"
        lines = [
            f"{escalation.party} did not acknowledge a {precedence} message from {message.origin_party} in {channel}",
            f"by {escalation.due_at.isoformat(timespec='seconds')} (message {message.id}).",
        ]
        if can_read_record(subject, message):
            lines += ["", _text(message)]
    else:
        message = session.get(Message, record_id)
        if message is None or not can_read_record(subject, message):
            return None
        precedence, channel = message.precedence.upper(), _channel(cell, message.channel)
        title = f"[fusioncell] {precedence} {channel}: message from {message.origin_party}"
        lines = [_text(message)]
    lines += ["", "--", f"fusioncell record entry {log.ledger_index}. Change your alerts in the cell, under Account."]
    return title, "\n".join(lines) + "\n"


def claim_emails(session: Session, *, cell: CellDefinition, now: datetime) -> list[OutgoingMail]:
    """Take the due alerts: each is marked as being sent (and committed by the caller) before it is
    handed to the SMTP server, so a crash in between leaves it unsent rather than sent twice."""
    rows = session.execute(
        select(EmailLog, User)
        .join(User, User.id == EmailLog.user_id)
        .where(EmailLog.status == EmailStatus.PENDING, EmailLog.next_attempt_at <= now)
        .order_by(EmailLog.next_attempt_at, EmailLog.ledger_index)
        .limit(CLAIM)
        .with_for_update(skip_locked=True, of=EmailLog)
    ).all()
    outgoing = []
    for log, user in rows:
        composed = compose(session, cell=cell, user=user, log=log)
        if composed is None:
            log.status, log.next_attempt_at = EmailStatus.CANCELLED, None
            continue
        log.subject, log.status, log.next_attempt_at = composed[0][:256], EmailStatus.SENDING, None
        log.attempts += 1
        outgoing.append(OutgoingMail(log.id, log.to_address, composed[0], composed[1], log.ledger_index))
    session.flush()
    return outgoing


def record_sent(
    session: Session, *, results: dict[uuid.UUID, str | None], now: datetime, backoff: tuple[float, ...]
) -> None:
    """None: the SMTP server took it. An error: retried after the backoff step, given up after the last."""
    for log_id, error in results.items():
        log = session.get(EmailLog, log_id)
        if log is None or log.status != EmailStatus.SENDING:
            continue
        if error is None:
            log.status, log.sent_at, log.error = EmailStatus.SENT, now, None
        elif log.attempts > len(backoff):
            log.status, log.error = EmailStatus.FAILED, error[:2000]
        else:
            log.status, log.error = EmailStatus.PENDING, error[:2000]
            log.next_attempt_at = now + timedelta(seconds=backoff[log.attempts - 1])
    session.flush()
