"""The forms of the commercial desk's pages: record a project and import a CSV (the register), change a project's
stage and release it (the project page).

Each form is checked by the API's own body schema (web/forms.form_body) and handled by the same service call,
so a form refuses what the API refuses, in the same words. A project form reads the project first as the caller
may read it, so an unreadable project answers the 404 of a missing one before a field is looked at. A refusal
rolls the transaction back, so nothing is stored, and shows the page again with the error beside the form that
was sent and what was typed. pages.py registers these handlers on its router.
"""

import uuid
from collections.abc import Callable
from datetime import date

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.commerce import csv_io, service
from fusioncell.commerce.queries import ProjectFilters
from fusioncell.commerce.schemas import ProjectCreate, ReleaseRequest, RetractRequest, RowError, StageChange
from fusioncell.db.base import Marking
from fusioncell.errors import FusionError, Invalid, NotFound
from fusioncell.i18n import N_
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body


def _number(value: str) -> float | str | None:
    """A figure as typed: empty is none claimed; what is not a number goes to the schema, which names it."""
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        return float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        return value


def create(
    request: Request,
    name: str = Form(default="", max_length=1000),
    sector: str = Form(default="other"),
    description: str = Form(default="", max_length=20_000),
    stage: str = Form(default="concept"),
    stage_date: str = Form(default=""),
    lat: str = Form(default=""),
    lon: str = Form(default=""),
    capital_cost_usd: str = Form(default=""),
    gdp_usd_per_year: str = Form(default=""),
    power_mw: str = Form(default=""),
    jobs: str = Form(default=""),
    pharma_import_substitution_percent: str = Form(default=""),
    sponsor: str = Form(default="", max_length=1000),
    sponsor_role: str = Form(default="sponsor"),
    marking: str = Form(default=str(Marking.AMBER)),
    release: str = Form(default=""),
    release_to: list[str] = Form(default=[]),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    typed = {k: v for k, v in locals().items() if isinstance(v, str | list) and k != "request"}
    figures = {"capital_cost_usd": capital_cost_usd, "gdp_usd_per_year": gdp_usd_per_year, "power_mw": power_mw}
    figures |= {"jobs": jobs, "pharma_import_substitution_percent": pharma_import_substitution_percent}

    def act():
        body = form_body(
            ProjectCreate,
            name=name,
            sector=sector,
            description=description,
            stage=stage,
            stage_dates={stage: stage_date} if stage_date else None,
            site={"type": "Point", "coordinates": [_number(lon), _number(lat)]},
            sponsors=[{"name": sponsor, "role": sponsor_role}] if sponsor.strip() else None,
            marking=marking,
            releasable_to=release_to if release else None,
            **{k: _number(v) for k, v in figures.items()},
        )
        return service.create_project(session, subject=caller.subject, cell=runtime.cell, data=body)

    return _on_register(request, caller, runtime, session, "create", act, typed)


def import_csv(
    request: Request,
    file: UploadFile | None = File(default=None),
    partial: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    """Import the CSV as the caller's drafts: all or nothing, or (the box ticked) the valid rows only. The
    edge's body limit bounds the file; the form reads it whole, as the API reads a CSV body."""
    raw = file.file.read() if file is not None else b""
    result = None

    def act():
        nonlocal result
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(N_("The file is not UTF-8 text: save the CSV as UTF-8 and import it again.")) from None
        if not text.strip():
            raise Invalid(N_("Choose a CSV file to import."))
        result = csv_io.import_projects(
            session, subject=caller.subject, cell=runtime.cell, text=text, partial=bool(partial)
        )
        return result

    outcome = _on_register(request, caller, runtime, session, "import", act, {"partial": partial}, to_register=True)
    if result is not None and result.errors:
        from fusioncell.commerce.pages import render_register  # pages imports this module: a cycle at the top

        return render_register(
            request,
            caller,
            runtime,
            session,
            ProjectFilters(),
            error_form="import",
            row_errors=result.errors,
            imported=len(result.imported),
        )
    return outcome


def _on_register(request, caller, runtime, session, form: str, action: Callable, typed: dict, *, to_register=False):
    """Run a register form's call: to the new project (or the register) on success, else the register with
    the refusal beside the form; a CSV's refused rows are listed one by one."""
    from fusioncell.commerce.pages import render_register  # pages imports this module: a cycle at the top

    try:
        made = action()
    except FusionError as exc:
        session.rollback()  # nothing the refused call wrote is kept
        rows = [RowError.model_validate(d) for d in (exc.details or []) if isinstance(d, dict) and "row" in d]
        return render_register(
            request,
            caller,
            runtime,
            session,
            ProjectFilters(),
            error=exc,
            error_form=form,
            row_errors=rows,
            typed=typed,
            status=exc.status_code,
        )
    if to_register:
        return RedirectResponse("/projects", status_code=303)
    return RedirectResponse(f"/projects/{made.id}", status_code=303)


def stage(
    project_id: uuid.UUID,
    request: Request,
    stage: str = Form(default=""),
    on: str = Form(default=""),
    reason: str = Form(default="", max_length=4000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        body = form_body(StageChange, stage=stage, on=on or date.today().isoformat(), reason=reason.strip() or None)
        return service.change_stage(
            session,
            subject=caller.subject,
            cell=runtime.cell,
            project_id=project_id,
            stage=body.stage,
            on=body.on,
            reason=body.reason,
        )

    typed = {"stage": stage, "on": on, "reason": reason}
    return _on_project(request, caller, runtime, session, project_id, "stage", act, typed)


def release(
    project_id: uuid.UUID,
    request: Request,
    release_to: list[str] = Form(default=[]),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        body = form_body(ReleaseRequest, releasable_to=release_to)
        return service.release_project(
            session, subject=caller.subject, project_id=project_id, releasable_to=body.releasable_to, cell=runtime.cell
        )

    return _on_project(request, caller, runtime, session, project_id, "release", act, {"release_to": release_to})


def retract(
    project_id: uuid.UUID,
    request: Request,
    reason: str = Form(default="", max_length=2000),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    def act():
        body = form_body(RetractRequest, reason=reason)
        return service.retract_project(session, subject=caller.subject, project_id=project_id, reason=body.reason)

    return _on_project(request, caller, runtime, session, project_id, "retract", act, {"retract_reason": reason})


def _on_project(request, caller, runtime, session, project_id: uuid.UUID, form: str, action: Callable, typed: dict):
    """Run a project form's call: back to the page on success, or the page with the refusal beside the form."""
    service.readable_project(session, subject=caller.subject, project_id=project_id)
    try:
        action()
    except NotFound:
        raise
    except FusionError as exc:
        session.rollback()  # nothing the refused call wrote is kept
        from fusioncell.commerce.pages import render_project  # pages imports this module: a cycle at the top

        project = service.readable_project(session, subject=caller.subject, project_id=project_id)
        return render_project(
            request,
            caller,
            runtime,
            session,
            project,
            error=exc,
            error_form=form,
            typed=typed,
            status=exc.status_code,
        )
    return RedirectResponse(f"/projects/{project_id}", status_code=303)
