"""The joint statements' pages: the list (GET /statements), the editor (GET /statements/{id}: the text per
language side by side, any two versions compared paragraph by paragraph, comments per paragraph, and the
approval panel), and a printable page (GET /statements/{id}/print) of the text and its signatures.

Every read goes through the service's `readable_statement` or the releasability filter, so a statement the
caller may not read answers the 404 of a missing one. What the panel offers (sign, revise, publish) is a
hint for the eye; the service decides, and its refusals are the page's error. The forms' handlers are in
page_actions.py; this router carries them, so the app wires one router for the statements' pages.
"""

import uuid
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from fusioncell.access.dependencies import Caller, PageCallerDep
from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.subjects import Subject
from fusioncell.diplomacy import page_actions, service
from fusioncell.diplomacy.diff import paragraph_diff
from fusioncell.diplomacy.models import (
    Statement,
    StatementComment,
    StatementSignature,
    StatementStage,
    StatementVersion,
)
from fusioncell.runtime import Runtime, SessionDep, get_runtime
from fusioncell.web.pages import render

router = APIRouter(include_in_schema=False)
# The forms' handlers (page_actions.py), on this router: the app wires one router for the statements' pages.
router.post("/statements/{statement_id}/sign")(page_actions.sign)
router.post("/statements/{statement_id}/comments")(page_actions.comment)
router.post("/statements/{statement_id}/versions")(page_actions.revise)
router.post("/statements/{statement_id}/publish")(page_actions.publish)

DESK = "diplomacy"
LANGUAGES = ("en", "ar", "he")  # the cell's working languages, in the order the columns show them
RIGHT_TO_LEFT = frozenset({"ar", "he"})
LIST_SIZE = 200


@dataclass(frozen=True)
class PartyApproval:
    """One required party in the approval panel, for the version shown."""

    party: str
    state: str  # signed / not signed / voided (its signature was of an earlier version, voided by a newer one)
    signature: StatementSignature | None = None


@dataclass
class StatementView:
    """Everything the editor and the printable page show of one statement, as its caller may see it."""

    statement: Statement
    versions: list[StatementVersion]
    shown: StatementVersion  # the version whose text is shown
    languages: list[str]
    rows: list[list[str]]  # paragraph rows (paragraph n is rows[n - 1]): one cell per language
    approvals: list[PartyApproval]
    comments: dict[int, list[StatementComment]] = field(default_factory=dict)  # paragraph → on the version shown
    may_sign: bool = False
    may_comment: bool = False
    may_revise: bool = False
    may_publish: bool = False


def languages_of(texts: dict[str, str]) -> list[str]:
    return [lang for lang in LANGUAGES if lang in texts] + sorted(set(texts) - set(LANGUAGES))


def text_rows(texts: dict[str, str], languages: list[str]) -> list[list[str]]:
    """The paragraphs of each language aligned by position (a missing one is blank)."""
    split = [service.paragraphs(texts.get(lang, "")) for lang in languages]
    return [[column[i] if i < len(column) else "" for column in split] for i in range(max(map(len, split), default=0))]


def approvals_for(statement: Statement, signatures: list[StatementSignature], number: int) -> list[PartyApproval]:
    """Each required party's standing on version `number`: its live signature, else its latest voided one."""
    approvals = []
    for party in sorted(statement.required_parties):
        own = [s for s in signatures if s.party == party and s.version_number <= number]
        live = next((s for s in own if s.version_number == number and not s.void), None)
        if live is not None:
            approvals.append(PartyApproval(party, "signed", live))
        elif own and own[-1].void:
            approvals.append(PartyApproval(party, "voided", own[-1]))
        else:
            approvals.append(PartyApproval(party, "not signed"))
    return approvals


def signed_parties(statement: Statement, signatures: list[StatementSignature]) -> list[str]:
    approvals = approvals_for(statement, signatures, statement.latest_version)
    return [a.party for a in approvals if a.state == "signed"]


def statement_view(session: Session, subject: Subject, statement: Statement, number: int | None) -> StatementView:
    versions = service.versions_of(session, statement)
    latest = versions[-1]
    shown = next((v for v in versions if v.number == number), latest)
    languages = languages_of(shown.texts)
    approvals = approvals_for(statement, service.signatures_of(session, statement), shown.number)
    comments: dict[int, list[StatementComment]] = {}
    for comment in service.comments_of(session, statement):
        if comment.version_number == shown.number:
            comments.setdefault(comment.paragraph, []).append(comment)
    drafting = statement.stage == StatementStage.DRAFTING
    own = next((a for a in approvals if a.party == subject.party), None)
    chairs = drafting and service.can_draft(subject) and statement.origin_party == subject.party
    return StatementView(
        statement=statement,
        versions=versions,
        shown=shown,
        languages=languages,
        rows=text_rows(shown.texts, languages),
        approvals=approvals,
        comments=comments,
        may_sign=drafting
        and speaks_on_desk(subject, DESK)
        and shown is latest
        and own is not None
        and own.state != "signed",
        may_comment=drafting and speaks_on_desk(subject, DESK),
        may_revise=chairs,
        may_publish=chairs and shown is latest and all(a.state == "signed" for a in approvals),
    )


def comparison(view: StatementView, old: int | None, new: int | None) -> dict | None:
    """The paragraph diff of two versions per language (`?from=&to=`), by default the last two."""
    numbers = [v.number for v in view.versions]
    if len(numbers) < 2 and old is None:
        return None
    new = new if new in numbers else numbers[-1]
    old = old if old in numbers else max([n for n in numbers if n < new], default=numbers[0])
    first = next(v for v in view.versions if v.number == old)
    second = next(v for v in view.versions if v.number == new)
    languages = languages_of(first.texts | second.texts)
    per_language = {lang: paragraph_diff(first.texts.get(lang, ""), second.texts.get(lang, "")) for lang in languages}
    return {"old": old, "new": new, "languages": languages, "diffs": per_language}


def error_placed(view: StatementView, form: str) -> bool:
    """Whether the refused form is on the page, to show its error beside it (else the page shows it on top)."""
    if form == "sign":
        return True  # the approval panel shows it, with the form or without
    if form == "revise":
        return view.may_revise
    number = form.removeprefix("comment-")
    return form.startswith("comment-") and view.may_comment and number.isdigit() and 1 <= int(number) <= len(view.rows)


def render_statement(
    request: Request,
    caller: Caller,
    runtime: Runtime,
    session: Session,
    statement: Statement,
    *,
    version: int | None = None,
    old: int | None = None,
    new: int | None = None,
    error: str | None = None,
    error_form: str = "",
    typed: dict | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The editor; a refused form comes back here with its error beside it (error_form names the form)."""
    view = statement_view(session, caller.subject, statement, version)
    response = render(
        request,
        "statement.html",
        caller,
        runtime,
        view=view,
        statement=statement,
        compare=comparison(view, old, new),
        rtl=RIGHT_TO_LEFT,
        error=error,
        error_form=error_form,
        error_placed=error_placed(view, error_form),
        typed=typed or {},
    )
    response.status_code = status
    return response


@router.get("/statements", response_class=HTMLResponse)
def statements_page(
    request: Request,
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    statements = service.list_statements(session, subject=caller.subject, limit=LIST_SIZE)
    rows = [(s, signed_parties(s, service.signatures_of(session, s))) for s in statements]
    return render(request, "statements.html", caller, runtime, rows=rows, list_size=LIST_SIZE)


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
def statement_page(
    statement_id: uuid.UUID,
    request: Request,
    version: int | None = Query(default=None, ge=1),
    old: int | None = Query(default=None, alias="from", ge=1),
    new: int | None = Query(default=None, alias="to", ge=1),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    statement = service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    return render_statement(request, caller, runtime, session, statement, version=version, old=old, new=new)


@router.get("/statements/{statement_id}/print", response_class=HTMLResponse)
def statement_print_page(
    statement_id: uuid.UUID,
    request: Request,
    version: int | None = Query(default=None, ge=1),
    caller: Caller = PageCallerDep,
    session: Session = SessionDep,
    runtime: Runtime = Depends(get_runtime),
):
    statement = service.readable_statement(session, subject=caller.subject, statement_id=statement_id)
    view = statement_view(session, caller.subject, statement, version)
    return render(request, "statement_print.html", caller, runtime, view=view, statement=statement, rtl=RIGHT_TO_LEFT)
