"""What pages, the API and the map read of notices: lists, one notice, acknowledgements, findings per reader.

Every query here filters through access/rule.py `readable`: none returns a row its caller may not read,
and the overlaps a reader is told of are found among the notices that reader may read.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read_record, readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.deconfliction.areas import polygon_of
from fusioncell.deconfliction.findings import Extent, Finding, overlap, overlap_finding
from fusioncell.deconfliction.models import Notice, NoticeAcknowledgement
from fusioncell.errors import NotFound

# Notices that still announce something: given (or awaiting the mediator) and not retracted.
STANDING = (Status.PENDING, Status.RELEASED)


class When(StrEnum):
    ACTIVE = "active"  # under way now
    UPCOMING = "upcoming"  # starts later
    PAST = "past"  # over


def readable_notice(session: Session, *, subject: Subject, notice_id: uuid.UUID) -> Notice:
    notice = session.execute(
        select(Notice).where(Notice.id == notice_id, readable(subject, Notice))
    ).scalar_one_or_none()
    if notice is None:
        raise NotFound()
    return notice


def list_notices(
    session: Session,
    *,
    subject: Subject,
    when: When | None = None,
    activity: str | None = None,
    party: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[Notice]:
    """Newest first; ids are UUIDv7, so they order by time and serve as the cursor. Active and upcoming
    leave out retracted notices (they announce nothing); past keeps them, as the history they are."""
    now = now or utcnow()
    query = select(Notice).where(readable(subject, Notice))
    if when is When.ACTIVE:
        query = query.where(Notice.starts_at <= now, Notice.ends_at > now, Notice.status != Status.RETRACTED)
    elif when is When.UPCOMING:
        query = query.where(Notice.starts_at > now, Notice.status != Status.RETRACTED)
    elif when is When.PAST:
        query = query.where(Notice.ends_at <= now)
    if activity is not None:
        query = query.where(Notice.activity == activity)
    if party is not None:
        query = query.where(Notice.origin_party == party)
    if before is not None:
        query = query.where(Notice.id < before)
    return list(session.execute(query.order_by(Notice.id.desc()).limit(limit)).scalars())


def readable_acknowledgements(
    session: Session, *, subject: Subject, notice_ids: Sequence[uuid.UUID]
) -> list[NoticeAcknowledgement]:
    if not notice_ids:
        return []
    query = select(NoticeAcknowledgement).where(
        NoticeAcknowledgement.notice_id.in_(list(notice_ids)), readable(subject, NoticeAcknowledgement)
    )
    return list(session.execute(query.order_by(NoticeAcknowledgement.created_at)).scalars())


def findings_for(
    session: Session, *, subject: Subject, cell: CellDefinition, notices: Sequence[Notice]
) -> dict[uuid.UUID, list[Finding]]:
    """Each notice's findings as `subject` may know them: the stored ones, then its overlaps with other
    parties' standing notices that `subject` may read. A retracted notice has none: what it announced is
    withheld."""
    live = [n for n in notices if n.status != Status.RETRACTED]
    others = _standing_near(session, subject, live)
    extents = {n.id: _extent(n) for n in [*live, *others]}
    found: dict[uuid.UUID, list[Finding]] = {n.id: [] for n in notices}
    for notice in live:
        found[notice.id] = [Finding.from_stored(f) for f in notice.findings]
        for other in others:
            if _boxes_meet(notice, other) and overlap(extents[notice.id], extents[other.id]):
                unaware = _unaware(cell, notice, other) if subject.is_mediator else ()
                found[notice.id].append(overlap_finding(extents[other.id], unaware=unaware))
    return found


def _standing_near(session: Session, subject: Subject, notices: Sequence[Notice]) -> list[Notice]:
    """Standing notices `subject` may read whose window and bounding box meet those of all `notices`
    together; the exact test is done on each pair."""
    if not notices:
        return []
    query = select(Notice).where(
        readable(subject, Notice),
        Notice.status.in_([str(s) for s in STANDING]),
        Notice.starts_at < max(n.ends_at for n in notices),
        Notice.ends_at > min(n.starts_at for n in notices),
        Notice.west <= max(n.east for n in notices),
        Notice.east >= min(n.west for n in notices),
        Notice.south <= max(n.north for n in notices),
        Notice.north >= min(n.south for n in notices),
    )
    return list(session.execute(query.order_by(Notice.id)).scalars())


def _boxes_meet(a: Notice, b: Notice) -> bool:
    return a.west <= b.east and b.west <= a.east and a.south <= b.north and b.south <= a.north


def _extent(notice: Notice) -> Extent:
    altitude = None if notice.altitude_min_m is None else (notice.altitude_min_m, notice.altitude_max_m)
    return Extent(
        id=notice.id,
        party=notice.origin_party,
        activity=notice.activity,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        altitude=altitude,
        shape=polygon_of(notice.area),
    )


def _unaware(cell: CellDefinition, notice: Notice, other: Notice) -> tuple[str, ...]:
    """The parties of the two notices that may not read the other party's notice (by the one rule)."""
    pairs = ((notice.origin_party, other), (other.origin_party, notice))
    return tuple(party for party, theirs in pairs if not can_read_record(_stand_in(cell, party), theirs))


def _stand_in(cell: CellDefinition, party: str) -> Subject:
    """Any member of `party`, as the releasability rule sees one: readability depends on the party alone."""
    role = str(cell.party(party).role) if party in cell.party_codes else "observer"
    return Subject(
        user_id=uuid.UUID(int=0), username="", display_name="", party=party, party_role=role, roles=frozenset()
    )
