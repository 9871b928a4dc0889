"""The releasability rule: the one place that decides whether a party may read a record.

A user of party P may read a record iff
  - P is the record's origin party; or
  - the record is no longer a draft and P is the mediator (supervision: nothing crosses between
    parties without the mediator seeing it, including what waits for the mediator's approval); or
  - the record is released (or retracted after release) and P is in `releasable_to`.
Every list, detail, search, export, stream, TAXII, CoT and ledger body goes through `can_read` or
`readable`; nothing else decides.
"""

from sqlalchemy import and_, or_
from sqlalchemy.sql.expression import ColumnElement

from fusioncell.access.subjects import Subject
from fusioncell.db.base import Releasable, Status
from fusioncell.db.types import party_in

VISIBLE_TO_RECIPIENTS = (Status.RELEASED, Status.RETRACTED)


def can_read(subject: Subject, origin_party: str, status: str, releasable_to: frozenset[str]) -> bool:
    if subject.party == origin_party:
        return True
    if status == Status.DRAFT:
        return False
    if subject.is_mediator:
        return True
    return status in VISIBLE_TO_RECIPIENTS and subject.party in releasable_to


def can_read_record(subject: Subject, record: Releasable) -> bool:
    return can_read(subject, record.origin_party, record.status, frozenset(record.releasable_to))


def readable(subject: Subject, model: type[Releasable]) -> ColumnElement[bool]:
    """The same rule as a WHERE clause over any table carrying the envelope."""
    own = model.origin_party == subject.party
    if subject.is_mediator:
        return or_(own, model.status != Status.DRAFT)
    released = model.status.in_([str(s) for s in VISIBLE_TO_RECIPIENTS])
    return or_(own, and_(released, party_in(model.releasable_to, subject.party)))
