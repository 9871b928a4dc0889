"""Recording projects and organisations, moving projects through their stages and releasing them. Never commits.

Who writes: the liaison officers and commerce officers of the mediator and the principals (observers read what
names them, and never write projects); a project is changed only by its own party. A project starts as a draft,
its party's alone; released to the mediator alone it is *floated*, and a later release may add the other side,
never take a reader away. Every change bumps the version and enters the record.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell import validation_messages
from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import STAGE_ORDER, ProjectStage
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce import sites
from fusioncell.commerce.models import Project
from fusioncell.commerce.organisations import (  # noqa: F401 (the service's names, as callers know them)
    create_organisation,
    readable_organisation,
    readable_organisations,
)
from fusioncell.commerce.schemas import (
    Figures,
    ProjectCreate,
    ProjectUpdate,
    SponsorIn,
)
from fusioncell.commerce.stages import (
    DATE_SKEW,
    dates_after_move,
    dates_json,
    dates_problems,
    order_problems,
    stored_dates,
    today,
)
from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound, Phrase
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "commerce"
LIMIT_FIELDS = {  # figure -> the national limit no single project may claim beyond
    "power_mw": ("grid_mw", "MW: more than the country's grid"),
    "gdp_usd_per_year": ("output_usd_per_year", "USD a year: more than the national output"),
    "jobs": ("jobs", "jobs: more than the country's workforce the cell allows"),
    "capital_cost_usd": ("capital_cost_usd", "USD: beyond any single project"),
}


def invalid(problems: dict[str, str], *, prefix: str = "body.") -> Invalid:
    """The one error shape, each problem at its field as the API's body names it."""
    return validation_messages.invalid(problems, prefix=prefix)


def may_write(subject: Subject) -> bool:
    """The mediator's and the principals' liaison and commerce officers; never an observer."""
    return subject.party_role != "observer" and speaks_on_desk(subject, DESK)


def refuse_unless_writer(subject: Subject) -> None:
    if not may_write(subject):
        raise Forbidden(N_("projects are written by the mediator's and the principals' liaison and commerce officers"))


# ---------- checks that need the cell or other records ----------


def figure_problems(cell: CellDefinition, figures: Figures) -> dict[str, str]:
    """Figures no single project can claim: beyond the national limits of the cell definition."""
    limits = cell.commerce.limits
    problems = {}
    for name, (limit_name, what) in LIMIT_FIELDS.items():
        value, limit = getattr(figures, name), getattr(limits, limit_name)
        if value is not None and value > limit:
            problems[name] = Phrase(
                N_("{value:,.0f} is absurd: the limit is {limit:,.0f} {what}"), value=value, limit=limit, what=what
            )
    return problems


def party_problems(cell: CellDefinition, parties: list[str] | None) -> dict[str, str]:
    unknown = sorted(set(parties or ()) - cell.party_codes)
    if not unknown:
        return {}
    return {"releasable_to": f"unknown party {', '.join(unknown)} (parties: {', '.join(sorted(cell.party_codes))})"}


def resolve_sponsors(session: Session, subject: Subject, sponsors: list[SponsorIn]) -> tuple[list[dict], dict]:
    """The sponsors as the project keeps them; an organisation the writer may not read is not there for it."""
    kept, problems = [], {}
    for i, sponsor in enumerate(sponsors):
        name = sponsor.name
        if sponsor.organisation_id is not None:
            found = readable_organisation(session, subject=subject, organisation_id=sponsor.organisation_id, quiet=True)
            if found is None:
                problems[f"sponsors.{i}.organisation_id"] = Phrase(
                    N_("no organisation {organisation_id} you may read"), organisation_id=sponsor.organisation_id
                )
                continue
            name = name or found.name
        org = None if sponsor.organisation_id is None else str(sponsor.organisation_id)
        kept.append({"organisation_id": org, "name": name, "role": sponsor.role})
    return kept, problems


def project_problems(
    session: Session, *, subject: Subject, cell: CellDefinition, data: ProjectCreate, now: datetime | None = None
) -> dict[str, str]:
    """Everything create_project would refuse in a well-formed body, by field (the CSV import checks all rows
    with it before writing any)."""
    problems = figure_problems(cell, data) | party_problems(cell, data.releasable_to)
    problems |= sites.site_problems(cell, data.site.model_dump())
    dates = starting_dates(data, now)
    problems |= order_problems(dates) or dates_problems(data.stage, dates, now)
    problems |= resolve_sponsors(session, subject, data.sponsors)[1]
    return problems


def starting_dates(data: ProjectCreate, now: datetime | None) -> dict[ProjectStage, date]:
    """The body's dates, the current stage dated today unless given."""
    return {data.stage: today(now)} | dict(data.stage_dates)


# ---------- projects ----------


def create_project(
    session: Session, *, subject: Subject, cell: CellDefinition, data: ProjectCreate, now: datetime | None = None
) -> Project:
    """A draft of the writer's party, or released at once to the parties the body names."""
    now = now or utcnow()
    refuse_unless_writer(subject)
    problems = project_problems(session, subject=subject, cell=cell, data=data, now=now)
    if problems:
        raise invalid(problems)
    dates = starting_dates(data, now)
    site = data.site.model_dump()
    project = Project(
        name=data.name,
        sector=str(data.sector),
        description=data.description,
        site=site,
        **sites.bounding_box(site),
        site_outside_zone=sites.outside_zone(cell, site),
        stage=str(data.stage),
        stage_dates=dates_json(dates),
        history=[_change(subject, data.stage, dates[data.stage], now, reason=None)],
        sponsors=resolve_sponsors(session, subject, data.sponsors)[0],
        **{name: getattr(data, name) for name in Figures.model_fields},
        illustrative=data.illustrative,
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        marking=str(data.marking),
        status=Status.DRAFT if data.releasable_to is None else Status.RELEASED,
        releasable_to=frozenset(data.releasable_to or ()) - {subject.party},
    )
    session.add(project)
    action = "project-drafted" if data.releasable_to is None else "project-released"
    record_change(session, record=project, action=action, actor=subject.username, party=subject.party)
    return project


def update_project(
    session: Session, *, subject: Subject, cell: CellDefinition, project_id: uuid.UUID, data: ProjectUpdate
) -> Project:
    """The project's own party changes what the body sends; a new version, never on a retracted project."""
    project = own_project(session, subject=subject, project_id=project_id)
    sent = data.model_fields_set
    fields = set(Figures.model_fields)
    figures = Figures(**({n: getattr(project, n) for n in fields} | data.model_dump(include=sent & fields)))
    problems = figure_problems(cell, figures)
    if "site" in sent:
        problems |= sites.site_problems(cell, data.site.model_dump())
    dates = stored_dates(project)
    if data.stage_dates is not None:
        current = ProjectStage(project.stage)
        dates = {current: stored_dates(project).get(current, today())} | dict(data.stage_dates)
        problems |= order_problems(dates) | dates_problems(current, dates, None)
    sponsors = None
    if data.sponsors is not None:
        sponsors, sponsor_problems = resolve_sponsors(session, subject, data.sponsors)
        problems |= sponsor_problems
    if problems:
        raise invalid(problems)
    for name in sent & ({"name", "description"} | fields):
        setattr(project, name, getattr(data, name))
    if "sector" in sent:
        project.sector = str(data.sector)
    if "marking" in sent:
        project.marking = str(data.marking)
    if "site" in sent:
        _set_site(project, cell, data.site.model_dump())
    if data.stage_dates is not None:
        project.stage_dates = dates_json(dates)
    if sponsors is not None:
        project.sponsors = sponsors
    return _recorded(session, subject, project, "project-updated")


def change_stage(
    session: Session,
    *,
    subject: Subject,
    cell: CellDefinition,
    project_id: uuid.UUID,
    stage: ProjectStage | str,
    on: date,
    reason: str | None,
    now: datetime | None = None,
) -> Project:
    """Move to another stage reached `on`: never dated before the current stage, backwards only with a reason."""
    now = now or utcnow()
    project = own_project(session, subject=subject, project_id=project_id)
    stage, current = ProjectStage(stage), ProjectStage(project.stage)
    if stage == current:
        raise Conflict(N_("the project is at {stage} already"), stage=stage)
    backwards = STAGE_ORDER[stage] < STAGE_ORDER[current]
    dates = stored_dates(project)
    problems = {}
    if backwards and not (reason or "").strip():
        problems["reason"] = Phrase(
            N_("the stage goes back from {current} to {stage}: say why"), current=current, stage=stage
        )
    if current in dates and on < dates[current]:
        problems["on"] = Phrase(
            N_("{on} is before the current stage {current} ({since})"),
            on=on.isoformat(),
            current=current,
            since=dates[current].isoformat(),
        )
    if on > today(now) + DATE_SKEW:
        problems["on"] = Phrase(
            N_("{on} is ahead: a stage is recorded once reached (plan dates with an update)"), on=on.isoformat()
        )
    if problems:
        raise invalid(problems)
    project.stage = str(stage)
    project.stage_dates = dates_json(dates_after_move(dates, stage, on, backwards=backwards))
    project.history = [*project.history, _change(subject, stage, on, now, reason=reason)]
    return _recorded(session, subject, project, "project-stage")


def release_project(
    session: Session,
    *,
    subject: Subject,
    project_id: uuid.UUID,
    releasable_to: list[str] | frozenset[str],
    cell: CellDefinition | None = None,
) -> Project:
    """Draft -> released, or a wider audience for a released one; never a narrower one. Released to the mediator
    alone, the project is floated to it before the other side sees it. `cell` checks the party codes."""
    project = own_project(session, subject=subject, project_id=project_id)
    if cell is not None and (problems := party_problems(cell, list(releasable_to))):
        raise invalid(problems)
    wanted = frozenset(releasable_to) - {subject.party}
    if project.status == Status.RELEASED:
        dropped = sorted(frozenset(project.releasable_to) - wanted)
        if dropped:
            raise Conflict(
                N_("a release only widens: {dropped} read it already and would be dropped"), dropped=", ".join(dropped)
            )
        if wanted == frozenset(project.releasable_to):
            raise Conflict(N_("the project is released to exactly those parties already"))
    project.status, project.releasable_to = Status.RELEASED, wanted
    return _recorded(session, subject, project, "project-released")


def retract_project(session: Session, *, subject: Subject, project_id: uuid.UUID, reason: str) -> Project:
    """Withdraw a released project: its readers keep seeing it, marked retracted with the reason, and it no
    longer counts on any dashboard. A draft is never retracted (nobody else has seen it)."""
    project = own_project(session, subject=subject, project_id=project_id)
    if project.status != Status.RELEASED:
        raise Conflict(N_("only a released project is retracted; a draft has not been shown to anyone"))
    if not reason.strip():
        raise invalid({"reason": N_("say why the project is withdrawn")})
    project.status, project.retracted_at, project.retraction_reason = Status.RETRACTED, utcnow(), reason.strip()
    return _recorded(session, subject, project, "project-retracted")


def readable_project(session: Session, *, subject: Subject, project_id: uuid.UUID, for_update: bool = False) -> Project:
    """The project if the caller may read it; else NotFound, exactly as for one that does not exist."""
    query = select(Project).where(Project.id == project_id, readable(subject, Project))
    found = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if found is None:
        raise NotFound()
    return found


def own_project(session: Session, *, subject: Subject, project_id: uuid.UUID) -> Project:
    """A readable project the caller's party may change: its own, by a writer, not retracted. Readability is
    decided first, so a project the caller may not read answers as a missing one whatever the caller's role."""
    project = readable_project(session, subject=subject, project_id=project_id, for_update=True)
    if project.origin_party != subject.party:
        raise Forbidden(N_("only {origin_party}, whose project it is, changes it"), origin_party=project.origin_party)
    refuse_unless_writer(subject)
    if project.status == Status.RETRACTED:
        raise Conflict(N_("the project is retracted; nothing can be changed"))
    return project


def _set_site(project: Project, cell: CellDefinition, site: dict[str, Any]) -> None:
    project.site = site
    for name, value in sites.bounding_box(site).items():
        setattr(project, name, value)
    project.site_outside_zone = sites.outside_zone(cell, site)


def _recorded(session: Session, subject: Subject, project: Project, action: str) -> Project:
    project.version += 1
    record_change(session, record=project, action=action, actor=subject.username, party=subject.party)
    return project


def _change(subject: Subject, stage: ProjectStage, on: date, now: datetime, *, reason: str | None) -> dict:
    return {
        "stage": str(stage),
        "at": on.isoformat(),
        "recorded_at": now.isoformat(timespec="microseconds"),
        "by": subject.username,
        "party": subject.party,
        "reason": reason,
    }
