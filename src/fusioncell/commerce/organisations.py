"""The organisations register: sponsors and investors. Never commits.

An organisation is released like any record; by default it is named to the mediator alone (a party may name a
backer to the mediator before the other side learns of it). Writers are the project writers (service.may_write).
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce.models import Organisation
from fusioncell.commerce.queries import escape_like
from fusioncell.commerce.schemas import OrganisationCreate
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.errors import NotFound
from fusioncell.ledger.service import record_change


def create_organisation(
    session: Session, *, subject: Subject, cell: CellDefinition, data: OrganisationCreate, now: datetime | None = None
) -> Organisation:
    """A sponsor or investor, named to the mediator alone unless the body names more parties."""
    now = now or utcnow()
    from fusioncell.commerce.service import invalid, party_problems, refuse_unless_writer  # (service imports us)

    refuse_unless_writer(subject)
    if problems := party_problems(cell, data.releasable_to):
        raise invalid(problems)
    readers = {cell.mediator.code} if data.releasable_to is None else set(data.releasable_to)
    organisation = Organisation(
        name=data.name,
        country=data.country,
        kind=data.kind,
        website=None if data.website is None else str(data.website),
        notes=data.notes,
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(data.marking),
        status=Status.RELEASED,
        releasable_to=frozenset(readers) - {subject.party},
    )
    session.add(organisation)
    record_change(
        session, record=organisation, action="organisation-named", actor=subject.username, party=subject.party
    )
    return organisation


def readable_organisations(
    session: Session, *, subject: Subject, text: str | None = None, before: uuid.UUID | None = None, limit: int = 50
) -> list[Organisation]:
    """Newest first (UUIDv7 ids are the cursor), those the caller may read, optionally by name."""
    query = select(Organisation).where(readable(subject, Organisation))
    if text:
        query = query.where(Organisation.name.ilike(f"%{escape_like(text)}%", escape="\\"))
    if before is not None:
        query = query.where(Organisation.id < before)
    return list(session.execute(query.order_by(Organisation.id.desc()).limit(limit)).scalars())


def readable_organisation(
    session: Session, *, subject: Subject, organisation_id: uuid.UUID, quiet: bool = False
) -> Organisation | None:
    """The organisation if readable; else NotFound (or None when `quiet`)."""
    query = select(Organisation).where(Organisation.id == organisation_id, readable(subject, Organisation))
    found = session.execute(query).scalar_one_or_none()
    if found is None and not quiet:
        raise NotFound()
    return found
