"""The forms of a statement's page: sign a version with the party's stored key (the password asked again),
comment on a paragraph, put a new version (the mediator), publish.

Each route reads the statement first as the caller may read it, so an unreadable statement answers the 404
of a missing one before a field is looked at; then it calls the service the API calls and redirects (303) to
the page. A refusal (a wrong password, a party that may not sign, a stale version, a field the API's schema
refuses) rolls the transaction back, so nothing is stored, and shows the page again with the error beside
the form that was sent, as typed (never the password). pages.py registers these handlers on its router
(POST /statements/{id}/sign, /comments, /versions, /publish), so the app wires one router for the pages.
"""

import uuid
from collections.abc import Callable

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.reauth import REFUSALS_ON_RECORD
from fusioncell.diplomacy import service
from fusioncell.diplomacy.schemas import CommentCreate, StoredKeySignature, VersionCreate
from fusioncell.errors import FusionError, NotFound
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body

LANGUAGES = ("en", "ar", "he")  # the new-version form's textareas, text_<lang>


def _attempt(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    session: Session,
    statement_id: uuid.UUID,
    form: str,
    action: Callable[[], object],
    typed: dict | None = None,
) -> Response:
    """Run one form's service call: back to the page on success, or the page with the refusal beside the form."""
    service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    try:
        action()
    except NotFound:
        raise
    except FusionError as exc:
        if isinstance(exc, REFUSALS_ON_RECORD):
            session.commit()  # a wrong password asked again is kept: it counts toward the lockout
        else:
            session.rollback()  # nothing the refused call wrote is kept
        from fusioncell.diplomacy.pages import render_statement  # pages imports this module: a cycle at the top

        statement = service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
        return render_statement(
            request,
            caller,
            runtime,
            session,
            statement,
            error=exc.in_language(),
            error_form=form,
            typed=typed or {},
            status=exc.status_code,
        )
    return RedirectResponse(f"/statements/{statement_id}", status_code=303)


def sign(
    statement_id: uuid.UUID,
    request: Request,
    version: str = Form(default=""),
    password: str = Form(default="", max_length=1024),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        body = form_body(StoredKeySignature, version=version, password=password)
        return service.sign_with_stored_key(
            session,
            cell=runtime.cell,
            subject=caller.subject,
            statement_id=statement_id,
            version=body.version,
            password=body.password,
            settings=runtime.settings,
        )

    return _attempt(request, caller, runtime, session, statement_id, "sign", act)


def comment(
    statement_id: uuid.UUID,
    request: Request,
    version: str = Form(default=""),
    paragraph: str = Form(default=""),
    text: str = Form(default="", max_length=40_000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        body = form_body(CommentCreate, version=version, paragraph=paragraph, text=text)
        return service.comment_on(
            session,
            subject=caller.subject,
            statement_id=statement_id,
            version=body.version,
            paragraph=body.paragraph,
            text=body.text,
        )

    typed = {"paragraph": paragraph, "text": text}
    return _attempt(request, caller, runtime, session, statement_id, f"comment-{paragraph}", act, typed)


def revise(
    statement_id: uuid.UUID,
    request: Request,
    text_en: str = Form(default="", max_length=200_000),
    text_ar: str = Form(default="", max_length=200_000),
    text_he: str = Form(default="", max_length=200_000),
    note: str = Form(default="", max_length=2_000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    typed = {"en": text_en, "ar": text_ar, "he": text_he, "note": note}

    def act():
        # A language left empty is dropped from the version, as the API's body would leave it out.
        texts = {lang: typed[lang] for lang in LANGUAGES if typed[lang].strip()}
        body = form_body(VersionCreate, texts=texts, note=note)
        return service.revise_statement(
            session,
            cell=runtime.cell,
            subject=caller.subject,
            statement_id=statement_id,
            texts=body.texts,
            note=body.note,
        )

    return _attempt(request, caller, runtime, session, statement_id, "revise", act, typed)


def publish(
    statement_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        return service.publish_statement(session, cell=runtime.cell, subject=caller.subject, statement_id=statement_id)

    return _attempt(request, caller, runtime, session, statement_id, "publish", act)
