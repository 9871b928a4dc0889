"""The commercial desk's API: /api/v1/projects (the register, its CSV, each project's stage, release and the
military incidents in its site), /api/v1/incidents/{id}/projects (the other side of that flag) and
/api/v1/organisations. Every read goes through readable(); every write returns the record with its ledger_index.
"""

import uuid

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, CallerDep
from fusioncell.access.subjects import Subject
from fusioncell.cell.commerce import ProjectStage, Sector
from fusioncell.cell.definition import CellDefinition
from fusioncell.commerce import csv_io, queries, service, site_conflicts
from fusioncell.commerce.models import Organisation, Project
from fusioncell.commerce.schemas import (
    CsvImportResult,
    IncidentAtSite,
    OrganisationCreate,
    OrganisationPage,
    OrganisationRead,
    ProjectAtIncident,
    ProjectCreate,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
    ReleaseRequest,
    RetractRequest,
    StageChange,
)
from fusioncell.db.base import Status
from fusioncell.errors import Invalid
from fusioncell.events.representations import Representation, register
from fusioncell.i18n import N_
from fusioncell.incidents.schemas import IncidentRead
from fusioncell.incidents.service import readable_incident
from fusioncell.incidents.views import incident_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["commerce"])
MAX_EXPORT = 50_000


def project_view(project: Project, incidents: list | None = None) -> dict:
    """What every reader of the project may see; the military incidents are added per reader."""
    fields = {name: getattr(project, name) for name in ProjectRead.model_fields if name not in _PER_READER}
    view = ProjectRead(
        **fields,
        releasable_to=sorted(project.releasable_to),
        military_incidents=[IncidentAtSite.model_validate(i, from_attributes=True) for i in incidents or ()],
    )
    return view.model_dump(mode="json")


_PER_READER = {"releasable_to", "military_incidents"}


def project_read(session: Session, subject: Subject, cell: CellDefinition, project: Project) -> ProjectRead:
    """The caller's view: the flag of military activity in the site, from the incidents the caller may read."""
    found = site_conflicts.military_incidents_in_site(session, subject=subject, cell=cell, project=project)
    return ProjectRead.model_validate(project_view(project, found))


def project_filters(
    sector: Sector | None = None,
    stage: ProjectStage | None = None,
    party: str | None = Query(default=None, max_length=16, description="The origin party."),
    outside_zone: bool | None = Query(default=None, description="Only sites outside (true) or inside the zone."),
    status: Status | None = None,
    q: str | None = Query(default=None, max_length=200, description="Text in the project's name."),
) -> queries.ProjectFilters:
    return queries.ProjectFilters(
        sector=sector, stage=stage, party=party, outside_zone=outside_zone, status=status, text=q
    )


@router.get("/projects", response_model=ProjectPage)
def list_projects(
    filters: queries.ProjectFilters = Depends(project_filters),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Newest first, as far as the caller may read them; each with the military incidents in its site."""
    found = queries.list_projects(session, subject=caller.subject, filters=filters, before=cursor, limit=limit)
    return ProjectPage(
        items=[project_read(session, caller.subject, runtime.cell, p) for p in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


@router.post("/projects", response_model=ProjectRead, status_code=201)
def create_project(
    body: ProjectCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A draft of your party's (no releasable_to), or released at once to the parties named."""
    project = service.create_project(session, subject=caller.subject, cell=runtime.cell, data=body)
    return project_read(session, caller.subject, runtime.cell, project)


@router.get("/projects/export.csv", response_class=Response)
def export_csv(
    filters: queries.ProjectFilters = Depends(project_filters),
    limit: int = Query(default=MAX_EXPORT, ge=1, le=MAX_EXPORT),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    """The register the caller may read as CSV, one project a line (docs/commerce.md); formula-like cells quoted."""
    projects = queries.every_project(session, subject=caller.subject, filters=filters)
    text = csv_io.export_csv(p for _, p in zip(range(limit), projects, strict=False))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


async def csv_sent(request: Request) -> str:
    """The CSV of an import: the request body (text/csv), or the `file` field of a multipart upload."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        upload = (await request.form()).get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid(N_("send the CSV as the multipart field `file`"))
        raw = await upload.read()
    else:
        raw = await request.body()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(N_("the CSV is not UTF-8 text")) from None


@router.post("/projects/import", response_model=CsvImportResult)
def import_csv(
    partial: bool = Query(default=False, description="Import the valid rows and report the others."),
    caller: Caller = CallerDep,  # before the body is read: a stranger is refused whatever it sends
    text: str = Depends(csv_sent),
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Projects from CSV, as your party's drafts. Every row is checked first; one bad row and nothing is
    imported, unless partial=true. Errors are {row, field, message}, row being the CSV line."""
    return csv_io.import_projects(session, subject=caller.subject, cell=runtime.cell, text=text, partial=partial)


@router.get("/projects/{project_id}", response_model=ProjectRead)
def get_project(
    project_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    project = service.readable_project(session, subject=caller.subject, project_id=project_id)
    return project_read(session, caller.subject, runtime.cell, project)


@router.patch("/projects/{project_id}", response_model=ProjectRead)
def update_project(
    project_id: uuid.UUID,
    body: ProjectUpdate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Its own party changes what the body sends (a new version); stage and release have their own calls."""
    project = service.update_project(
        session, subject=caller.subject, cell=runtime.cell, project_id=project_id, data=body
    )
    return project_read(session, caller.subject, runtime.cell, project)


@router.post("/projects/{project_id}/stage", response_model=ProjectRead)
def change_stage(
    project_id: uuid.UUID,
    body: StageChange,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Another stage, reached `on` (not before the current stage's date); going back needs a reason."""
    project = service.change_stage(
        session,
        subject=caller.subject,
        cell=runtime.cell,
        project_id=project_id,
        stage=body.stage,
        on=body.on,
        reason=body.reason,
    )
    return project_read(session, caller.subject, runtime.cell, project)


@router.post("/projects/{project_id}/release", response_model=ProjectRead)
def release_project(
    project_id: uuid.UUID,
    body: ReleaseRequest,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Release a draft, or widen a release; never narrower. [mediator] alone floats it to the mediator first."""
    project = service.release_project(
        session, subject=caller.subject, project_id=project_id, releasable_to=body.releasable_to, cell=runtime.cell
    )
    return project_read(session, caller.subject, runtime.cell, project)


@router.post("/projects/{project_id}/retract", response_model=ProjectRead)
def retract_project(
    project_id: uuid.UUID,
    body: RetractRequest,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """Withdraw a released project of your party, with the reason its readers will see."""
    project = service.retract_project(session, subject=caller.subject, project_id=project_id, reason=body.reason)
    return project_read(session, caller.subject, runtime.cell, project)


@router.get("/projects/{project_id}/incidents")
def incidents_in_site(
    project_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, list[IncidentRead]]:
    """The military incidents within the project's site that the caller may read, newest first."""
    project = service.readable_project(session, subject=caller.subject, project_id=project_id)
    found = site_conflicts.military_incidents_in_site(
        session, subject=caller.subject, cell=runtime.cell, project=project
    )
    return {"items": [incident_read(caller.subject, i) for i in found]}


@router.get("/incidents/{incident_id}/projects")
def projects_at_incident(
    incident_id: uuid.UUID,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> dict[str, list[ProjectAtIncident]]:
    """The projects the caller may read whose site this (military) incident lies in."""
    incident = readable_incident(session, subject=caller.subject, incident_id=incident_id)
    found = site_conflicts.projects_at_incident(session, subject=caller.subject, cell=runtime.cell, incident=incident)
    return {"items": [ProjectAtIncident.model_validate(p, from_attributes=True) for p in found]}


@router.get("/organisations", response_model=OrganisationPage)
def list_organisations(
    q: str | None = Query(default=None, max_length=200, description="Text in the name."),
    cursor: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    caller: Caller = CallerDep,
    session: Session = SessionDep,
):
    found = service.readable_organisations(session, subject=caller.subject, text=q, before=cursor, limit=limit)
    return OrganisationPage(
        items=[organisation_read(o) for o in found], next_cursor=found[-1].id if len(found) == limit else None
    )


@router.post("/organisations", response_model=OrganisationRead, status_code=201)
def create_organisation(
    body: OrganisationCreate,
    caller: Caller = CallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """A sponsor or investor; named to the mediator alone unless releasable_to names more parties."""
    organisation = service.create_organisation(session, subject=caller.subject, cell=runtime.cell, data=body)
    return organisation_read(organisation)


@router.get("/organisations/{organisation_id}", response_model=OrganisationRead)
def get_organisation(organisation_id: uuid.UUID, caller: Caller = CallerDep, session: Session = SessionDep):
    return organisation_read(
        service.readable_organisation(session, subject=caller.subject, organisation_id=organisation_id)
    )


def organisation_read(organisation: Organisation) -> OrganisationRead:
    fields = {name: getattr(organisation, name) for name in OrganisationRead.model_fields}
    return OrganisationRead(**fields | {"releasable_to": sorted(organisation.releasable_to)})


register("project", Representation(model=Project, view=project_view))
register(
    "organisation",
    Representation(model=Organisation, view=lambda o: organisation_read(o).model_dump(mode="json")),
)
