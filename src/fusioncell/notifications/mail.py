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
from fusioncell.i18n import N_, SOURCE_LANGUAGE, current_language, speaking
from fusioncell.i18n import gettext as _
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


# A precedence in an alert's subject, in capitals as the cell writes it (translated where composed).
PRECEDENCES = {
    "flash": N_("FLASH"),
    "immediate": N_("IMMEDIATE"),
    "priority": N_("PRIORITY"),
    "routine": N_("ROUTINE"),
}


def _channel(cell: CellDefinition, code: str) -> str:
    """The channel's name in the language being written, its code beside it."""
    try:
        return _("{name} ({code})").format(name=cell.channel(code).names.get(current_language()), code=code)
    except KeyError:
        return code


def _precedence(code: str) -> str:
    return _(PRECEDENCES[code]) if code in PRECEDENCES else code.upper()


def _text(message: Message) -> str:
    if message.status == Status.RETRACTED:
        return _("(retracted by {party}: {reason})").format(
            party=message.origin_party, reason=message.retraction_reason
        )
    return message.body


def compose(session: Session, *, cell: CellDefinition, user: User, log: EmailLog) -> tuple[str, str] | None:
    """Subject and plain-text body, from the records as they now stand, in the recipient's language (their
    account's choice, else English); None if the user may no longer read them (or is disabled): such an alert
    is cancelled, never sent."""
    if user.disabled_at is not None:
        return None
    with speaking(user.language or SOURCE_LANGUAGE):
        return _compose(session, cell=cell, user=user, log=log)


def _compose(session: Session, *, cell: CellDefinition, user: User, log: EmailLog) -> tuple[str, str] | None:
    subject = subject_for(user, cell)
    record_id = uuid.UUID(log.record_id)
    if log.kind == "escalation":
        escalation = session.get(Escalation, record_id)
        if escalation is None or not can_read_record(subject, escalation):
            return None
        message = session.get(Message, escalation.message_id)
        precedence, channel = _precedence(message.precedence), _channel(cell, message.channel)
        title = _("[fusioncell] ESCALATION {precedence} {channel}: {party} has not acknowledged").format(
            precedence=precedence, channel=channel, party=escalation.party
        )
        lines = [
            _("{party} did not acknowledge a {precedence} message from {origin} in {channel}").format(
                party=escalation.party, precedence=precedence, origin=message.origin_party, channel=channel
            ),
            _("by {due} (message {message_id}).").format(
                due=escalation.due_at.isoformat(timespec="seconds"), message_id=message.id
            ),
        ]
        if can_read_record(subject, message):
            lines += ["", _text(message)]
    else:
        message = session.get(Message, record_id)
        if message is None or not can_read_record(subject, message):
            return None
        precedence, channel = _precedence(message.precedence), _channel(cell, message.channel)
        title = _("[fusioncell] {precedence} {channel}: message from {party}").format(
            precedence=precedence, channel=channel, party=message.origin_party
        )
        lines = [_text(message)]
    footer = _("fusioncell record entry {index}. Change your alerts in the cell, under Account.")
    lines += ["", "--", footer.format(index=log.ledger_index)]
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
