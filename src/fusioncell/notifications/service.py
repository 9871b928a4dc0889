"""Webhook subscriptions, their delivery log, and a user's e-mail settings. Never commits.

A subscription is its party's: another party's answers exactly as a missing one. Only the party's
admins manage subscriptions and read their delivery log.
"""

import re
import secrets
import uuid
from datetime import datetime

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fusioncell.access.models import User
from fusioncell.access.policies import can_manage_webhooks
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition, Precedence
from fusioncell.db.types import utcnow
from fusioncell.errors import Forbidden, Invalid, NotFound
from fusioncell.events.representations import registered
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change, tree_size
from fusioncell.notifications.models import Delivery, DeliveryAttempt, DeliveryStatus, EmailSettings, Webhook

SECRET_PREFIX = "whsec_"
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
NOBODY = uuid.UUID(int=0)


def url_problem(url: str) -> str | None:
    """Why a webhook URL is refused, or None: http(s), a host, no credentials, no fragment."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "not a URL"
    if parsed.scheme not in ("http", "https"):
        return "the URL must start with http:// or https://"
    if not parsed.host:
        return "the URL must name a host"
    if parsed.userinfo:
        return "put no credentials in the URL; verify the signature instead"
    if parsed.fragment or any(c.isspace() for c in url):
        return "the URL may not hold a fragment or spaces"
    return None


def email_problem(email: str) -> str | None:
    return None if _EMAIL.match(email) else "not an e-mail address"


def party_subject(cell: CellDefinition, party: str, name: str) -> Subject:
    """The party itself as a reader: what any of its members may read, no more (roles never widen
    what a party may read)."""
    return Subject(
        user_id=NOBODY,
        username=name,
        display_name=name,
        party=party,
        party_role=str(cell.party(party).role),
        roles=frozenset(),
    )


def require_admin(subject: Subject) -> None:
    if not can_manage_webhooks(subject):
        raise Forbidden(N_("only your party's admins manage webhooks"))


def _check_kinds(kinds: list[str]) -> list[str]:
    unknown = [kind for kind in kinds if registered(kind) is None]
    if unknown:
        raise Invalid(N_("no such record kind: {unknown}"), unknown=", ".join(unknown), details={"kinds": unknown})
    return sorted(set(kinds))


def create_webhook(
    session: Session,
    *,
    cell: CellDefinition,
    party: str,
    url: str,
    description: str,
    kinds: list[str],
    actor: str,
) -> tuple[Webhook, str]:
    """A new subscription; it receives what is recorded from now on. The secret is returned once."""
    if party not in cell.party_codes:
        raise Invalid(
            N_("unknown party {party!r}; parties are {party_codes}"),
            party=party,
            party_codes=", ".join(sorted(cell.party_codes)),
        )
    problem = url_problem(url)
    if problem:
        raise Invalid(problem, details={"url": url})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    webhook = Webhook(
        party=party,
        url=url,
        description=description,
        kinds=_check_kinds(kinds),
        secret=secret,
        created_by=actor,
        cursor=tree_size(session),
    )
    session.add(webhook)
    record_change(session, record=webhook, action="webhook-created", actor=actor, party=party)
    webhook.cursor = webhook.ledger_index + 1  # not its own creation
    return webhook, secret


def list_webhooks(session: Session, *, party: str | None) -> list[Webhook]:
    query = select(Webhook).order_by(Webhook.created_at)
    if party is not None:
        query = query.where(Webhook.party == party)
    return list(session.execute(query).scalars())


def party_webhook(session: Session, *, party: str | None, webhook_id: uuid.UUID) -> Webhook:
    """The party's webhook; another party's answers the 404 of a missing one. party=None: operators."""
    webhook = session.get(Webhook, webhook_id)
    if webhook is None or (party is not None and webhook.party != party):
        raise NotFound()
    return webhook


def disable_webhook(
    session: Session, *, party: str | None, webhook_id: uuid.UUID, actor: str, now: datetime | None = None
) -> Webhook:
    """Stop a subscription for good; what waits for it is cancelled. Disabling twice changes nothing."""
    webhook = party_webhook(session, party=party, webhook_id=webhook_id)
    if webhook.disabled_at is None:
        now = now or utcnow()
        webhook.disabled_at = now
        webhook.version += 1
        record_change(session, record=webhook, action="webhook-disabled", actor=actor, party=webhook.party)
        session.execute(
            update(Delivery)
            .where(Delivery.webhook_id == webhook.id, Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.CANCELLED, next_attempt_at=None, failed_at=now)
        )
    return webhook


def delivery_log(
    session: Session, *, party: str, webhook_id: uuid.UUID, before: uuid.UUID | None, limit: int
) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    """Newest first (ids are UUIDv7), each with its attempts in order."""
    webhook = party_webhook(session, party=party, webhook_id=webhook_id)
    query = select(Delivery).where(Delivery.webhook_id == webhook.id)
    if before is not None:
        query = query.where(Delivery.id < before)
    deliveries = list(session.execute(query.order_by(Delivery.id.desc()).limit(limit)).scalars())
    attempts: dict[uuid.UUID, list[DeliveryAttempt]] = {d.id: [] for d in deliveries}
    if deliveries:
        rows = session.execute(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
            .order_by(DeliveryAttempt.attempted_at, DeliveryAttempt.id)
        ).scalars()
        for attempt in rows:
            attempts[attempt.delivery_id].append(attempt)
    return [(d, attempts[d.id]) for d in deliveries]


def delivery_counts(session: Session, *, party: str) -> dict[uuid.UUID, dict[str, int]]:
    """For each of the party's webhooks that has deliveries: how many there are in each status."""
    rows = session.execute(
        select(Delivery.webhook_id, Delivery.status, func.count())
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(Webhook.party == party)
        .group_by(Delivery.webhook_id, Delivery.status)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for webhook_id, status, count in rows:
        counts.setdefault(webhook_id, {})[status] = count
    return counts


def email_settings(session: Session, *, user: User) -> EmailSettings | None:
    return session.execute(select(EmailSettings).where(EmailSettings.user_id == user.id)).scalar_one_or_none()


def set_email_settings(
    session: Session, *, user: User, email: str | None, precedences: list[Precedence], actor: str
) -> EmailSettings:
    """Set (or with email=None, stop) a user's e-mail alerts; alerts cover what is recorded from now on."""
    if email is not None and email_problem(email):
        raise Invalid(N_("not an e-mail address"), details={"email": email})
    chosen = sorted({str(Precedence(p)) for p in precedences})
    settings = email_settings(session, user=user)
    if settings is None:
        settings = EmailSettings(user_id=user.id, party=user.party, email=email, precedences=chosen)
        session.add(settings)
        action = "email-settings-created"
    elif (settings.email, sorted(settings.precedences)) == (email, chosen):
        return settings
    else:
        settings.email, settings.precedences = email, chosen
        settings.updated_at = utcnow()
        settings.version += 1
        action = "email-settings-changed"
    record_change(session, record=settings, action=action, actor=actor, party=user.party)
    if action == "email-settings-created":
        settings.cursor = settings.ledger_index + 1
    return settings
