"""/api/v1/webhooks (a party's subscriptions and their delivery log) and /api/v1/me/notifications."""

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.notifications import service
from fusioncell.notifications.models import Webhook
from fusioncell.notifications.schemas import (
    AttemptRead,
    DeliveryPage,
    DeliveryRead,
    EmailSettingsRead,
    EmailSettingsUpdate,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
)
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["notifications"])


def _admin_party(caller: Caller) -> str:
    service.require_admin(caller.subject)
    return caller.subject.party


@router.post("/webhooks", response_model=WebhookCreated, status_code=201)
def create_webhook(
    body: WebhookCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Subscribe your party's system to what is released to your party from now on. The secret that
    signs every delivery is in this answer only."""
    webhook, secret = service.create_webhook(
        session,
        cell=runtime.cell,
        party=_admin_party(caller),
        url=body.url,
        description=body.description,
        kinds=body.kinds,
        actor=caller.subject.username,
    )
    return WebhookCreated(**_read(webhook).model_dump(), secret=secret)


@router.get("/webhooks", response_model=WebhookPage)
def list_webhooks(caller: Caller = CallerDep, session: Session = SessionDep):
    """Your party's subscriptions (never their secrets)."""
    return WebhookPage(items=[_read(w) for w in service.list_webhooks(session, party=_admin_party(caller))])


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead)
def get_webhook(webhook_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return _read(service.party_webhook(session, party=_admin_party(caller), webhook_id=webhook_id))


@router.post("/webhooks/{webhook_id}/disable", response_model=WebhookRead)
def disable_webhook(webhook_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    """Stop the subscription for good; deliveries still waiting are cancelled."""
    webhook = service.disable_webhook(
        session, party=_admin_party(caller), webhook_id=webhook_id, actor=caller.subject.username
    )
    return _read(webhook)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage)
def list_deliveries(
    webhook_id: uuid.UUID,
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """The delivery log, newest first: every attempt with its status code, error and duration."""
    found = service.delivery_log(session, party=_admin_party(caller), webhook_id=webhook_id, before=cursor, limit=limit)
    items = [
        DeliveryRead(
            id=d.id,
            ledger_index=d.ledger_index,
            kind=d.kind,
            action=d.action,
            record_id=d.record_id,
            record_version=d.record_version,
            status=d.status,
            attempts=d.attempts,
            created_at=d.created_at,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            failed_at=d.failed_at,
            log=[AttemptRead.model_validate(a) for a in attempts],
        )
        for d, attempts in found
    ]
    return DeliveryPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/me/notifications", response_model=EmailSettingsRead)
def get_notifications(
    caller: Caller = CallerDep, session: Session = SessionDep, runtime: Runtime = Depends(get_runtime)
):
    """Your e-mail alerts."""
    settings = service.email_settings(session, user=caller.user)
    return _settings_read(settings, runtime)


@router.put("/me/notifications", response_model=EmailSettingsRead)
def put_notifications(
    body: EmailSettingsUpdate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Set where your alerts go and which precedences warrant one (null e-mail stops them). Only
    messages your party may read are ever sent; the mediator's supervisors also get escalations."""
    settings = service.set_email_settings(
        session, user=caller.user, email=body.email, precedences=body.precedences, actor=caller.subject.username
    )
    return _settings_read(settings, runtime)


def _read(webhook: Webhook) -> WebhookRead:
    return WebhookRead.model_validate(webhook)


def _settings_read(settings, runtime: Runtime) -> EmailSettingsRead:
    enabled = bool(runtime.settings.smtp_host)
    if settings is None:
        return EmailSettingsRead(email=None, precedences=[], email_enabled=enabled, ledger_index=None)
    return EmailSettingsRead(
        email=settings.email,
        precedences=sorted(settings.precedences),
        email_enabled=enabled,
        ledger_index=settings.ledger_index,
    )
