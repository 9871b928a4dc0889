"""The commercial desk's pages: the project register (GET /projects: filters, CSV export and import, a form to
record a project), one project (GET /projects/{id}: figures, stage timeline, sponsors, its site on the map with
the military incidents in it, the stage and release forms) and the targets dashboard (GET /projects/dashboard).

Every read goes through the releasability rule: the register lists through queries.list_projects, a project is
read with service.readable_project (an unreadable one answers the 404 of a missing one), the dashboard counts
rollups.portfolio. The forms' handlers live in page_actions.py and are registered on this router, so the app
wires one router for the desk's pages.
"""

import uuid
from dataclasses import asdict
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.cell.commerce import STAGE_ORDER, ProjectStage, Sector
from fusioncell.commerce import page_actions, queries, service, site_conflicts
from fusioncell.commerce.models import Project
from fusioncell.commerce.rollup_endpoints import rollup_now
from fusioncell.commerce.schemas import RowError
from fusioncell.db.base import Marking
from fusioncell.errors import FusionError
from fusioncell.geo.pages import BORDERS_URL, ZONES_URL
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

TARGETS_URL = "/api/v1/projects/targets"
HISTORY_URL = "/api/v1/projects/targets/history"
EXPORT_URL = "/api/v1/projects/export.csv"
REGISTER_SIZE = 200
OUTSIDE = {"yes": True, "no": False}


def as_date(value: str | None) -> date | None:
    """A stored stage date ("YYYY-MM-DD") as a date, for the templates' `day` filter; None if it is not one."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@router.get("/projects/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The figures now, server-rendered; the charts are drawn from the same roll-up's JSON endpoints."""
    return render(
        request,
        "commerce_dashboard.html",
        caller,
        runtime,
        rollup=rollup_now(session, caller=caller, cell=runtime.cell),
        targets_url=TARGETS_URL,
        history_url=HISTORY_URL,
    )


def _choice(kind, value: str):
    """A filter left empty, or naming nothing known, filters nothing."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def register_filters(runtime: Runtime, sector: str, stage: str, party: str, outside: str) -> queries.ProjectFilters:
    return queries.ProjectFilters(
        sector=_choice(Sector, sector),
        stage=_choice(ProjectStage, stage),
        party=party if party in runtime.cell.party_codes else None,
        outside_zone=OUTSIDE.get(outside),
    )


@router.get("/projects", response_class=HTMLResponse)
def register(
    request: Request,
    sector: str = "",
    stage: str = "",
    party: str = "",
    outside: str = "",
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    filters = register_filters(runtime, sector, stage, party, outside)
    return render_register(request, caller, runtime, session, filters)


def render_register(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    session: Session,
    filters: queries.ProjectFilters,
    *,
    error: FusionError | None = None,
    error_form: str | None = None,
    row_errors: list[RowError] | None = None,
    imported: int | None = None,
    typed: dict | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The register; after a refused form, with the refusal beside that form (said in the page's language) and
    what was typed; after a partial import, how many projects came in and the rows left out."""
    found = queries.list_projects(session, subject=caller.subject, filters=filters, limit=REGISTER_SIZE)
    chosen = {name: value for name, value in asdict(filters).items() if value is not None}
    # The API's export takes the same filters, the site one as outside_zone=true|false.
    query = urlencode({k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in chosen.items()})
    shown = {k: ("yes" if v else "no") if isinstance(v, bool) else str(v) for k, v in chosen.items()}
    response = render(
        request,
        "projects.html",
        caller,
        runtime,
        projects=found,
        filters=shown,
        filtering=bool(chosen),
        export_url=EXPORT_URL + (f"?{query}" if query else ""),
        sectors=[str(s) for s in Sector],
        stages=[str(s) for s in ProjectStage],
        markings=[str(m) for m in Marking],
        may_write=service.may_write(caller.subject),
        register_size=REGISTER_SIZE,
        error=error,
        error_form=error_form,
        row_errors=row_errors or [],
        imported=imported,
        as_date=as_date,
        typed=typed or {},
    )
    response.status_code = status
    return response


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    project_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    project = service.readable_project(session, subject=caller.subject, project_id=project_id)
    return render_project(request, caller, runtime, session, project)


def render_project(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    session: Session,
    project: Project,
    *,
    error: FusionError | None = None,
    error_form: str | None = None,
    typed: dict | None = None,
    status: int = 200,
) -> HTMLResponse:
    subject = caller.subject
    mine = project.origin_party == subject.party and service.may_write(subject) and project.status != "retracted"
    response = render(
        request,
        "project.html",
        caller,
        runtime,
        project=project,
        timeline=timeline(project),
        incidents=site_conflicts.military_incidents_in_site(
            session, subject=subject, cell=runtime.cell, project=project
        ),
        zone=runtime.cell.zone(runtime.cell.commerce.zone),
        may_act=mine,
        stages=[str(s) for s in ProjectStage],
        others=[p for p in runtime.cell.parties if p.code != project.origin_party],
        borders_url=BORDERS_URL,
        zones_url=ZONES_URL,
        as_date=as_date,
        error=error,
        error_form=error_form,
        typed=typed or {},
    )
    response.status_code = status
    return response


def timeline(project: Project) -> list[dict]:
    """Every stage in order with its date: reached (up to the current stage) or planned (beyond it)."""
    current = STAGE_ORDER[ProjectStage(project.stage)]
    dates = project.stage_dates or {}
    return [
        {
            "stage": str(stage),
            "on": dates.get(str(stage)),
            "current": STAGE_ORDER[stage] == current,
            "reached": STAGE_ORDER[stage] <= current and str(stage) in dates,
        }
        for stage in ProjectStage
    ]


# The forms' handlers (page_actions.py), on this router: the app wires one router for the desk's pages.
router.post("/projects")(page_actions.create)
router.post("/projects/import")(page_actions.import_csv)
router.post("/projects/{project_id}/stage")(page_actions.stage)
router.post("/projects/{project_id}/release")(page_actions.release)
router.post("/projects/{project_id}/retract")(page_actions.retract)
