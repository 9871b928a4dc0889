"""Sending, reading, acknowledging, reviewing, relaying and retracting messages. Never commits.

What pages and the API list (inboxes, activity, linked records) is in hotline/queries.py."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fusioncell.access.policies import acknowledging_parties, can_post, can_supervise, can_view_channel
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, Channel, ChannelKind, Precedence
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound
from fusioncell.hotline.models import Attachment, Message, Receipt, ReceiptKind
from fusioncell.hotline.text import detect_language
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change


@dataclass(frozen=True)
class Draft:
    """What a sender asks for; validated for shape at the edge (schemas.MessageCreate)."""

    channel: str
    body: str
    precedence: Precedence = Precedence.ROUTINE
    language: str | None = None
    marking: Marking = Marking.AMBER
    reply_to: uuid.UUID | None = None
    corrects: uuid.UUID | None = None
    references: tuple[tuple[str, str], ...] = ()
    attachments: tuple[uuid.UUID, ...] = ()
    idempotency_key: str | None = None


def channel_for(cell: CellDefinition, code: str) -> Channel:
    try:
        return cell.channel(code)
    except KeyError as exc:
        raise Invalid(N_("unknown channel {code!r}"), code=code, details={"channel": code}) from exc


def visible_channels(cell: CellDefinition, subject: Subject) -> list[Channel]:
    return [channel for channel in cell.channels if can_view_channel(subject, channel)]


def readable_message(session: Session, subject: Subject, message_id: uuid.UUID) -> Message:
    message = session.execute(
        select(Message).where(Message.id == message_id, readable(subject, Message))
    ).scalar_one_or_none()
    if message is None:
        raise NotFound()
    return message


def _deadline(cell: CellDefinition, precedence: str) -> timedelta | None:
    minutes = cell.deadlines.acknowledgement_minutes.get(Precedence(precedence))
    return None if minutes is None else timedelta(minutes=minutes)


def _release(message: Message, cell: CellDefinition, now: datetime) -> None:
    """Start delivery: recipients see it now, and the acknowledgement clock starts."""
    message.status = Status.RELEASED
    message.released_at = now
    deadline = _deadline(cell, message.precedence)
    if deadline is not None:
        message.ack_parties = acknowledging_parties(cell, frozenset(message.releasable_to))
        message.ack_due_at = now + deadline


def send_message(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    draft: Draft,
    now: datetime | None = None,
    relayed_from: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """Send (or, in a supervised channel, submit for review). Returns (message, created); a retry with
    the same idempotency key returns the first message and creates nothing."""
    now = now or utcnow()
    channel = channel_for(cell, draft.channel)
    if not can_post(subject, channel):
        raise Forbidden(N_("your party or role may not post in channel {code!r}"), code=channel.code)
    earlier = _earlier(session, subject, draft)
    if earlier is not None:
        if _same_draft(earlier, draft):
            return earlier, False
        raise Conflict(
            N_("this idempotency key was used for a different message"), details={"message_id": str(earlier.id)}
        )
    _check_links(session, subject, channel, draft)
    message = Message(
        channel=channel.code,
        body=draft.body,
        language=draft.language or detect_language(draft.body),
        precedence=str(draft.precedence),
        reply_to=draft.reply_to,
        corrects=draft.corrects,
        relayed_from=relayed_from,
        references=[{"kind": kind, "id": ref} for kind, ref in draft.references],
        attachments=[str(a) for a in draft.attachments],
        idempotency_key=draft.idempotency_key,
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(draft.marking),
        releasable_to=frozenset(channel.members) - {subject.party},
        status=Status.PENDING,
    )
    supervised = channel.supervised_delivery and not subject.is_mediator
    if not supervised:
        _release(message, cell, now)
    session.add(message)
    record_change(
        session,
        record=message,
        action="message-submitted" if supervised else "message-sent",
        actor=subject.username,
        party=subject.party,
    )
    _attach(session, subject, message, draft.attachments)
    return message, True


@dataclass(frozen=True)
class StoredFile:
    """A file already in the content-addressed store (hotline/files.py), checked, not yet a record."""

    filename: str
    media_type: str
    sha256: str
    size: int


def send_with_files(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    draft: Draft,
    files: Sequence[StoredFile],
    now: datetime | None = None,
) -> tuple[Message, bool]:
    """send_message, the files becoming the message's attachments in the same transaction (the web
    composer uploads and sends in one step). A retry with the same idempotency key returns the first
    message, with the files it carried, and records none again."""
    if files and _earlier(session, subject, draft) is None:
        added = [
            add_attachment(
                session, subject=subject, filename=f.filename, media_type=f.media_type, sha256=f.sha256, size=f.size
            )
            for f in files
        ]
        draft = replace(draft, attachments=(*draft.attachments, *(a.id for a in added)))
    return send_message(session, cell=cell, subject=subject, draft=draft, now=now)


def _earlier(session: Session, subject: Subject, draft: Draft) -> Message | None:
    """The sender's message sent earlier under the draft's idempotency key, if any."""
    if not draft.idempotency_key:
        return None
    return session.execute(
        select(Message).where(Message.created_by == subject.username, Message.idempotency_key == draft.idempotency_key)
    ).scalar_one_or_none()


def _same_draft(message: Message, draft: Draft) -> bool:
    return (message.channel, message.body, message.precedence) == (draft.channel, draft.body, str(draft.precedence))


def _check_links(session: Session, subject: Subject, channel: Channel, draft: Draft) -> None:
    """Replies and corrections point inside the channel at what the sender may read; an unreadable
    target is reported exactly like a missing one."""
    for field, target_id in (("reply_to", draft.reply_to), ("corrects", draft.corrects)):
        if target_id is None:
            continue
        target = session.execute(
            select(Message).where(Message.id == target_id, readable(subject, Message))
        ).scalar_one_or_none()
        if target is None or target.channel != channel.code:
            raise Invalid(
                N_("{field}: no such message in channel {code!r}"),
                field=field,
                code=channel.code,
                details={field: str(target_id)},
            )
        if field == "corrects" and target.origin_party != subject.party:
            raise Invalid(N_("corrects: a party corrects only its own messages"), details={field: str(target_id)})


def _attach(session: Session, subject: Subject, message: Message, attachment_ids) -> None:
    for attachment_id in attachment_ids:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.origin_party != subject.party or attachment.message_id is not None:
            raise Invalid(N_("attachments: no such unattached file of your party"), details={"id": str(attachment_id)})
        # The file goes exactly where its message goes.
        attachment.message_id = message.id
        attachment.status, attachment.releasable_to = message.status, frozenset(message.releasable_to)
        attachment.version += 1
        record_change(
            session, record=attachment, action="attachment-attached", actor=subject.username, party=subject.party
        )


def _sync_attachments(session: Session, message: Message, actor: str, party: str) -> None:
    for attachment in session.execute(select(Attachment).where(Attachment.message_id == message.id)).scalars():
        attachment.status, attachment.releasable_to = message.status, frozenset(message.releasable_to)
        attachment.version += 1
        record_change(session, record=attachment, action=f"attachment-{attachment.status}", actor=actor, party=party)


def _held(session: Session, subject: Subject, message_id: uuid.UUID) -> Message:
    # Readability first: a record the caller may not read answers 404 whatever the caller's role.
    message = readable_message(session, subject, message_id)
    if not can_supervise(subject):
        raise Forbidden(N_("only the mediator's liaison officers review held messages"))
    if message.status != Status.PENDING:
        raise Conflict(N_("the message is {status}, not waiting for review"), status=message.status)
    return message


def approve_message(
    session: Session, *, cell: CellDefinition, subject: Subject, message_id: uuid.UUID, now: datetime | None = None
) -> Message:
    message = _held(session, subject, message_id)
    _release(message, cell, now or utcnow())
    message.reviewed_by = subject.username
    message.version += 1
    record_change(session, record=message, action="message-approved", actor=subject.username, party=subject.party)
    _sync_attachments(session, message, subject.username, subject.party)
    return message


def return_message(session: Session, *, subject: Subject, message_id: uuid.UUID, comment: str) -> Message:
    """Back to its author's side, with the mediator's comment; recipients never saw it."""
    message = _held(session, subject, message_id)
    message.status = Status.DRAFT
    message.review_comment = comment
    message.reviewed_by = subject.username
    message.version += 1
    record_change(session, record=message, action="message-returned", actor=subject.username, party=subject.party)
    _sync_attachments(session, message, subject.username, subject.party)
    return message


def relay_message(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    message_id: uuid.UUID,
    to_channel: str,
    body: str | None = None,
    now: datetime | None = None,
) -> Message:
    """Proximity talks: the mediator passes a message to the other side as a new message citing its
    source, optionally paraphrased; the original stays with its author's side."""
    source = readable_message(session, subject, message_id)
    if not can_supervise(subject):
        raise Forbidden(N_("only the mediator relays between the parties"))
    target = channel_for(cell, to_channel)
    if target.kind != ChannelKind.BILATERAL or cell.channel(source.channel).kind != ChannelKind.BILATERAL:
        raise Invalid(N_("relay goes from one bilateral channel to another"))
    if target.code == source.channel:
        raise Invalid(N_("relay goes to the other side's channel, not back to the same one"))
    draft = Draft(
        channel=target.code,
        body=body if body is not None else source.body,
        precedence=Precedence(source.precedence),
        marking=Marking(source.marking),
    )
    relayed, _ = send_message(session, cell=cell, subject=subject, draft=draft, now=now, relayed_from=source.id)
    return relayed


def retract_message(
    session: Session, *, subject: Subject, message_id: uuid.UUID, reason: str, now: datetime | None = None
) -> Message:
    """The body is hidden from everyone behind the reason; the message and its leaf stay."""
    message = readable_message(session, subject, message_id)
    if message.origin_party != subject.party:
        raise Forbidden(N_("a party retracts only its own messages"))
    if message.status == Status.RETRACTED:
        raise Conflict(N_("the message is retracted already"))
    if message.status == Status.DRAFT:
        raise Conflict(N_("a returned message was never delivered; there is nothing to retract"))
    message.status = Status.RETRACTED
    message.retracted_at = now or utcnow()
    message.retraction_reason = reason
    message.version += 1
    record_change(session, record=message, action="message-retracted", actor=subject.username, party=subject.party)
    _sync_attachments(session, message, subject.username, subject.party)
    return message


def _receipt(session: Session, subject: Subject, message: Message, kind: ReceiptKind) -> tuple[Receipt, bool]:
    def existing() -> Receipt | None:
        query = select(Receipt).where(
            Receipt.message_id == message.id, Receipt.party == subject.party, Receipt.kind == kind
        )
        return session.execute(query).scalar_one_or_none()

    found = existing()
    if found is not None:
        return found, False
    receipt = Receipt(
        message_id=message.id,
        party=subject.party,
        kind=str(kind),
        origin_party=subject.party,
        created_by=subject.username,
        status=Status.RELEASED,
        releasable_to=frozenset({message.origin_party}) - {subject.party},
        marking=message.marking,
    )
    try:
        # Two officers of a party may record the same receipt at once (PostgreSQL, several workers): the
        # second waits for the first's ledger lock, then its insert breaks uq_message_receipts_once. The
        # receipt exists then, as asked: answer it, as for any later caller.
        with session.begin_nested():
            session.add(receipt)
            record_change(
                session, record=receipt, action=f"message-{kind}", actor=subject.username, party=subject.party
            )
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
    return receipt, True


def mark_read(session: Session, *, subject: Subject, message_id: uuid.UUID) -> Receipt | None:
    """A party's first reading of a message it received; its own messages need no receipt."""
    message = readable_message(session, subject, message_id)
    if message.origin_party == subject.party:
        return None
    receipt, _ = _receipt(session, subject, message, ReceiptKind.READ)
    return receipt


def acknowledge(session: Session, *, subject: Subject, message_id: uuid.UUID) -> Receipt:
    message = readable_message(session, subject, message_id)
    if subject.party not in message.ack_parties:
        raise Forbidden(N_("your party is not asked to acknowledge this message"))
    if message.status != Status.RELEASED:
        raise Conflict(N_("the message is {status}; there is nothing to acknowledge"), status=message.status)
    receipt, _ = _receipt(session, subject, message, ReceiptKind.ACKNOWLEDGED)
    return receipt


def add_attachment(
    session: Session, *, subject: Subject, filename: str, media_type: str, sha256: str, size: int
) -> Attachment:
    """An uploaded file, its party's alone until a message carries it."""
    attachment = Attachment(
        sha256=sha256,
        filename=filename,
        media_type=media_type,
        size=size,
        origin_party=subject.party,
        created_by=subject.username,
        status=Status.DRAFT,
        releasable_to=frozenset(),
    )
    session.add(attachment)
    record_change(session, record=attachment, action="attachment-uploaded", actor=subject.username, party=subject.party)
    return attachment


# ---- read helpers for the web UI (hotline/pages.py) ----


def mark_channel_read(session: Session, *, subject: Subject, channel: str, message_ids) -> list[Receipt]:
    """Read receipts for the given messages of the channel that the party may read, sent by other
    parties and not yet read by it; anything else among the ids is skipped silently."""
    ids = list(message_ids)
    if not ids:
        return []
    read = select(Receipt.message_id).where(Receipt.party == subject.party, Receipt.kind == ReceiptKind.READ)
    query = select(Message).where(
        Message.id.in_(ids),
        Message.channel == channel,
        readable(subject, Message),
        Message.origin_party != subject.party,
        Message.id.not_in(read),
    )
    messages = session.execute(query.order_by(Message.id)).scalars()
    return [_receipt(session, subject, message, ReceiptKind.READ)[0] for message in messages]
