"""What the verification pages, the map and the API list: declarations, inspections and positions.

Every query here filters through access/rule.py `readable`: none returns a row its caller may not read, and
a record the caller may not read answers NotFound exactly as a missing one.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.db.types import party_in
from fusioncell.errors import NotFound
from fusioncell.verification.models import Inspection, Position, PostureDeclaration


def _readable_one(session: Session, subject: Subject, model, record_id: uuid.UUID, *, for_update: bool = False):
    """The record if the caller may read it; `for_update` locks its row (PostgreSQL) so two parties' moves
    of one position never overwrite each other (FOR NO KEY UPDATE, as incidents do)."""
    query = select(model).where(model.id == record_id, readable(subject, model))
    found = session.execute(query.with_for_update(key_share=True) if for_update else query).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def readable_posture(session: Session, *, subject: Subject, declaration_id: uuid.UUID) -> PostureDeclaration:
    return _readable_one(session, subject, PostureDeclaration, declaration_id)


def readable_inspection(session: Session, *, subject: Subject, inspection_id: uuid.UUID) -> Inspection:
    return _readable_one(session, subject, Inspection, inspection_id)


def readable_position(
    session: Session, *, subject: Subject, position_id: uuid.UUID, for_update: bool = False
) -> Position:
    return _readable_one(session, subject, Position, position_id, for_update=for_update)


def list_postures(
    session: Session,
    *,
    subject: Subject,
    zone: str | None = None,
    party: str | None = None,
    over_limit: bool | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[PostureDeclaration]:
    """Newest first; ids are UUIDv7, so they order by time and serve as the cursor (`before`)."""
    query = select(PostureDeclaration).where(readable(subject, PostureDeclaration))
    if zone is not None:
        query = query.where(PostureDeclaration.zone == zone)
    if party is not None:
        query = query.where(PostureDeclaration.origin_party == party)
    if over_limit is not None:
        query = query.where(PostureDeclaration.over_limit == over_limit)
    if before is not None:
        query = query.where(PostureDeclaration.id < before)
    return list(session.execute(query.order_by(PostureDeclaration.id.desc()).limit(limit)).scalars())


def list_inspections(
    session: Session,
    *,
    subject: Subject,
    zone: str | None = None,
    result: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Inspection]:
    query = select(Inspection).where(readable(subject, Inspection))
    if zone is not None:
        query = query.where(party_in(Inspection.zones, zone))
    if result is not None:
        query = query.where(Inspection.result == result)
    if before is not None:
        query = query.where(Inspection.id < before)
    return list(session.execute(query.order_by(Inspection.id.desc()).limit(limit)).scalars())


def list_positions(
    session: Session,
    *,
    subject: Subject,
    stage: str | None = None,
    party: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Position]:
    query = select(Position).where(readable(subject, Position))
    if stage is not None:
        query = query.where(Position.stage == stage)
    if party is not None:
        query = query.where(Position.holding_party == party)
    if before is not None:
        query = query.where(Position.id < before)
    return list(session.execute(query.order_by(Position.id.desc()).limit(limit)).scalars())
