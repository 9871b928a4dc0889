"""The hotline's web UI: the channel list, a conversation with its composer and actions, one message's
fragment (for live updates), and the inbox of what waits on the user.

Every read goes through the hotline service and so through the releasability filter; a channel the
party may not see and a message it may not read answer the 404 of one that does not exist. GETs never
write: read receipts are posted by the page itself (htmx, on load). Forms carry the session's CSRF
token; the composer carries an idempotency key per rendered form, so a double submit sends once.

The composer also takes files: checked like the API's uploads (hotline/files.py), then stored and sent
with the message in one transaction; a file refused sends nothing and records nothing.
"""

import secrets
import uuid

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from fusioncell import i18n
from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_post, can_supervise, can_view_channel
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, Channel, Precedence
from fusioncell.config import Settings
from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments.service import overdue_for
from fusioncell.errors import Forbidden, FusionError, Invalid, NotFound, PayloadTooLarge, Phrase, StorageUnavailable
from fusioncell.hotline import files, queries, service
from fusioncell.hotline.cards import card_for, cards_for
from fusioncell.hotline.models import Message
from fusioncell.hotline.schemas import MAX_ATTACHMENTS, MAX_BODY_CHARS
from fusioncell.i18n import N_
from fusioncell.i18n import gettext as _
from fusioncell.ledger.service import tree_size
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import _safe_next, page_language, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
MAX_REASON_CHARS = 2000
PRECEDENCES = [Precedence.FLASH, Precedence.IMMEDIATE, Precedence.PRIORITY, Precedence.ROUTINE]
# The allowed types in words, for the composer's hint (translated where shown); a type configured beyond these is
# named as it is.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "text/plain": N_("plain text"),
    "text/csv": "CSV",
}
TRANSLATED_TYPE_NAMES = frozenset({"plain text"})


def composer_body_limit(settings: Settings) -> int:
    """The edge's body limit for the composer's form (app.py): its files together up to the attachment
    limit, and the text fields and the form's framing within the general limit."""
    return settings.attachment_max_bytes + settings.max_body_bytes


def _channel(cell: CellDefinition, subject: Subject, code: str) -> Channel:
    """A channel the party may see; any other code, existing or not, is the same 404."""
    try:
        channel = cell.channel(code)
    except KeyError:
        channel = None
    if channel is None or not can_view_channel(subject, channel):
        raise NotFound(N_("No such channel."))
    return channel


def _channel_rows(session: Session, cell: CellDefinition, subject: Subject) -> list[dict]:
    channels = service.visible_channels(cell, subject)
    activity = queries.channel_activity(session, subject=subject, channels=[c.code for c in channels])
    return [
        {
            "channel": c,
            "activity": activity.get(c.code, queries.ChannelActivity()),
            "may_post": can_post(subject, c),
            "member": subject.party in c.members,
            "members": [cell.party(code) for code in c.members],
        }
        for c in channels
    ]


def _stream_after(session: Session) -> int:
    """The last ledger index the page reflects: the live stream resumes after it, so nothing that
    happens between rendering the page and opening the stream is missed."""
    return tree_size(session) - 1


# ---------- the channel list ----------


@router.get("/hotline", response_class=HTMLResponse)
def channels_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    rows = _channel_rows(session, runtime.cell, caller.subject)
    return render(request, "hotline_channels.html", caller, runtime, rows=rows, stream_after=_stream_after(session))


# ---------- a conversation ----------


def _conversation(
    request: Request,
    caller: Caller,
    session: Session,
    runtime: Runtime,
    channel: Channel,
    *,
    before: uuid.UUID | None = None,
    reply_to: uuid.UUID | None = None,
    error: str | None = None,
    draft: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    subject, cell = caller.subject, runtime.cell
    found = queries.list_messages(session, subject=subject, channel=channel.code, before=before, limit=PAGE_SIZE)
    older = found[-1].id if len(found) == PAGE_SIZE else None
    cards = cards_for(session, cell, subject, list(reversed(found)))  # oldest first, newest at the bottom
    replying = None
    if reply_to is not None:
        target = queries.readable_messages_by_id(session, subject=subject, message_ids=[reply_to]).get(reply_to)
        if target is not None and target.channel == channel.code:
            replying = card_for(session, cell, subject, target)
    draft = draft or {}
    response = render(
        request,
        "hotline_conversation.html",
        caller,
        runtime,
        channel=channel,
        members=[cell.party(code) for code in channel.members],
        cards=cards,
        older=older,
        before=before,
        unread_ids=[str(c.view.id) for c in cards if c.unread],
        rows=_channel_rows(session, cell, subject),
        may_post=can_post(subject, channel),
        supervisor=can_supervise(subject),
        precedences=PRECEDENCES,
        deadlines=cell.deadlines.acknowledgement_minutes,
        replying=replying,
        error=error,
        draft_body=draft.get("body", ""),
        draft_precedence=draft.get("precedence", Precedence.ROUTINE),
        # A fresh key per rendered form; a failed send re-renders with the same key.
        form_key=draft.get("key") or secrets.token_urlsafe(18),
        attach=_file_field(runtime.settings),
        stream_after=_stream_after(session),
    )
    response.status_code = status_code
    return response


@router.get("/hotline/{channel_code}", response_class=HTMLResponse)
def conversation_page(
    channel_code: str,
    request: Request,
    before: uuid.UUID | None = None,
    reply_to: uuid.UUID | None = None,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    channel = _channel(runtime.cell, caller.subject, channel_code)
    return _conversation(request, caller, session, runtime, channel, before=before, reply_to=reply_to)


def _file_field(settings: Settings) -> dict:
    """What the composer's file field accepts, from the configured limits (hotline.js checks the same)."""
    allowed = sorted(settings.attachment_types)
    return {
        "accept": ",".join(allowed),
        "types": [TYPE_NAMES.get(t, t) for t in allowed],
        "named": TRANSLATED_TYPE_NAMES,
        "max_bytes": settings.attachment_max_bytes,
        "max_files": MAX_ATTACHMENTS,
    }


@router.post("/hotline/{channel_code}/messages", response_class=HTMLResponse)
def send_from_composer(
    channel_code: str,
    request: Request,
    body: str = Form(default="", max_length=MAX_BODY_CHARS * 2),
    precedence: str = Form(default="routine", max_length=16),
    reply_to: str = Form(default="", max_length=64),
    idempotency_key: str = Form(default="", max_length=128),
    attachments: list[UploadFile] = File(default=[]),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject = caller.subject
    channel = _channel(runtime.cell, subject, channel_code)
    if not can_post(subject, channel):  # before any file is read or stored
        raise Forbidden(N_("your party or role may not post in channel {code!r}"), code=channel.code)
    text = body.strip()
    draft = {"body": body, "precedence": precedence, "key": idempotency_key}
    replying = _uuid_or_none(reply_to)
    # A file field left empty still sends one part, without a name or content.
    chosen = [upload for upload in attachments if upload.filename or upload.size]

    def again(problem: Phrase, status_code: int = 422) -> HTMLResponse:
        """The page again, with the problem (in the page's language) and the text as typed (nothing was stored)."""
        with i18n.speaking(page_language(request, caller)):
            text = problem.in_language()
            if chosen:  # a browser never fills a file field in again
                text += " " + _("Nothing was stored; choose the files again.")
        return _conversation(
            request,
            caller,
            session,
            runtime,
            channel,
            reply_to=replying,
            error=text,
            draft=draft,
            status_code=status_code,
        )

    if not text:
        return again(Phrase(N_("Write the message before sending it.")))
    if len(text) > MAX_BODY_CHARS:
        limit = f"{MAX_BODY_CHARS:,}"
        return again(Phrase(N_("The message is longer than {limit} characters; shorten it or split it."), limit=limit))
    if precedence not in {str(p) for p in Precedence}:
        return again(Phrase(N_("Choose a precedence from the list.")))
    if not 8 <= len(idempotency_key) <= 128:
        draft["key"] = ""
        return again(Phrase(N_("The form was incomplete; check the message and send it again.")))
    if len(chosen) > MAX_ATTACHMENTS:
        return again(Phrase(N_("Not sent: attach at most {count} files to one message."), count=MAX_ATTACHMENTS))
    try:
        stored = _store(runtime.settings, chosen)
    except (Invalid, PayloadTooLarge, StorageUnavailable) as exc:
        return again(Phrase(N_("Not sent: {problem}."), problem=_phrase(exc)), exc.status_code)
    try:
        message, _sent = service.send_with_files(
            session,
            cell=runtime.cell,
            subject=subject,
            draft=service.Draft(
                channel=channel.code,
                body=text,
                precedence=Precedence(precedence),
                reply_to=replying,
                idempotency_key=idempotency_key,
            ),
            files=stored,
        )
    except Invalid as exc:
        session.rollback()  # the files' records go with the message that was not sent
        return again(Phrase(N_("Not sent: {problem}."), problem=_phrase(exc)))
    except FusionError as exc:
        if exc.status_code != 409:
            raise
        # The same form key with another text: the first send stands; this text stays in the box.
        draft["key"] = ""
        sent_already = N_("A message was already sent from this form; this text was not sent. Check, then send again.")
        return again(Phrase(sent_already), 409)
    return RedirectResponse(f"/hotline/{channel.code}#msg-{message.id}", status_code=303)


def _phrase(exc: FusionError) -> Phrase:
    """An error's message, to be read again in the page's language."""
    return Phrase(exc.template, **exc.values)


def _store(settings: Settings, uploads: list[UploadFile]) -> list[service.StoredFile]:
    """Every file checked as the API checks an upload (size, type, content) before any is written:
    a refused file leaves nothing on disk. A file stored for a send that then fails stays on disk,
    unreferenced, as an upload the API took for a message never sent does (the store is shared by
    content, so no file is removed on a request's behalf)."""
    limit = settings.attachment_max_bytes
    checked, total = [], 0
    for upload in uploads:
        name = files.safe_filename(upload.filename)
        content = upload.file.read(limit + 1)
        kind = upload.content_type or "application/octet-stream"
        try:
            files.check_content(content, kind, allowed=settings.attachment_types, max_bytes=limit)
        except (Invalid, PayloadTooLarge) as exc:
            raise type(exc)(N_("{name}: {problem}"), name=name, problem=_phrase(exc)) from exc
        total += len(content)
        if total > limit:
            too_large = N_("the files together are larger than the limit of {limit} bytes")
            raise PayloadTooLarge(too_large, limit=f"{limit:,}")
        checked.append((name, kind, content))
    root = settings.resolved_attachments_dir()
    return [
        service.StoredFile(filename=name, media_type=kind, sha256=files.store(root, content), size=len(content))
        for name, kind, content in checked
    ]


@router.post("/hotline/{channel_code}/read", status_code=204)
def mark_read(
    channel_code: str,
    ids: list[str] = Form(default=[]),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Read receipts for the messages of others the page displayed (posted by the page itself)."""
    channel = _channel(runtime.cell, caller.subject, channel_code)
    wanted = [i for i in (_uuid_or_none(v) for v in ids[: PAGE_SIZE * 2]) if i is not None]
    service.mark_channel_read(session, subject=caller.subject, channel=channel.code, message_ids=wanted)
    return Response(status_code=204)


# ---------- one message: its fragment and its actions ----------


@router.get("/hotline/messages/{message_id}/fragment", response_class=HTMLResponse)
def message_fragment(
    message_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The message as the page shows it, for live insertion; 404 exactly as a missing one if unreadable."""
    message = service.readable_message(session, caller.subject, message_id)
    return _fragment(request, caller, session, runtime, message)


def _fragment(request: Request, caller: Caller, session: Session, runtime: Runtime, message: Message) -> HTMLResponse:
    card = card_for(session, runtime.cell, caller.subject, message)
    return render(request, "_message.html", caller, runtime, card=card)


def _done(
    request: Request, caller: Caller, session: Session, runtime: Runtime, message: Message, next_path: str
) -> Response:
    """htmx swaps the message's fresh fragment in place; a plain form goes back where it came from."""
    if request.headers.get("hx-request") == "true":
        session.flush()
        return _fragment(request, caller, session, runtime, message)
    target = _safe_next(next_path) if next_path else f"/hotline/{message.channel}#msg-{message.id}"
    return RedirectResponse(target, status_code=303)


@router.post("/hotline/messages/{message_id}/acknowledge")
def acknowledge(
    message_id: uuid.UUID,
    request: Request,
    next: str = Form(default="", max_length=512),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.acknowledge(session, subject=caller.subject, message_id=message_id)
    message = service.readable_message(session, caller.subject, message_id)
    return _done(request, caller, session, runtime, message, next)


@router.post("/hotline/messages/{message_id}/approve")
def approve(
    message_id: uuid.UUID,
    request: Request,
    next: str = Form(default="", max_length=512),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    message = service.approve_message(session, cell=runtime.cell, subject=caller.subject, message_id=message_id)
    return _done(request, caller, session, runtime, message, next)


@router.post("/hotline/messages/{message_id}/return")
def return_to_author(
    message_id: uuid.UUID,
    comment: str = Form(default="", max_length=MAX_REASON_CHARS * 2),
    next: str = Form(default="", max_length=512),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
):
    """Back to its author's side with the comment; the mediator no longer sees it, so no fragment."""
    service.readable_message(session, caller.subject, message_id)  # an unreadable one is a 404 first
    text = _required(
        comment,
        "comment",
        N_("Say why the message goes back to its author."),
        N_("Keep the comment under {limit} characters."),
    )
    message = service.return_message(session, subject=caller.subject, message_id=message_id, comment=text)
    target = _safe_next(next) if next else f"/hotline/{message.channel}"
    return RedirectResponse(target, status_code=303)


@router.post("/hotline/messages/{message_id}/relay")
def relay(
    message_id: uuid.UUID,
    channel: str = Form(default="", max_length=64),
    body: str = Form(default="", max_length=MAX_BODY_CHARS * 2),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator passes the message to the other side (verbatim, or the paraphrase given)."""
    service.readable_message(session, caller.subject, message_id)
    paraphrase = body.strip() or None
    if paraphrase is not None and len(paraphrase) > MAX_BODY_CHARS:
        raise Invalid(N_("The paraphrase is longer than {limit} characters."), limit=f"{MAX_BODY_CHARS:,}")
    relayed = service.relay_message(
        session, cell=runtime.cell, subject=caller.subject, message_id=message_id, to_channel=channel, body=paraphrase
    )
    return RedirectResponse(f"/hotline/{relayed.channel}#msg-{relayed.id}", status_code=303)


@router.post("/hotline/messages/{message_id}/retract")
def retract(
    message_id: uuid.UUID,
    request: Request,
    reason: str = Form(default="", max_length=MAX_REASON_CHARS * 2),
    next: str = Form(default="", max_length=512),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    service.readable_message(session, caller.subject, message_id)
    text = _required(
        reason,
        "reason",
        N_("Give the reason for the retraction; every reader will see it."),
        N_("Keep the reason under {limit} characters."),
    )
    message = service.retract_message(session, subject=caller.subject, message_id=message_id, reason=text)
    return _done(request, caller, session, runtime, message, next)


def _required(text: str, name: str, missing: str, too_long: str) -> str:
    """`missing` and `too_long` are catalog templates (N_), the latter with a {limit}."""
    text = text.strip()
    if not text:
        raise Invalid(missing, details={"field": name})
    if len(text) > MAX_REASON_CHARS:
        raise Invalid(too_long, details={"field": name}, limit=f"{MAX_REASON_CHARS:,}")
    return text


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


# ---------- the inbox ----------


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    subject, cell = caller.subject, runtime.cell
    acks = cards_for(session, cell, subject, queries.awaiting_acknowledgement(session, subject=subject))
    reviews = cards_for(session, cell, subject, queries.awaiting_review(session, subject=subject))
    escalations = queries.open_escalations(session, subject=subject)
    linked = queries.readable_messages_by_id(session, subject=subject, message_ids=[e.message_id for e in escalations])
    escalated = {card.view.id: card for card in cards_for(session, cell, subject, list(linked.values()))}
    return render(
        request,
        "inbox.html",
        caller,
        runtime,
        acks=acks,
        reviews=reviews,
        supervisor=can_supervise(subject),
        escalations=[(e, escalated.get(e.message_id)) for e in escalations],
        now=utcnow(),
        stream_after=_stream_after(session),
        commitments_overdue=overdue_for(session, subject=subject, now=utcnow()),
    )
