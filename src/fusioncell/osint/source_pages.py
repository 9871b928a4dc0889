"""The party's open-source sources as a page (GET /osint/sources) and the form that adds one.

The same service as the API's `POST /api/v1/osint/sources`, so the form refuses what the API refuses; a refusal
comes back on the page beside the form, as typed. A party sees its own sources only: which outlets another
party follows is its own business (their articles are released as it chose)."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.errors import FusionError
from fusioncell.osint import sources
from fusioncell.osint.schemas import SourceCreate
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.forms import form_body
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/osint/sources")
def sources_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    return _page(request, caller, runtime, session)


@router.post("/osint/sources")
def add_source(
    request: Request,
    code: str = Form(default="", max_length=64),
    name: str = Form(default="", max_length=200),
    kind: str = Form(default="feed", max_length=16),
    location: str = Form(default="", max_length=2000),
    language: str = Form(default="", max_length=8),
    poll_minutes: str = Form(default="30", max_length=8),
    release_to: list[str] = Form(default=[]),
    whole_cell: str = Form(default=""),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    typed = {"code": code, "name": name, "kind": kind, "location": location, "language": language,
             "poll_minutes": poll_minutes, "release_to": release_to, "whole_cell": bool(whole_cell)}  # fmt: skip
    try:
        body = form_body(
            SourceCreate,
            code=code,
            name=name,
            kind=kind,
            location=location,
            language=language or None,
            poll_minutes=poll_minutes or None,
            article_releasable_to=None if whole_cell else release_to,
        )
        sources.create_source(session, subject=caller.subject, cell=runtime.cell, data=body)
    except FusionError as exc:
        session.rollback()  # nothing the refused form wrote is kept
        return _page(request, caller, runtime, session, error=exc.message, typed=typed, status=exc.status_code)
    return RedirectResponse("/osint/sources", status_code=303)


def _page(request, caller, runtime, session, *, error: str | None = None, typed: dict | None = None, status=200):
    response = render(
        request,
        "osint_sources.html",
        caller,
        runtime,
        sources=sources.list_sources(session, subject=caller.subject),
        may_add=sources.can_ingest(caller.subject),
        error=error,
        typed=typed or {"kind": "feed", "poll_minutes": "30", "whole_cell": True},
    )
    response.status_code = status
    return response
