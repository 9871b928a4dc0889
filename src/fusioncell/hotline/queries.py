"""What the hotline's pages, API and CLI list: inboxes, channel activity, linked records.

Every query here filters through access/rule.py `readable`: none returns a row its caller may not read.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from fusioncell.access.policies import can_supervise
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.db.types import party_in
from fusioncell.errors import NotFound
from fusioncell.hotline.models import Attachment, Escalation, Message, Receipt, ReceiptKind


def readable_receipts(session: Session, subject: Subject, message_ids) -> list[Receipt]:
    if not message_ids:
        return []
    query = select(Receipt).where(Receipt.message_id.in_(list(message_ids)), readable(subject, Receipt))
    return list(session.execute(query.order_by(Receipt.created_at)).scalars())


def list_messages(
    session: Session, *, subject: Subject, channel: str | None, before: uuid.UUID | None, limit: int
) -> list[Message]:
    """Newest first; ids are UUIDv7, so they order by time and serve as the cursor."""
    query = select(Message).where(readable(subject, Message))
    if channel is not None:
        query = query.where(Message.channel == channel)
    if before is not None:
        query = query.where(Message.id < before)
    return list(session.execute(query.order_by(Message.id.desc()).limit(limit)).scalars())


def awaiting_acknowledgement(session: Session, *, subject: Subject) -> list[Message]:
    acked = select(Receipt.message_id).where(Receipt.party == subject.party, Receipt.kind == ReceiptKind.ACKNOWLEDGED)
    query = select(Message).where(
        readable(subject, Message),
        Message.status == Status.RELEASED,
        party_in(Message.ack_parties, subject.party),
        Message.id.not_in(acked),
    )
    return list(session.execute(query.order_by(Message.ack_due_at)).scalars())


def awaiting_review(session: Session, *, subject: Subject) -> list[Message]:
    if not can_supervise(subject):
        return []
    query = select(Message).where(readable(subject, Message), Message.status == Status.PENDING)
    return list(session.execute(query.order_by(Message.created_at)).scalars())


def open_escalations(session: Session, *, subject: Subject) -> list[Escalation]:
    query = select(Escalation).where(readable(subject, Escalation), Escalation.resolved_at.is_(None))
    return list(session.execute(query.order_by(Escalation.due_at)).scalars())


def readable_attachment(session: Session, subject: Subject, attachment_id: uuid.UUID) -> Attachment:
    attachment = session.execute(
        select(Attachment).where(Attachment.id == attachment_id, readable(subject, Attachment))
    ).scalar_one_or_none()
    if attachment is None:
        raise NotFound()
    return attachment


def readable_escalation(session: Session, subject: Subject, escalation_id: uuid.UUID) -> Escalation:
    escalation = session.execute(
        select(Escalation).where(Escalation.id == escalation_id, readable(subject, Escalation))
    ).scalar_one_or_none()
    if escalation is None:
        raise NotFound()
    return escalation


@dataclass(frozen=True)
class ChannelActivity:
    """What a party sees of a channel at a glance."""

    messages: int = 0  # messages in the channel the party may read
    unread: int = 0  # of those, from other parties and without the party's read receipt
    to_acknowledge: int = 0  # released, asking the party's acknowledgement, not yet given
    last_at: datetime | None = None


def channel_activity(session: Session, *, subject: Subject, channels: list[str]) -> dict[str, ChannelActivity]:
    """Per channel, in one grouped query under the releasability filter (never one query per message)."""
    if not channels:
        return {}
    read = select(Receipt.message_id).where(Receipt.party == subject.party, Receipt.kind == ReceiptKind.READ)
    acked = select(Receipt.message_id).where(Receipt.party == subject.party, Receipt.kind == ReceiptKind.ACKNOWLEDGED)
    unread = case((and_(Message.origin_party != subject.party, Message.id.not_in(read)), 1), else_=0)
    owed = case(
        (
            and_(
                Message.status == Status.RELEASED,
                party_in(Message.ack_parties, subject.party),
                Message.id.not_in(acked),
            ),
            1,
        ),
        else_=0,
    )
    query = (
        select(Message.channel, func.count(Message.id), func.sum(unread), func.sum(owed), func.max(Message.created_at))
        .where(readable(subject, Message), Message.channel.in_(channels))
        .group_by(Message.channel)
    )
    return {
        channel: ChannelActivity(messages=total, unread=int(new or 0), to_acknowledge=int(due or 0), last_at=last)
        for channel, total, new, due, last in session.execute(query)
    }


def readable_messages_by_id(session: Session, *, subject: Subject, message_ids) -> dict[uuid.UUID, Message]:
    """The messages among the ids that the party may read (replies' and relays' sources), in one query."""
    ids = {i for i in message_ids if i is not None}
    if not ids:
        return {}
    query = select(Message).where(Message.id.in_(ids), readable(subject, Message))
    return {message.id: message for message in session.execute(query).scalars()}


def readable_attachments_of(session: Session, *, subject: Subject, message_ids) -> dict[uuid.UUID, list[Attachment]]:
    """The files carried by the messages, as far as the party may read them, in one query."""
    ids = list(message_ids)
    if not ids:
        return {}
    query = select(Attachment).where(Attachment.message_id.in_(ids), readable(subject, Attachment))
    found: dict[uuid.UUID, list[Attachment]] = {}
    for attachment in session.execute(query.order_by(Attachment.created_at)).scalars():
        found.setdefault(attachment.message_id, []).append(attachment)
    return found
