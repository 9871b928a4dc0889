"""From the record to the outbox: which ledger entries go to which webhook, and what each carries.

Driven by the ledger: each subscription's cursor is the next index to look at. An entry is kept for a
party only if the party may read the entry's envelope (the query filter of access/rule.py) and the
record as it now stands (the rule's can_read_record); the record's view comes from
events/representations, trimmed for that party. Never commits.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Envelope
from fusioncell.events.representations import load, registered
from fusioncell.ledger.models import LedgerEntry
from fusioncell.ledger.service import tree_size
from fusioncell.notifications.models import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from fusioncell.notifications.service import party_subject

BATCH = 500  # entries looked at per subscription and tick
CLAIM = 50  # deliveries sent per tick


def readable_entries(
    session: Session, *, subject: Subject, start: int, end: int, kinds: Iterable[str] | None
) -> list[tuple[LedgerEntry, Envelope]]:
    """Entries in [start, end) whose envelope and current record the subject may read, in order,
    each with its record; only kinds that have a view (and, if given, only `kinds`)."""
    query = select(LedgerEntry).where(
        LedgerEntry.index >= start, LedgerEntry.index < end, readable(subject, LedgerEntry)
    )
    if kinds:
        query = query.where(LedgerEntry.kind.in_(list(kinds)))
    entries = [e for e in session.execute(query.order_by(LedgerEntry.index)).scalars() if registered(e.kind)]
    records: dict[str, dict[str, Envelope]] = {}
    for kind in {e.kind for e in entries}:
        records[kind] = load(session, kind, sorted({e.record_id for e in entries if e.kind == kind}))
    kept = []
    for entry in entries:
        record = records[entry.kind].get(entry.record_id)
        if record is not None and can_read_record(subject, record):
            kept.append((entry, record))
    return kept


def webhook_subject(cell: CellDefinition, webhook: Webhook) -> Subject:
    return party_subject(cell, webhook.party, f"webhook:{webhook.id}")


def plan_deliveries(session: Session, *, cell: CellDefinition, now: datetime) -> int:
    """Move every active subscription's cursor forward, queueing a delivery per readable entry."""
    size = tree_size(session)
    webhooks = session.execute(
        select(Webhook)
        .where(Webhook.disabled_at.is_(None), Webhook.cursor < size)
        .order_by(Webhook.id)
        .with_for_update(skip_locked=True)
    ).scalars()
    queued = 0
    for webhook in webhooks:
        end = min(size, webhook.cursor + BATCH)
        subject = webhook_subject(cell, webhook)
        for entry, _ in readable_entries(session, subject=subject, start=webhook.cursor, end=end, kinds=webhook.kinds):
            session.add(
                Delivery(
                    webhook_id=webhook.id,
                    ledger_index=entry.index,
                    kind=entry.kind,
                    action=entry.action,
                    record_id=entry.record_id,
                    record_version=entry.record_version,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            queued += 1
        webhook.cursor = end
    session.flush()
    return queued


@dataclass(frozen=True)
class Outgoing:
    delivery_id: uuid.UUID
    url: str
    secret: str
    body: bytes


def payload(session: Session, *, subject: Subject, delivery: Delivery) -> bytes | None:
    """The JSON body for a delivery, from the record as it now stands; None if the party may no
    longer read it."""
    representation = registered(delivery.kind)
    record = load(session, delivery.kind, [delivery.record_id]).get(delivery.record_id) if representation else None
    if record is None or not can_read_record(subject, record):
        return None
    view = representation.trim(subject, record, representation.view(record))
    document = {
        "index": delivery.ledger_index,
        "kind": delivery.kind,
        "action": delivery.action,
        "id": delivery.record_id,
        "version": delivery.record_version,
        "record": view,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """X-Fusioncell-Signature: HMAC-SHA256 over the timestamp, a dot and the exact body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def claim_deliveries(session: Session, *, cell: CellDefinition, now: datetime, lease: timedelta) -> list[Outgoing]:
    """Take the due deliveries and build their bodies. Each is leased (its next attempt pushed past
    the send's timeout) so a second process leaves it alone, and a crash retries it later."""
    rows = session.execute(
        select(Delivery, Webhook)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.ledger_index)
        .limit(CLAIM)
        .with_for_update(skip_locked=True, of=Delivery)
    ).all()
    outgoing = []
    for delivery, webhook in rows:
        body = (
            None if webhook.disabled_at else payload(session, subject=webhook_subject(cell, webhook), delivery=delivery)
        )
        if body is None:
            delivery.status, delivery.next_attempt_at, delivery.failed_at = DeliveryStatus.CANCELLED, None, now
            continue
        delivery.next_attempt_at = now + lease
        outgoing.append(Outgoing(delivery.id, webhook.url, webhook.secret, body))
    session.flush()
    return outgoing


@dataclass(frozen=True)
class Outcome:
    delivery_id: uuid.UUID
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def record_outcomes(session: Session, *, outcomes: list[Outcome], backoff: tuple[float, ...]) -> None:
    """Log each attempt; a success is final, a failure waits for the next step of the backoff, and
    after the last one the delivery is given up."""
    for outcome in outcomes:
        delivery = session.get(Delivery, outcome.delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            continue
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                attempted_at=outcome.attempted_at,
                status_code=outcome.status_code,
                error=None if outcome.error is None else outcome.error[:512],
                duration_ms=outcome.duration_ms,
            )
        )
        delivery.attempts += 1
        if outcome.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                outcome.attempted_at,
                None,
            )
        elif delivery.attempts > len(backoff):
            delivery.status, delivery.failed_at, delivery.next_attempt_at = (
                DeliveryStatus.FAILED,
                outcome.attempted_at,
                None,
            )
        else:
            delivery.next_attempt_at = outcome.attempted_at + timedelta(seconds=backoff[delivery.attempts - 1])
    session.flush()
