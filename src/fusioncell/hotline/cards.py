"""A message as a page shows it: the viewer's view of it, with what the viewer may do to it.

Built for a whole list at once with a handful of queries (receipts, linked messages, attachments),
all through the hotline service and so through the releasability filter.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from fusioncell.access.policies import can_post, can_supervise, is_author_side
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, Channel, ChannelKind, Party
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.hotline import queries
from fusioncell.hotline.endpoints import messages_read
from fusioncell.hotline.models import Attachment, Message, ReceiptKind
from fusioncell.hotline.schemas import MessageRead, ReceiptRead


@dataclass(frozen=True)
class Card:
    """One message as the viewer's party sees it, with what the viewer may do to it."""

    view: MessageRead
    channel: Channel
    sender: Party
    own: bool  # sent by the viewer's party
    reads: list[ReceiptRead]
    acks: list[ReceiptRead]
    owes_ack: bool  # the viewer's party is asked to acknowledge and has not yet
    outstanding: list[str]  # parties still owing an acknowledgement, as far as the viewer can know
    unread: bool  # from another party, without the viewer's party's read receipt
    reply: Message | None
    source: Message | None  # what a relay was relayed from, if the viewer may read it
    source_channel: Channel | None
    attachments: list[Attachment]
    can_reply: bool
    can_retract: bool
    can_review: bool
    relay_targets: list[Channel]
    rendered_at: datetime = field(default_factory=utcnow)

    @property
    def anchor(self) -> str:
        return f"/hotline/{self.view.channel}#msg-{self.view.id}"


def cards_for(session: Session, cell: CellDefinition, subject: Subject, messages: list[Message]) -> list[Card]:
    """A handful of queries for the whole list: receipts, linked messages, attachments."""
    views = messages_read(session, subject, messages)
    linked = queries.readable_messages_by_id(
        session, subject=subject, message_ids=[m.reply_to for m in messages] + [m.relayed_from for m in messages]
    )
    files = queries.readable_attachments_of(session, subject=subject, message_ids=[m.id for m in messages])
    supervisor = can_supervise(subject)
    posts = {c.code: can_post(subject, c) for c in cell.channels}
    bilateral = [c for c in cell.channels if c.kind == ChannelKind.BILATERAL]
    now = utcnow()
    cards = []
    for message, view in zip(messages, views, strict=True):
        channel = cell.channel(message.channel)
        reads = [r for r in view.receipts if r.kind == ReceiptKind.READ]
        acks = [r for r in view.receipts if r.kind == ReceiptKind.ACKNOWLEDGED]
        acked = {r.party for r in acks}
        own = message.origin_party == subject.party
        released = message.status == Status.RELEASED
        owes = released and subject.party in message.ack_parties and subject.party not in acked
        # Only the sender's side and the mediator read every party's receipts; anyone else knows
        # only its own party's answer, so it is never told that another party is still silent.
        knows_all = is_author_side(subject, message.origin_party)
        asked = sorted(message.ack_parties) if knows_all else [p for p in message.ack_parties if p == subject.party]
        source = linked.get(message.relayed_from) if message.relayed_from else None
        cards.append(
            Card(
                view=view,
                channel=channel,
                sender=cell.party(message.origin_party),
                own=own,
                reads=reads,
                acks=acks,
                owes_ack=owes,
                outstanding=[p for p in asked if p not in acked] if released else [],
                unread=not own and not any(r.party == subject.party for r in reads),
                reply=linked.get(message.reply_to) if message.reply_to else None,
                source=source,
                source_channel=cell.channel(source.channel) if source is not None else None,
                attachments=files.get(message.id, []),
                can_reply=posts[channel.code] and released,
                can_retract=own and message.status in (Status.RELEASED, Status.PENDING),
                can_review=supervisor and message.status == Status.PENDING,
                relay_targets=[
                    c
                    for c in bilateral
                    if supervisor
                    and released
                    and not own
                    and channel.kind == ChannelKind.BILATERAL
                    and c.code != channel.code
                ],
                rendered_at=now,
            )
        )
    return cards


def card_for(session: Session, cell: CellDefinition, subject: Subject, message: Message) -> Card:
    return cards_for(session, cell, subject, [message])[0]
