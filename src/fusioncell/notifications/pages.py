"""The web UI of a party's outgoing notifications: its webhooks (add, list, disable) and each one's
delivery log — what the API's /api/v1/webhooks and `fusioncell webhook` do, for the party's admins.

The same service calls and the same rule as the API: only the party's admins (access/policies.py),
and another party's webhook answers the 404 of a missing one. Forms carry the session's CSRF token;
input is validated by the API's own schema before anything is stored. The signing secret is shown
once, by the very response that created the webhook (as the tokens page shows a new token); it is
never carried anywhere else, and the webhook's page never shows it again.
"""

import uuid

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from fusioncell import i18n
from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.errors import Invalid, Phrase
from fusioncell.events.representations import registered_kinds
from fusioncell.i18n import N_
from fusioncell.notifications import service
from fusioncell.notifications.models import DeliveryStatus
from fusioncell.notifications.schemas import WebhookCreate
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import page_language, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
FIELD_LABELS = {"url": N_("Target URL"), "description": N_("Description"), "kinds": N_("Record kinds")}


def _party(caller: Caller) -> str:
    """The caller's party, if the caller may manage its webhooks (403 otherwise, as the API)."""
    service.require_admin(caller.subject)
    return caller.subject.party


def _webhook_path(webhook_id: uuid.UUID) -> str:
    return f"/webhooks/{webhook_id}"


def _list_page(
    request: Request,
    caller: Caller,
    session: Session,
    runtime: Runtime,
    *,
    error: str | None = None,
    draft: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    party = _party(caller)
    response = render(
        request,
        "webhooks.html",
        caller,
        runtime,
        webhooks=service.list_webhooks(session, party=party),
        counts=service.delivery_counts(session, party=party),
        kinds=registered_kinds(),
        error=error,
        draft=draft or {"url": "", "description": "", "kinds": []},
        email_enabled=bool(runtime.settings.smtp_host),
    )
    response.status_code = status_code
    return response


def _problem(exc: ValidationError) -> Phrase:
    """The schema's complaints, in words for the page (the field's name in the page's language)."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else ""
        message = str(error.get("msg", "not valid")).removeprefix("Value error, ")
        label = Phrase(FIELD_LABELS[field]) if field in FIELD_LABELS else field
        problems.append(
            Phrase(N_("{field}: {problem}."), field=label, problem=message)
            if field
            else Phrase(N_("{problem}."), problem=message)
        )
    return Phrase.joined(" ", problems)


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return _list_page(request, caller, session, runtime)


@router.post("/webhooks", response_class=HTMLResponse)
def webhooks_create(
    request: Request,
    url: str = Form(default="", max_length=4096),
    description: str = Form(default="", max_length=1024),
    kinds: list[str] = Form(default=[]),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    party = _party(caller)
    draft = {"url": url, "description": description, "kinds": kinds}

    def again(problem: Phrase) -> HTMLResponse:
        """The page again, with the problem (in the page's language) and the fields as typed (nothing was stored)."""
        with i18n.speaking(page_language(request, caller)):
            text = problem.in_language()
        return _list_page(request, caller, session, runtime, error=text, draft=draft, status_code=422)

    if not url.strip():
        return again(Phrase(N_("Give the URL of your system that is to receive the deliveries.")))
    try:
        body = WebhookCreate(url=url, description=description, kinds=kinds)
    except ValidationError as exc:
        return again(Phrase(N_("Not added: {problem}"), problem=_problem(exc)))
    try:
        webhook, secret = service.create_webhook(
            session,
            cell=runtime.cell,
            party=party,
            url=body.url,
            description=body.description,
            kinds=body.kinds,
            actor=caller.subject.username,
        )
    except Invalid as exc:
        return again(Phrase(N_("Not added: {problem}."), problem=Phrase(exc.template, **exc.values)))
    return _webhook_page(request, caller, session, runtime, webhook=webhook, secret=secret, status_code=201)


@router.get("/webhooks/{webhook_id}", response_class=HTMLResponse)
def webhook_page(
    webhook_id: uuid.UUID,
    request: Request,
    before: uuid.UUID | None = None,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    webhook = service.party_webhook(session, party=_party(caller), webhook_id=webhook_id)
    return _webhook_page(request, caller, session, runtime, webhook=webhook, before=before)


def _webhook_page(
    request: Request,
    caller: Caller,
    session: Session,
    runtime: Runtime,
    *,
    webhook,
    before: uuid.UUID | None = None,
    secret: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    log = service.delivery_log(session, party=webhook.party, webhook_id=webhook.id, before=before, limit=PAGE_SIZE)
    response = render(
        request,
        "webhook.html",
        caller,
        runtime,
        webhook=webhook,
        log=log,
        before=before,
        older=log[-1][0].id if len(log) == PAGE_SIZE else None,
        secret=secret,
        pending=DeliveryStatus.PENDING,
    )
    response.status_code = status_code
    return response


@router.post("/webhooks/{webhook_id}/disable")
def webhook_disable(webhook_id: uuid.UUID, caller: Caller = PageCallerDep, session: Session = SessionDep):
    webhook = service.disable_webhook(
        session, party=_party(caller), webhook_id=webhook_id, actor=caller.subject.username
    )
    return RedirectResponse(_webhook_path(webhook.id), status_code=303)
