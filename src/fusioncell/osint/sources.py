"""Sources a party reads from, who may manage them, and their polling state.

Who may ingest and manage sources: liaison officers and desk officers of any party, and the observer accounts
of observer parties (open sources are public; UNDOF and the observers read the press as much as anyone, and
what they ingest is released under the same rule as everything else). Admins and supervisors by role alone
may not: an admin manages accounts, not content. A source belongs to its party (released to no other: the
mediator sees it, as it sees everything released).

Polling: a source is due when enabled and its next poll time has come; a failure doubles the wait (from the
source's interval, at most a day); a success resets it."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change
from fusioncell.osint.links import is_safe_url
from fusioncell.osint.models import OsintSource
from fusioncell.osint.schemas import SourceCreate

MAX_BACKOFF = timedelta(days=1)


def can_ingest(subject: Subject) -> bool:
    return any(role in (Role.LIAISON, Role.OBSERVER) or role.startswith(f"{Role.OFFICER}:") for role in subject.roles)


def require_ingest(subject: Subject) -> None:
    if not can_ingest(subject):
        raise Forbidden(N_("only liaison officers, desk officers and observers ingest open sources"))


def _checked(cell: CellDefinition, data: SourceCreate) -> None:
    problems = []
    if data.kind == "feed" and not is_safe_url(data.location):
        problems.append({"field": "location", "problem": "a feed is an http(s) URL"})
    unknown_desks = set(data.desks) - {d.code for d in cell.desks}
    if unknown_desks:
        problems.append({"field": "desks", "problem": f"unknown desks: {', '.join(sorted(unknown_desks))}"})
    unknown_parties = {p.upper() for p in data.article_releasable_to or ()} - cell.party_codes
    if unknown_parties:
        problems.append(
            {"field": "article_releasable_to", "problem": f"unknown parties: {', '.join(sorted(unknown_parties))}"}
        )
    if problems:
        raise Invalid(N_("the source is not valid"), details=problems)


def _apply(source: OsintSource, data: SourceCreate) -> None:
    for name in ("name", "kind", "location", "language", "tags", "desks", "poll_minutes", "enabled"):
        setattr(source, name, getattr(data, name))
    releasable = data.article_releasable_to
    source.article_releasable_to = None if releasable is None else sorted({p.upper() for p in releasable})


def create_source(session: Session, *, subject: Subject, cell: CellDefinition, data: SourceCreate) -> OsintSource:
    require_ingest(subject)
    _checked(cell, data)
    if source_by_code(session, subject=subject, code=data.code, missing_ok=True) is not None:
        raise Conflict(N_("your party already has a source {code!r}"), code=data.code)
    source = OsintSource(
        code=data.code, origin_party=subject.party, created_by=subject.username, status=Status.RELEASED,
        releasable_to=frozenset(), marking=Marking.GREEN, consecutive_failures=0,
    )  # fmt: skip
    _apply(source, data)
    session.add(source)
    record_change(session, record=source, action="create", actor=subject.username, party=subject.party)
    return source


def update_source(
    session: Session, *, subject: Subject, cell: CellDefinition, code: str, data: SourceCreate
) -> OsintSource:
    """A new version of the party's source; the polling state stays."""
    require_ingest(subject)
    _checked(cell, data)
    source = source_by_code(session, subject=subject, code=code)
    before = source.ledger_content()
    _apply(source, data)
    if source.ledger_content() == before:
        return source
    source.version += 1
    record_change(session, record=source, action="update", actor=subject.username, party=subject.party)
    return source


def source_by_code(session: Session, *, subject: Subject, code: str, missing_ok: bool = False) -> OsintSource | None:
    """A source of the subject's own party: another party's sources answer as missing."""
    source = session.scalar(
        select(OsintSource).where(OsintSource.origin_party == subject.party, OsintSource.code == code)
    )
    if source is None and not missing_ok:
        raise NotFound()
    return source


def list_sources(session: Session, *, subject: Subject) -> list[OsintSource]:
    return list(
        session.scalars(select(OsintSource).where(OsintSource.origin_party == subject.party).order_by(OsintSource.code))
    )


def due_sources(session: Session, *, now: datetime | None = None) -> list[OsintSource]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(OsintSource)
            .where(
                OsintSource.enabled.is_(True), or_(OsintSource.next_poll_at.is_(None), OsintSource.next_poll_at <= now)
            )
            .order_by(OsintSource.next_poll_at.nulls_first(), OsintSource.id)
        )
    )


def polled(source: OsintSource, *, now: datetime, etag: str | None = None, last_modified: str | None = None) -> None:
    """A good poll: validators kept for the next conditional GET, the back-off reset."""
    source.last_polled_at = now
    source.etag, source.last_modified = etag, last_modified
    source.consecutive_failures = 0
    source.last_error = None
    source.next_poll_at = now + timedelta(minutes=source.poll_minutes)


def poll_failed(source: OsintSource, *, now: datetime, error: str) -> None:
    """A failed poll: the wait doubles with each failure in a row, up to a day."""
    source.last_polled_at = now
    source.consecutive_failures += 1
    source.last_error = error[:2000]
    wait = timedelta(minutes=source.poll_minutes) * (2 ** min(source.consecutive_failures, 16))
    source.next_poll_at = now + min(wait, MAX_BACKOFF)
