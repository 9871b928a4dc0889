"""Proposing, revising and approving the glossary's terms. Never commits.

The mediator's liaison officers, supervisors and diplomacy officers propose a term (version 1) and revise it
(a new version); every principal party of the cell approves each version, through its liaison officers or
diplomacy officers, like a joint statement. A version approved by every required party is agreed: the term
points at it, and it is the wording highlighted, until a later version is agreed in its turn. Every refusal
happens before anything is written, so a bad request changes nothing; every change enters the record in the
caller's transaction.

Who reads the glossary is the releasability rule's to say (access/rule.py), never this module's: a term is
the mediator's record, released to every other party of the cell, so the one rule lets every party read it.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Role, Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status, new_id
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid, NotFound
from fusioncell.glossary.models import LANGUAGES, GlossaryApproval, GlossaryTerm, GlossaryVersion, VersionState
from fusioncell.i18n import N_
from fusioncell.ledger.service import record_change

DESK = "diplomacy"  # the glossary is kept by the diplomatic desk's people, as joint statements are
MARKING = Marking.GREEN  # shared vocabulary of the cell's community, not for publication as such


@dataclass(frozen=True)
class Wording:
    """A version's content: the wording in each language and the other forms the highlighter matches."""

    wording: dict[str, str]
    variants: dict[str, list[str]]
    note: str = ""


def can_propose(subject: Subject) -> bool:
    """Propose and revise terms: the mediator's liaison officers, supervisors and diplomacy officers."""
    return subject.is_mediator and (
        Role.LIAISON in subject.roles or Role.SUPERVISOR in subject.roles or f"officer:{DESK}" in subject.roles
    )


def can_approve(subject: Subject, term: GlossaryTerm) -> bool:
    """Approve a term's versions: a required (principal) party's liaison officers and diplomacy officers."""
    return subject.party in term.required_parties and speaks_on_desk(subject, DESK)


def _invalid(field: str, template: str, **values) -> Invalid:
    """The one 422 shape, the problem at its field as the request body names it."""
    problem = template.format(**values)
    return Invalid(template, details=[{"field": f"body.{field}", "problem": problem, "type": "value_error"}], **values)


def _clean(content: Wording) -> Wording:
    """Trimmed wording in every language; variants trimmed, without blanks, repeats or the wording itself."""
    wording = {}
    for language in LANGUAGES:
        text = " ".join((content.wording.get(language) or "").split())
        if not text:
            raise _invalid(f"wording.{language}", N_("The {language} wording is empty."), language=language)
        wording[language] = text
    unknown = sorted(set(content.wording) - set(LANGUAGES)) + sorted(set(content.variants) - set(LANGUAGES))
    if unknown:
        raise _invalid(
            "wording", N_("Unknown language {language}; the glossary speaks en, ar and he."), language=unknown[0]
        )
    variants = {}
    for language in LANGUAGES:
        seen = {wording[language].casefold()}
        forms = []
        for form in content.variants.get(language, []):
            form = " ".join(form.split())
            if form and form.casefold() not in seen:
                seen.add(form.casefold())
                forms.append(form)
        variants[language] = forms
    return Wording(wording=wording, variants=variants, note=content.note.strip())


def _term_envelope(subject: Subject, cell: CellDefinition) -> dict:
    """The mediator's record, released to every other party of the cell: the glossary is read by all."""
    return {
        "origin_party": subject.party,
        "status": Status.RELEASED,
        "releasable_to": cell.party_codes - {subject.party},
        "marking": MARKING,
    }


def _readers(term: GlossaryTerm) -> frozenset[str]:
    return frozenset({term.origin_party, *term.releasable_to})


def _under(term: GlossaryTerm, party: str) -> dict:
    """A row under a term (a version, an approval) is read by exactly the term's readers."""
    return {
        "origin_party": party,
        "status": Status.RELEASED,
        "releasable_to": _readers(term) - {party},
        "marking": term.marking,
    }


def _new_version(term: GlossaryTerm, *, number: int, content: Wording, author: str) -> GlossaryVersion:
    return GlossaryVersion(
        term_id=term.id,
        number=number,
        wording=dict(content.wording),
        variants={lang: list(forms) for lang, forms in content.variants.items()},
        note=content.note,
        created_by=author,
        **_under(term, term.origin_party),
    )


# Reads: every term through the releasability rule; what hangs under it shares its readers.


def readable_term(session: Session, *, subject: Subject, term_id: uuid.UUID) -> GlossaryTerm:
    term = session.execute(
        select(GlossaryTerm).where(GlossaryTerm.id == term_id, readable(subject, GlossaryTerm))
    ).scalar_one_or_none()
    if term is None:
        raise NotFound()
    return term


def list_terms(session: Session, *, subject: Subject, after: str | None = None, limit: int = 500) -> list[GlossaryTerm]:
    """By key; the last key of a page is the cursor of the next."""
    query = select(GlossaryTerm).where(readable(subject, GlossaryTerm))
    if after is not None:
        query = query.where(GlossaryTerm.key > after)
    return list(session.execute(query.order_by(GlossaryTerm.key).limit(limit)).scalars())


def versions_of(session: Session, terms: list[GlossaryTerm]) -> dict[uuid.UUID, list[GlossaryVersion]]:
    """Every version of each term, oldest first, in one query."""
    found: dict[uuid.UUID, list[GlossaryVersion]] = {t.id: [] for t in terms}
    if terms:
        query = select(GlossaryVersion).where(GlossaryVersion.term_id.in_(list(found)))
        for version in session.execute(query.order_by(GlossaryVersion.term_id, GlossaryVersion.number)).scalars():
            found[version.term_id].append(version)
    return found


def approvals_of(session: Session, terms: list[GlossaryTerm]) -> dict[uuid.UUID, list[GlossaryApproval]]:
    found: dict[uuid.UUID, list[GlossaryApproval]] = {t.id: [] for t in terms}
    if terms:
        query = select(GlossaryApproval).where(GlossaryApproval.term_id.in_(list(found)))
        order = (GlossaryApproval.term_id, GlossaryApproval.version_number, GlossaryApproval.party)
        for approval in session.execute(query.order_by(*order)).scalars():
            found[approval.term_id].append(approval)
    return found


def version_state(term: GlossaryTerm, version: GlossaryVersion) -> VersionState:
    if version.number == term.agreed_version:
        return VersionState.AGREED
    if version.number == term.latest_version:
        return VersionState.AWAITING
    return VersionState.SUPERSEDED if version.agreed_at is not None else VersionState.REPLACED


def missing_approvals(term: GlossaryTerm, approvals: list[GlossaryApproval]) -> frozenset[str]:
    """The required parties yet to approve the latest version (none once it is agreed)."""
    if term.agreed_version == term.latest_version:
        return frozenset()
    approved = {a.party for a in approvals if a.version_number == term.latest_version}
    return frozenset(term.required_parties) - approved


def agreed_versions(session: Session, *, subject: Subject) -> list[tuple[GlossaryTerm, GlossaryVersion]]:
    """The agreed version of every term the subject may read: what the highlighter marks."""
    query = (
        select(GlossaryTerm, GlossaryVersion)
        .join(GlossaryVersion, GlossaryVersion.term_id == GlossaryTerm.id)
        .where(GlossaryVersion.number == GlossaryTerm.agreed_version)
        .where(readable(subject, GlossaryTerm), readable(subject, GlossaryVersion))
        .order_by(GlossaryTerm.key)
    )
    return [(term, version) for term, version in session.execute(query).all()]


def glossary_stamp(session: Session) -> tuple:
    """A cheap fingerprint of the glossary's state: it changes whenever a term is proposed, revised or agreed
    (each such change re-records the term, so its ledger index grows), and differs between databases' rows."""
    row = session.execute(
        select(
            func.count(GlossaryTerm.id),
            func.max(GlossaryTerm.ledger_index),
            func.max(GlossaryTerm.created_at),
            func.max(GlossaryTerm.agreed_at),
        )
    ).one()
    return tuple(row)


# Writes.


def propose_term(
    session: Session, *, cell: CellDefinition, subject: Subject, key: str, content: Wording
) -> GlossaryTerm:
    """Version 1 of a new term, read at once by every party; agreed once every principal approves it."""
    if not can_propose(subject):
        raise Forbidden(
            N_("The glossary is edited by the mediator's liaison officers, supervisors and diplomacy officers.")
        )
    content = _clean(content)
    key = key.strip()
    if session.execute(select(GlossaryTerm.id).where(GlossaryTerm.key == key)).first() is not None:
        raise Conflict(N_("A term with the key {key} exists already; revise it instead."), key=key)
    term = GlossaryTerm(
        id=new_id(),
        key=key,
        required_parties=frozenset(p.code for p in cell.principals),
        latest_version=1,
        agreed_version=None,
        created_by=subject.username,
        **_term_envelope(subject, cell),
    )
    session.add(term)
    record_change(session, record=term, action="glossary-term-proposed", actor=subject.username, party=subject.party)
    version = _new_version(term, number=1, content=content, author=subject.username)
    session.add(version)
    record_change(
        session, record=version, action="glossary-version-proposed", actor=subject.username, party=subject.party
    )
    return term


def revise_term(
    session: Session, *, cell: CellDefinition, subject: Subject, term_id: uuid.UUID, content: Wording
) -> GlossaryVersion:
    """A new version to approve; the agreed version, if any, stays agreed (and highlighted) meanwhile."""
    term = readable_term(session, subject=subject, term_id=term_id)
    if not can_propose(subject) or term.origin_party != subject.party:
        raise Forbidden(
            N_("The glossary is edited by the mediator's liaison officers, supervisors and diplomacy officers.")
        )
    content = _clean(content)
    latest = versions_of(session, [term])[term.id][-1]
    if (latest.wording, latest.variants) == (content.wording, content.variants):
        raise _invalid(
            "wording",
            N_("Version {version} says this already: change the wording or the variants."),
            version=latest.number,
        )
    number = term.latest_version + 1
    version = _new_version(term, number=number, content=content, author=subject.username)
    session.add(version)
    record_change(
        session, record=version, action="glossary-version-proposed", actor=subject.username, party=subject.party
    )
    term.latest_version = number
    term.version += 1
    record_change(session, record=term, action="glossary-term-revised", actor=subject.username, party=subject.party)
    return version


def approve_term(
    session: Session, *, cell: CellDefinition, subject: Subject, term_id: uuid.UUID, version: int
) -> GlossaryApproval:
    """The subject's party approves one exact version; the last required approval makes it the agreed one."""
    term = readable_term(session, subject=subject, term_id=term_id)
    if subject.party not in term.required_parties:
        raise Forbidden(N_("{party} is not a party whose approval the glossary needs."), party=subject.party)
    if not speaks_on_desk(subject, DESK):
        raise Forbidden(N_("A party approves the glossary through its liaison officers and diplomacy officers."))
    if not 1 <= version <= term.latest_version:
        raise _invalid("version", N_("The term has versions 1 to {latest}."), latest=term.latest_version)
    if version != term.latest_version:
        raise Conflict(
            N_("Version {version} is not the latest; approve version {latest}."),
            version=version,
            latest=term.latest_version,
        )
    if term.agreed_version == version:
        raise Conflict(N_("Version {version} is agreed already."), version=version)
    approvals = approvals_of(session, [term])[term.id]
    if any(a.version_number == version and a.party == subject.party for a in approvals):
        raise Conflict(N_("{party} has approved version {version} already."), party=subject.party, version=version)
    approval = GlossaryApproval(
        term_id=term.id,
        version_number=version,
        party=subject.party,
        approved_by=subject.username,
        created_by=subject.username,
        **_under(term, subject.party),
    )
    session.add(approval)
    record_change(
        session, record=approval, action="glossary-version-approved", actor=subject.username, party=subject.party
    )
    if not missing_approvals(term, [*approvals, approval]):
        now = utcnow()
        agreed = versions_of(session, [term])[term.id][version - 1]
        agreed.agreed_at = now
        agreed.version += 1
        record_change(
            session, record=agreed, action="glossary-version-agreed", actor=subject.username, party=subject.party
        )
        term.agreed_version = version
        term.agreed_at = now
        term.version += 1
        record_change(session, record=term, action="glossary-term-agreed", actor=subject.username, party=subject.party)
    return approval
