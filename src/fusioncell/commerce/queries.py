"""The project register's list: what the caller may read, filtered, newest first, a page at a time.

Ids are UUIDv7, so the last id of a page is the cursor of the next. Every query carries readable(); the export
and the pages read through `list_projects` too, so they hold exactly what the API lists.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import ProjectStage, Sector
from fusioncell.commerce.models import Project
from fusioncell.db.base import Status

PAGE = 500  # rows per read when a whole register is walked (the export)


@dataclass(frozen=True)
class ProjectFilters:
    sector: Sector | None = None
    stage: ProjectStage | None = None
    party: str | None = None  # the origin party
    outside_zone: bool | None = None
    status: Status | None = None
    text: str | None = None  # in the name, case-insensitively


def list_projects(
    session: Session,
    *,
    subject: Subject,
    filters: ProjectFilters = ProjectFilters(),
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[Project]:
    query = select(Project).where(readable(subject, Project))
    if filters.sector is not None:
        query = query.where(Project.sector == str(filters.sector))
    if filters.stage is not None:
        query = query.where(Project.stage == str(filters.stage))
    if filters.party is not None:
        query = query.where(Project.origin_party == filters.party)
    if filters.outside_zone is not None:
        query = query.where(Project.site_outside_zone.is_(filters.outside_zone))
    if filters.status is not None:
        query = query.where(Project.status == str(filters.status))
    if filters.text:
        query = query.where(Project.name.ilike(f"%{escape_like(filters.text)}%", escape="\\"))
    if before is not None:
        query = query.where(Project.id < before)
    return list(session.execute(query.order_by(Project.id.desc()).limit(limit)).scalars())


def every_project(
    session: Session, *, subject: Subject, filters: ProjectFilters = ProjectFilters()
) -> Iterator[Project]:
    """The whole readable register, a page at a time, newest first."""
    before = None
    while True:
        found = list_projects(session, subject=subject, filters=filters, before=before, limit=PAGE)
        yield from found
        if len(found) < PAGE:
            return
        before = found[-1].id


def escape_like(text: str) -> str:
    """A LIKE pattern's wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
