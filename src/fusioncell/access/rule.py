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
    return party_may_read(subject.party, subject.is_mediator, origin_party, status, releasable_to)


def party_may_read(party: str, is_mediator: bool, origin_party: str, status: str, releasable_to) -> bool:
    """The rule for a party rather than a user: every member of a party reads the same records."""
    if party == origin_party:
        return True
    if status == Status.DRAFT:
        return False
    if is_mediator:
        return True
    return status in VISIBLE_TO_RECIPIENTS and party in releasable_to


def envelope_naming(record: Releasable, *, audience: frozenset[str], mediator: str) -> tuple[str, frozenset[str]]:
    """Status and releasable_to for a new record that names `record` (a suggested link, say), meant for
    `audience`: only those of it who may read `record`. It stays a draft while `record` is one, since the
    mediator reads every record that is not a draft and must not learn of a draft it may not read."""
    if record.status == Status.DRAFT:
        return Status.DRAFT, frozenset()
    envelope = (record.origin_party, record.status, frozenset(record.releasable_to))
    return Status.RELEASED, frozenset(p for p in audience if party_may_read(p, p == mediator, *envelope))


def can_read_record(subject: Subject, record: Releasable) -> bool:
    return can_read(subject, record.origin_party, record.status, frozenset(record.releasable_to))


def readable(subject: Subject, model: type[Releasable]) -> ColumnElement[bool]:
    """The same rule as a WHERE clause over any table carrying the envelope."""
    own = model.origin_party == subject.party
    if subject.is_mediator:
        return or_(own, model.status != Status.DRAFT)
    released = model.status.in_([str(s) for s in VISIBLE_TO_RECIPIENTS])
    return or_(own, and_(released, party_in(model.releasable_to, subject.party)))
