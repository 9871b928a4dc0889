"""/api/v1/channels, /api/v1/messages (and their actions), /api/v1/inbox, /api/v1/attachments,
/api/v1/escalations."""

import uuid

from fastapi import APIRouter, Depends, File, Form, Header, Query, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.policies import can_post, is_author_side
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Status
from fusioncell.diplomacy.commitments.endpoints import commitments_read
from fusioncell.diplomacy.commitments.service import overdue_for
from fusioncell.errors import Invalid, NotFound
from fusioncell.events.representations import Representation, register
from fusioncell.hotline import files, queries, service
from fusioncell.hotline.models import Attachment, Escalation, Message, Receipt
from fusioncell.hotline.schemas import (
    AttachmentRead,
    ChannelPage,
    ChannelRead,
    Comment,
    EscalationPage,
    EscalationRead,
    InboxRead,
    MessageCreate,
    MessagePage,
    MessageRead,
    Reason,
    ReceiptRead,
    RelayCreate,
)
from fusioncell.hotline.text import render_body
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["hotline"])


def message_read(session: Session, subject: Subject, message: Message, *, new: bool = False) -> MessageRead:
    """One message as the caller may see it; `new` (just sent, so no receipts yet) spares a query."""
    return messages_read(session, subject, [message], new=new)[0]


def messages_read(
    session: Session, subject: Subject, messages: list[Message], *, new: bool = False
) -> list[MessageRead]:
    """The caller's view: receipts only as far as the caller may read them; no body once retracted."""
    receipts: dict[uuid.UUID, list[ReceiptRead]] = {}
    for receipt in [] if new else queries.readable_receipts(session, subject, [m.id for m in messages]):
        receipts.setdefault(receipt.message_id, []).append(ReceiptRead.model_validate(receipt))
    views = []
    for m in messages:
        view = _trim_message(subject, m, _message_view(m)) | {"receipts": receipts.get(m.id, [])}
        views.append(MessageRead.model_validate(view))
    return views


@router.get("/channels", response_model=ChannelPage)
def list_channels(caller: Caller = CallerDep, runtime: Runtime = Depends(get_runtime)):
    """The channels the caller's party is a member of (the mediator supervises them all)."""
    subject = caller.subject
    return ChannelPage(
        items=[
            ChannelRead(
                code=c.code,
                name=c.names.en,
                kind=str(c.kind),
                members=list(c.members),
                desk=c.desk,
                supervised_delivery=c.supervised_delivery,
                may_post=can_post(subject, c),
            )
            for c in service.visible_channels(runtime.cell, subject)
        ]
    )


@router.get("/messages", response_model=MessagePage)
def list_messages(
    channel: str | None = Query(default=None, max_length=64),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    if channel is not None:
        service.channel_for(runtime.cell, channel)
    found = queries.list_messages(session, subject=caller.subject, channel=channel, before=cursor, limit=limit)
    return MessagePage(
        items=messages_read(session, caller.subject, found), next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post(
    "/messages",
    response_model=MessageRead,
    status_code=201,
    responses={200: {"description": "A retry: the message sent earlier with this idempotency key."}},
)
def send_message(
    body: MessageCreate,
    idempotency_key: str | None = Header(default=None, max_length=128),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Send to a channel (or submit it for the mediator's review where the channel is supervised)."""
    draft = service.Draft(
        channel=body.channel,
        body=body.body,
        precedence=body.precedence,
        language=body.language,
        marking=body.marking,
        reply_to=body.reply_to,
        corrects=body.corrects,
        references=tuple((r.kind, r.id) for r in body.references),
        attachments=tuple(body.attachments),
        idempotency_key=body.idempotency_key or idempotency_key,
    )
    message, created = service.send_message(session, cell=runtime.cell, subject=caller.subject, draft=draft)
    view = message_read(session, caller.subject, message, new=created)
    # The busiest path makes no more trips through the event loop than it must: committed here, in
    # this worker thread, not by the session dependency; and answered as a ready response, which
    # FastAPI would otherwise validate once more in yet another thread (the view is a MessageRead).
    session.commit()
    return Response(view.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


@router.get("/messages/{message_id}", response_model=MessageRead)
def get_message(message_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return message_read(session, caller.subject, service.readable_message(session, caller.subject, message_id))


@router.post("/messages/{message_id}/read", response_model=MessageRead)
def mark_read(message_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """Record the caller's party's read receipt (once); answers the message."""
    service.mark_read(session, subject=caller.subject, message_id=message_id)
    return get_message(message_id, caller, session)


@router.post("/messages/{message_id}/acknowledge", response_model=MessageRead)
def acknowledge(message_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    service.acknowledge(session, subject=caller.subject, message_id=message_id)
    return get_message(message_id, caller, session)


@router.post("/messages/{message_id}/retract", response_model=MessageRead)
def retract(message_id: uuid.UUID, body: Reason, caller: Caller = CallerDep, session: Session = SessionDep):
    message = service.retract_message(session, subject=caller.subject, message_id=message_id, reason=body.reason)
    return message_read(session, caller.subject, message)


@router.post("/messages/{message_id}/approve", response_model=MessageRead)
def approve(
    message_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    message = service.approve_message(session, cell=runtime.cell, subject=caller.subject, message_id=message_id)
    return message_read(session, caller.subject, message)


@router.post("/messages/{message_id}/return", response_model=MessageRead)
def return_to_author(message_id: uuid.UUID, body: Comment, caller: Caller = CallerDep, session: Session = SessionDep):
    message = service.return_message(session, subject=caller.subject, message_id=message_id, comment=body.comment)
    return message_read(session, caller.subject, message)


@router.post("/messages/{message_id}/relay", response_model=MessageRead, status_code=201)
def relay(
    message_id: uuid.UUID,
    body: RelayCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    message = service.relay_message(
        session,
        cell=runtime.cell,
        subject=caller.subject,
        message_id=message_id,
        to_channel=body.channel,
        body=body.body,
    )
    return message_read(session, caller.subject, message)


@router.get("/inbox", response_model=InboxRead)
def inbox(caller: Caller = CallerDep, session: Session = SessionDep):
    """What waits on the caller: acknowledgements owed by the party, reviews, escalations, overdue commitments."""
    subject = caller.subject
    return InboxRead(
        acknowledgements=messages_read(session, subject, queries.awaiting_acknowledgement(session, subject=subject)),
        reviews=messages_read(session, subject, queries.awaiting_review(session, subject=subject)),
        escalations=[EscalationRead.model_validate(e) for e in queries.open_escalations(session, subject=subject)],
        overdue_commitments=commitments_read(session, subject, overdue_for(session, subject=subject)),
    )


@router.get("/escalations", response_model=EscalationPage)
def list_escalations(caller: Caller = CallerDep, session: Session = SessionDep):
    return EscalationPage(
        items=[EscalationRead.model_validate(e) for e in queries.open_escalations(session, subject=caller.subject)]
    )


@router.get("/escalations/{escalation_id}", response_model=EscalationRead)
def get_escalation(escalation_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return EscalationRead.model_validate(queries.readable_escalation(session, caller.subject, escalation_id))


@router.post("/attachments", response_model=AttachmentRead, status_code=201)
def upload_attachment(
    file: UploadFile = File(...),
    media_type: str | None = Form(default=None, max_length=128),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Upload a file for a message you are about to send; it goes where that message goes."""
    settings = runtime.settings
    content = file.file.read(settings.attachment_max_bytes + 1)
    kind = media_type or file.content_type or "application/octet-stream"
    files.check_content(content, kind, allowed=settings.attachment_types, max_bytes=settings.attachment_max_bytes)
    name = files.safe_filename(file.filename)
    digest = files.store(settings.resolved_attachments_dir(), content)
    attachment = service.add_attachment(
        session, subject=caller.subject, filename=name, media_type=kind, sha256=digest, size=len(content)
    )
    return AttachmentRead.model_validate(attachment)


@router.get("/attachments/{attachment_id}", response_model=AttachmentRead)
def get_attachment(attachment_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return AttachmentRead.model_validate(queries.readable_attachment(session, caller.subject, attachment_id))


@router.get("/attachments/{attachment_id}/content")
def attachment_content(
    attachment_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    attachment = queries.readable_attachment(session, caller.subject, attachment_id)
    if attachment.status == Status.RETRACTED:
        raise Invalid(N_("the message carrying this file was retracted; its content is withheld"))
    path = files.path_for(runtime.settings.resolved_attachments_dir(), attachment.sha256)
    if not path.exists():
        raise NotFound(N_("The file is missing from storage."))
    # Served as a download, never rendered inline in the cell's origin.
    return FileResponse(
        path, media_type=attachment.media_type, filename=attachment.filename, content_disposition_type="attachment"
    )


def _message_view(message: Message) -> dict:
    """The stream's and webhooks' view of a message: as its readers see it, without receipts (those
    are records of their own) and without the reviewer's comment (trimmed in per reader)."""
    view = MessageRead(
        **{field: getattr(message, field) for field in MessageRead.model_fields if field not in _DERIVED},
        body=None if message.status == Status.RETRACTED else message.body,
        body_html=None if message.status == Status.RETRACTED else render_body(message.body),
        releasable_to=sorted(message.releasable_to),
        ack_parties=sorted(message.ack_parties),
        review_comment=None,
        receipts=[],
    )
    return view.model_dump(mode="json")


_DERIVED = {"body", "body_html", "releasable_to", "ack_parties", "review_comment", "receipts"}


def _trim_message(subject: Subject, message: Message, view: dict) -> dict:
    if is_author_side(subject, message.origin_party):
        return view | {"review_comment": message.review_comment}
    return view


register("message", Representation(model=Message, view=_message_view, trim=_trim_message))
register("receipt", Representation(model=Receipt, view=lambda r: ReceiptRead.model_validate(r).model_dump(mode="json")))
register(
    "escalation",
    Representation(model=Escalation, view=lambda e: EscalationRead.model_validate(e).model_dump(mode="json")),
)
register(
    "attachment",
    Representation(model=Attachment, view=lambda a: AttachmentRead.model_validate(a).model_dump(mode="json")),
)
