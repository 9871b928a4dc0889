"""Acknowledgement deadlines. Computed from stored deadlines on every tick, never from in-memory
timers, so a restart neither loses an escalation nor, thanks to the one-per-message-and-party
constraint, fires one twice."""

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from fusioncell.access.policies import mediators_own_envelope
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import party_in, utcnow
from fusioncell.hotline.models import Escalation, Message, Receipt, ReceiptKind
from fusioncell.ledger.service import record_change

SYSTEM = "system"


def _open(cell: CellDefinition):
    """Some party asked to acknowledge has neither acknowledged nor been escalated: so old, settled
    deadlines drop out of the scan however long the history grows."""
    waiting = []
    for party in sorted(cell.party_codes):
        acked = select(Receipt.id).where(
            Receipt.message_id == Message.id, Receipt.party == party, Receipt.kind == ReceiptKind.ACKNOWLEDGED
        )
        raised = select(Escalation.id).where(Escalation.message_id == Message.id, Escalation.party == party)
        waiting.append(and_(party_in(Message.ack_parties, party), ~acked.exists(), ~raised.exists()))
    return or_(*waiting)


def escalate_overdue(session: Session, *, cell: CellDefinition, now: datetime | None = None) -> list[Escalation]:
    """Raise one escalation per overdue message and party that has not acknowledged."""
    now = now or utcnow()
    overdue = (
        session.execute(
            select(Message).where(Message.status == Status.RELEASED, Message.ack_due_at <= now, _open(cell))
        )
        .scalars()
        .all()
    )
    if not overdue:
        return []
    ids = [message.id for message in overdue]
    acknowledged = {
        (row.message_id, row.party)
        for row in session.execute(
            select(Receipt.message_id, Receipt.party).where(
                Receipt.message_id.in_(ids), Receipt.kind == ReceiptKind.ACKNOWLEDGED
            )
        )
    }
    escalated = {
        (row.message_id, row.party)
        for row in session.execute(
            select(Escalation.message_id, Escalation.party).where(Escalation.message_id.in_(ids))
        )
    }
    mediator = cell.mediator.code
    raised = []
    for message in overdue:
        for party in sorted(message.ack_parties):
            if (message.id, party) in acknowledged or (message.id, party) in escalated:
                continue
            # The mediator's own record: its supervisors act on it.
            escalation = Escalation(
                message_id=message.id,
                party=party,
                due_at=message.ack_due_at,
                created_by=SYSTEM,
                created_at=now,
                **mediators_own_envelope(cell),
            )
            session.add(escalation)
            record_change(session, record=escalation, action="escalated", actor=SYSTEM, party=mediator)
            raised.append(escalation)
    return raised
