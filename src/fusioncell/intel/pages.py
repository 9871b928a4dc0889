"""The intelligence desk's pages: the reports the caller may read (GET /intel), one report laid out as a
classified document reads (GET /intel/reports/{id}), the compose form with its audience preview
(GET /intel/compose, /intel/audience), and the queues of what waits for approval (GET /intel/review).

Every read goes through the API's own queries and views (intel/queries.py, intel/views.py), so a page shows
exactly what /api/v1/intel answers the same caller: an unreadable report is the 404 of a missing one, and a
derived-from link appears only to the original's readers. The buttons shown mirror the services' checks
(access/policies.py and the report's state); the services still decide (intel/page_actions.py).
"""

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import can_review_intel, can_share_intel
from fusioncell.access.subjects import Subject
from fusioncell.db.base import Marking, Status
from fusioncell.intel import queries
from fusioncell.intel.correlation import correlations_for
from fusioncell.intel.endpoints import preview_audience
from fusioncell.intel.grading import CREDIBILITY_NAMES, RELIABILITY_NAMES
from fusioncell.intel.models import IntelReport, ReportKind
from fusioncell.intel.reading import Content, what_objects_say
from fusioncell.intel.schemas import ObservableType, OpinionValue, ReportRead
from fusioncell.intel.views import pretty, report_detail, report_read
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)

SHOWN = 50  # reports per list page
LISTED = (ReportKind.REPORT, ReportKind.TEARLINE, ReportKind.UPLOAD)  # what says something of its own


def waits_for(subject: Subject, read: ReportRead) -> str | None:
    """Whose approval a report waits for, as its author's party (or the reviewing mediator) needs to know: "review"
    (yours), "second-officer" or "mediator"; the templates say it in the page's language (_intel_macros.html)."""
    if read.status == Status.PENDING and can_review_intel(subject):
        return "review"
    if read.origin_party != subject.party:
        return None
    if read.status == Status.DRAFT and read.release_requested_by:
        return "second-officer"
    return "mediator" if read.status == Status.PENDING else None


@dataclass(frozen=True)
class ReportActions:
    """The buttons the reading view shows this caller."""

    release: bool = False
    second_approval: bool = False
    review: bool = False
    retract: bool = False
    tearline: bool = False
    answer: bool = False

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def report_actions(subject: Subject, report: IntelReport) -> ReportActions:
    own = report.origin_party == subject.party and can_share_intel(subject)
    draft, asked = report.status == Status.DRAFT, report.release_requested_by
    return ReportActions(
        release=own and draft and asked is None,
        second_approval=own and draft and asked is not None and asked != subject.username,
        review=can_review_intel(subject) and report.status == Status.PENDING,
        retract=own and report.status in (Status.PENDING, Status.RELEASED),
        tearline=own and report.status == Status.RELEASED and report.kind in (ReportKind.REPORT, ReportKind.UPLOAD),
        answer=can_share_intel(subject) and report.status == Status.RELEASED and report.kind in LISTED,
    )


def form_choices(caller: Caller, runtime: Runtime) -> dict:
    """The compose and tearline forms' select options and audience boxes."""
    cell = runtime.cell
    return {
        "reliabilities": list(RELIABILITY_NAMES.items()),
        "credibilities": list(CREDIBILITY_NAMES.items()),
        "markings": list(Marking),
        "observable_types": [str(t) for t in ObservableType],
        "opinions": [str(o) for o in OpinionValue],
        "audience": [p for p in cell.parties if p.code != caller.subject.party],
        "places": cell.places,
    }


def problems_by_field(errors: list[dict]) -> dict[str, str]:
    """An error's field ("form.place.lat", "marking") → the form input it belongs to ("place", "marking")."""
    out: dict[str, str] = {}
    for error in errors:
        name = str(error.get("field", "")).removeprefix("form.").split(".")[0].split("[")[0]
        out.setdefault(name, error.get("problem", ""))
    return out


def _choice(enum: type[StrEnum], text: str, allowed=None):
    """A filter's value, or None for "any" (and for anything not on offer)."""
    values = {str(v): v for v in (allowed or enum)}
    return values.get(text)


@router.get("/intel", response_class=HTMLResponse)
def reports_page(
    request: Request,
    status: str = Query(default="", max_length=16),
    kind: str = Query(default="", max_length=16),
    party: str = Query(default="", max_length=16),
    cursor: uuid.UUID | None = None,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    cell, subject = runtime.cell, caller.subject
    filters = queries.ReportFilters(
        status=_choice(Status, status),
        kind=_choice(ReportKind, kind, LISTED),
        party=party if party in cell.party_codes else None,
    )
    rows, next_cursor = queries.report_page(session, subject=subject, filters=filters, cursor=cursor, limit=SHOWN)
    reads = [report_read(cell, r) for r in rows]
    return render(
        request,
        "intel_reports.html",
        caller,
        runtime,
        reports=[(r, waits_for(subject, r)) for r in reads],
        chosen={"status": status, "kind": kind, "party": party},
        statuses=[str(s) for s in Status],
        kinds=[str(k) for k in LISTED],
        next_cursor=next_cursor,
        may_write=can_share_intel(subject),
    )


def audience_context(caller: Caller, runtime: Runtime, form: dict, kind: ReportKind) -> dict:
    """The preview the API's /audience answers for the form's boxes, as the fragment shows it."""
    marking = _choice(Marking, form.get("marking", "")) or Marking.AMBER
    recipients = [code for code in form.get("releasable_to", []) if isinstance(code, str)]
    preview = preview_audience(releasable_to=recipients, marking=marking, kind=kind, caller=caller, runtime=runtime)
    return {
        "preview": preview,
        "draft": bool(form.get("draft")),
        "kind": str(kind),
        "waits": [waiting_step(text) for text in preview.waits_for],
        "problem_observers": observers_refused(preview.problem),
    }


_SECOND_OFFICER = re.compile(r"a second officer of (?P<party>\S+)")
_MEDIATOR = re.compile(r"the mediator \((?P<party>[^)]+)\)")
_RED_TO_OBSERVER = re.compile(r"TLP:RED may not be released to an observer \((?P<parties>[^)]+)\);")


def waiting_step(text: str) -> dict:
    """One of the API preview's English "waits for" phrases, as its parts, for the page to say in its language."""
    for who, pattern in (("second-officer", _SECOND_OFFICER), ("mediator", _MEDIATOR)):
        if found := pattern.fullmatch(text):
            return {"who": who, "party": found["party"], "text": text}
    return {"who": None, "party": None, "text": text}


def observers_refused(problem: str | None) -> list[str]:
    """The observers named by the preview's TLP:RED problem (intel/markings.py), else none."""
    found = _RED_TO_OBSERVER.match(problem or "")
    return found["parties"].split(", ") if found else []


_TYPED = ("title", "summary", "observables", "threat_actors", "place", "lat", "lon", "place_name", "observed_at")
COMPOSE_DEFAULTS = dict.fromkeys((*_TYPED, "source_description"), "") | {
    "source_reliability": "F",
    "credibility": "6",
    "marking": str(Marking.AMBER),
    "releasable_to": [],
    "draft": False,
}


def compose_form(
    request: Request, caller: Caller, runtime: Runtime, *, form: dict | None = None, errors=(), status_code=200
) -> HTMLResponse:
    """The compose page: empty, or again as typed with what was wrong (nothing was stored)."""
    form = COMPOSE_DEFAULTS | (form or {})
    response = render(
        request,
        "intel_compose.html",
        caller,
        runtime,
        form=form,
        errors=list(errors),
        problems=problems_by_field(list(errors)),
        may_write=can_share_intel(caller.subject),
        **form_choices(caller, runtime),
        **audience_context(caller, runtime, form, ReportKind.REPORT),
    )
    response.status_code = status_code
    return response


@router.get("/intel/compose", response_class=HTMLResponse)
def compose_page(request: Request, caller: Caller = PageCallerDep, runtime: Runtime = Depends(get_runtime)):
    return compose_form(request, caller, runtime)


@router.get("/intel/audience", response_class=HTMLResponse)
def audience_fragment(
    request: Request,
    releasable_to: list[str] = Query(default=[], max_length=16),
    marking: Marking = Marking.AMBER,
    kind: ReportKind = ReportKind.REPORT,
    draft: bool = False,
    caller: Caller = PageCallerDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The audience preview alone, for htmx to swap in as the boxes are ticked."""
    form = {"releasable_to": releasable_to, "marking": str(marking), "draft": draft}
    return render(request, "_intel_audience.html", caller, runtime, **audience_context(caller, runtime, form, kind))


def readable_by_id(session: Session, subject: Subject, ids: set[uuid.UUID]) -> dict[uuid.UUID, IntelReport]:
    """Those of these reports the subject may read (through the one rule); the others are not there."""
    query = queries.readable_reports(session, subject=subject, filters=queries.ReportFilters())
    rows = session.execute(query.where(IntelReport.id.in_(sorted(ids)))).scalars() if ids else []
    return {r.id: r for r in rows}


def tearline_neighbours(session: Session, subject: Subject, links, report_id: uuid.UUID) -> tuple[list, list]:
    """The originals a tearline derives from, and the tearlines derived from a report, as far as readable."""
    linked = readable_by_id(session, subject, {i for x in links for i in (x.original_id, x.tearline_id)} - {report_id})
    return [linked[x.original_id] for x in links if x.original_id in linked], [
        linked[x.tearline_id] for x in links if x.tearline_id in linked
    ]


def tearline_prefill(detail, content: Content) -> dict:
    """A tearline starts as the original, for the analyst to strip down and widen."""
    return COMPOSE_DEFAULTS | {
        "title": detail.title,
        "summary": detail.summary,
        "source_reliability": str(detail.source_reliability),
        "credibility": str(detail.credibility),
        "observables": "\n".join(f"{kind} {value}" for kind, value in content.observables),
        "threat_actors": "\n".join(content.threat_actors),
        "marking": detail.marking,
        "releasable_to": list(detail.releasable_to),
    }


def report_view(
    request: Request,
    caller: Caller,
    session: Session,
    runtime: Runtime,
    report: IntelReport,
    *,
    tearline: dict | None = None,
    errors=(),
    status_code: int = 200,
) -> HTMLResponse:
    """The reading view of a report the caller may read (the caller checked)."""
    cell, subject = runtime.cell, caller.subject
    detail = report_detail(session, cell, subject, report)
    content = what_objects_say(detail.objects)
    derived_from, tearlines = tearline_neighbours(session, subject, detail.tearline_links, report.id)
    answers = [
        (report_read(cell, a), [] if a.status == Status.RETRACTED else queries.objects_of(session, a))
        for a in queries.answers_to(session, subject=subject, report=report)
    ]
    tearline = tearline or tearline_prefill(detail, content)
    response = render(
        request,
        "intel_report.html",
        caller,
        runtime,
        report=detail,
        content=content,
        objects_json=pretty(detail.objects),
        answers=answers,
        derived_from=derived_from,
        tearlines=tearlines,
        correlations=correlations_for(session, cell=cell, subject=subject, report=report),
        actions=report_actions(subject, report),
        waiting=waits_for(subject, detail),
        form=tearline,
        errors=list(errors),
        problems=problems_by_field(list(errors)),
        **form_choices(caller, runtime),
        **audience_context(caller, runtime, tearline, ReportKind.TEARLINE),
    )
    response.status_code = status_code
    return response


@router.get("/intel/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    report_id: uuid.UUID,
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    report = queries.readable_report(session, subject=caller.subject, report_id=report_id)
    return report_view(request, caller, session, runtime, report)


@dataclass(frozen=True)
class Waiting:
    """One report in a queue, with the original it was derived from where it is a tearline."""

    report: ReportRead
    content: Content
    original: ReportRead | None = None
    original_content: Content | None = None


def _waiting(session: Session, runtime: Runtime, subject: Subject, report: IntelReport) -> Waiting:
    cell = runtime.cell
    content = what_objects_say(queries.objects_of(session, report))
    links = queries.tearline_links(session, subject=subject, report=report)
    originals = readable_by_id(session, subject, {x.derived_from_id for x in links if x.answers_id == report.id})
    original = next(iter(originals.values()), None)
    if original is None:
        return Waiting(report_read(cell, report), content)
    original_content = what_objects_say(queries.objects_of(session, original))
    return Waiting(report_read(cell, report), content, report_read(cell, original), original_content)


@router.get("/intel/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    """The mediator's queue (tearlines first, beside their originals); a party's four-eyes queue."""
    subject = caller.subject

    def queue(filters: queries.ReportFilters) -> list[Waiting]:
        rows, _ = queries.report_page(session, subject=subject, filters=filters, cursor=None, limit=200)
        rows.sort(key=lambda r: r.kind != ReportKind.TEARLINE)  # tearlines first; stable: newest first within
        return [_waiting(session, runtime, subject, r) for r in rows]

    pending = queue(queries.ReportFilters(awaiting="mediator")) if can_review_intel(subject) else []
    mine = queries.ReportFilters(awaiting="second-officer", party=subject.party)
    second = queue(mine) if can_share_intel(subject) else []
    return render(
        request,
        "intel_review.html",
        caller,
        runtime,
        pending=pending,
        second=second,
        reviews=can_review_intel(subject),
        shares=can_share_intel(subject),
    )
