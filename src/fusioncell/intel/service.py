"""The intelligence desk's lifecycle: compose or upload, release (four eyes on TLP:RED), the mediator's
review, retraction, tearlines and answers. Never commits.

What a reader may see is in intel/queries.py; how objects are checked and stored, in intel/store.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fusioncell.access.policies import can_review_intel, can_share_intel
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Conflict, Forbidden, Invalid
from fusioncell.i18n import N_
from fusioncell.intel import compose
from fusioncell.intel.delivery import delivery_status, needs_second_officer
from fusioncell.intel.grading import grade_of_objects
from fusioncell.intel.markings import identity_id
from fusioncell.intel.models import IntelReport, ReportKind
from fusioncell.intel.queries import objects_of, readable_report
from fusioncell.intel.store import ReportEnvelope, invalid_objects, set_status, stamp_delivery, store_objects
from fusioncell.intel.validation import check_bundle
from fusioncell.ledger.service import record_change


@dataclass(frozen=True)
class Audience:
    """To whom and under which marking; whether it goes out now or stays a draft."""

    recipients: frozenset[str]
    marking: Marking = Marking.AMBER
    draft: bool = False


def _may_share(subject: Subject) -> None:
    if not can_share_intel(subject):
        raise Forbidden(N_("intelligence is shared by liaison officers, intelligence officers and observers"))


def _first_status(cell: CellDefinition, subject: Subject, kind: ReportKind, audience: Audience) -> Status:
    if audience.draft:
        return Status.DRAFT
    return delivery_status(cell, subject, kind=kind, marking=audience.marking, recipients=audience.recipients)


def _out(report: IntelReport, status: Status, subject: Subject, now: datetime) -> None:
    """The dates and names a status brings, when a stored report moves."""
    if status is Status.PENDING:
        report.submitted_at = now
    elif status is Status.RELEASED:
        report.released_at = now
    elif status is Status.DRAFT and needs_second_officer(report.marking):
        report.release_requested_by = subject.username
        report.release_requested_at = now


def _create(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    envelope: ReportEnvelope,
    objects: list[Any],
    audience: Audience,
    action: str,
    now: datetime,
) -> IntelReport:
    status = _first_status(cell, subject, envelope.kind, audience)
    envelope = ReportEnvelope(**{**envelope.__dict__, "status": status})
    stamp = None if audience.draft else (lambda report: stamp_delivery(report, subject.username))
    return store_objects(
        session, cell=cell, subject=subject, envelope=envelope, objects=objects, action=action, now=now, stamp=stamp
    )


def compose_report(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    content: compose.ReportContent,
    audience: Audience,
    source_description: str = "",
    now: datetime | None = None,
) -> IntelReport:
    _may_share(subject)
    now = now or utcnow()
    envelope = ReportEnvelope(
        title=content.title,
        summary=content.summary,
        recipients=audience.recipients,
        marking=audience.marking,
        source_reliability=str(content.source_reliability),
        credibility=str(content.credibility),
        source_description=source_description,
    )
    objects = compose.report_objects(content, now=now)
    return _create(
        session,
        cell=cell,
        subject=subject,
        envelope=envelope,
        objects=objects,
        audience=audience,
        action="intel-report-written",
        now=now,
    )


def import_bundle(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    bundle: Any,
    audience: Audience,
    title: str | None,
    source_reliability: str | None,
    credibility: str | None,
    allow_custom: bool = False,
    now: datetime | None = None,
) -> IntelReport:
    """A STIX bundle uploaded whole: every object checked, all stored or none."""
    _may_share(subject)
    objects, problems = check_bundle(bundle, allow_custom=allow_custom)
    if problems:
        raise invalid_objects(problems)
    if not objects:
        raise Invalid(N_("the bundle holds no objects"), details=[{"field": "bundle.objects", "problem": "empty"}])
    named = next((o.get("name") for o in objects if o.get("type") == "report" and o.get("name")), None)
    carried_reliability, carried_credibility = grade_of_objects(objects)
    envelope = ReportEnvelope(
        title=(title or named or "Uploaded STIX bundle")[:300],
        summary=next((o.get("description", "") for o in objects if o.get("type") == "report"), "") or "",
        recipients=audience.recipients,
        marking=audience.marking,
        source_reliability=source_reliability or str(carried_reliability),
        credibility=credibility or str(carried_credibility),
        allow_custom=allow_custom,
    )
    return _create(
        session,
        cell=cell,
        subject=subject,
        envelope=envelope,
        objects=objects,
        audience=audience,
        action="intel-bundle-imported",
        now=now or utcnow(),
    )


def _own_report(session: Session, subject: Subject, report_id: uuid.UUID) -> IntelReport:
    report = readable_report(session, subject=subject, report_id=report_id)
    if report.origin_party != subject.party:
        raise Forbidden(N_("only the author's party acts on its report"))
    _may_share(subject)
    return report


def _record(session: Session, report: IntelReport, subject: Subject, action: str) -> IntelReport:
    report.version += 1
    record_change(session, record=report, action=action, actor=subject.username, party=subject.party)
    return report


def release(
    session: Session, *, cell: CellDefinition, subject: Subject, report_id: uuid.UUID, now: datetime | None = None
) -> IntelReport:
    """A draft goes out, to the mediator's review first where that applies; TLP:RED asks a second officer."""
    now = now or utcnow()
    report = _own_report(session, subject, report_id)
    if report.status != Status.DRAFT:
        raise Conflict(N_("the report is {status}; only a draft is released"), status=report.status)
    if report.release_requested_by is not None:
        raise Conflict(
            N_("{release_requested_by} asked to release it already; a second officer approves it"),
            release_requested_by=report.release_requested_by,
        )
    status = delivery_status(
        cell, subject, kind=report.kind, marking=Marking(report.marking), recipients=frozenset(report.releasable_to)
    )
    report.returned_reason = None
    set_status(session, report=report, status=status)
    _out(report, status, subject, now)
    return _record(session, report, subject, "intel-release-asked" if status is Status.DRAFT else "intel-released")


def approve_as_second_officer(
    session: Session, *, cell: CellDefinition, subject: Subject, report_id: uuid.UUID, now: datetime | None = None
) -> IntelReport:
    """Four eyes on TLP:RED: another officer of the author's party lets it go."""
    now = now or utcnow()
    report = _own_report(session, subject, report_id)
    if report.status != Status.DRAFT or report.release_requested_by is None:
        raise Conflict(N_("nobody has asked to release this report"))
    if report.release_requested_by == subject.username:
        raise Forbidden(N_("a second officer approves: not the one who asked to release it"))
    status = delivery_status(
        cell,
        subject,
        kind=report.kind,
        marking=Marking(report.marking),
        recipients=frozenset(report.releasable_to),
        second_officer=True,
    )
    report.second_approved_by = subject.username
    set_status(session, report=report, status=status)
    _out(report, status, subject, now)
    return _record(session, report, subject, "intel-second-officer-approved")


def review(
    session: Session,
    *,
    subject: Subject,
    report_id: uuid.UUID,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> IntelReport:
    """The mediator lets a pending report reach its recipients, or returns it to its author with a reason."""
    report = readable_report(session, subject=subject, report_id=report_id)  # an unreadable one is missing
    if not can_review_intel(subject):
        raise Forbidden(N_("the mediator's liaison officers, supervisors and intelligence officers review releases"))
    if report.status != Status.PENDING:
        raise Conflict(N_("the report is {status}; only a pending one is reviewed"), status=report.status)
    if approve:
        report.approved_by = subject.username
        report.released_at = now or utcnow()
        set_status(session, report=report, status=Status.RELEASED)
        return _record(session, report, subject, "intel-approved")
    if not reason.strip():
        raise Invalid(N_("say why it is returned"), details=[{"field": "reason", "problem": "required"}])
    report.returned_reason = reason
    report.release_requested_by = report.release_requested_at = report.second_approved_by = None
    set_status(session, report=report, status=Status.DRAFT)
    return _record(session, report, subject, "intel-returned")


def retract(
    session: Session, *, subject: Subject, report_id: uuid.UUID, reason: str, now: datetime | None = None
) -> IntelReport:
    """Withdrawn: still listed to its readers with the reason; its objects are served no more."""
    report = _own_report(session, subject, report_id)
    if report.status not in (Status.PENDING, Status.RELEASED):
        raise Conflict(
            N_("the report is {status}; only a pending or released report is retracted"), status=report.status
        )
    report.retracted_at = now or utcnow()
    report.retraction_reason = reason
    set_status(session, report=report, status=Status.RETRACTED)
    return _record(session, report, subject, "intel-retracted")


def derive_tearline(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    original_id: uuid.UUID,
    content: compose.ReportContent,
    audience: Audience,
    now: datetime | None = None,
) -> IntelReport:
    """A sanitised version for a wider audience: a new report that waits for the mediator. The derived-from
    link is held under the original's audience, so the wider audience never learns the original exists."""
    now = now or utcnow()
    original = _own_report(session, subject, original_id)
    if original.status != Status.RELEASED or original.kind not in (ReportKind.REPORT, ReportKind.UPLOAD):
        raise Conflict(N_("a tearline is derived from a released report"))
    wider = audience.recipients - set(original.releasable_to) - {subject.party, cell.mediator.code}
    if not wider:
        raise Invalid(
            N_("a tearline is for readers the original does not reach; add a party"),
            details=[{"field": "releasable_to", "problem": "no party beyond the original's readers"}],
        )
    envelope = ReportEnvelope(
        title=content.title,
        summary=content.summary,
        recipients=audience.recipients,
        marking=audience.marking,
        kind=ReportKind.TEARLINE,
        source_reliability=str(content.source_reliability),
        credibility=str(content.credibility),
    )  # no trace of the original on the tearline itself: the link below carries it
    objects = compose.report_objects(content, now=now)
    tearline = _create(
        session,
        cell=cell,
        subject=subject,
        envelope=envelope,
        objects=objects,
        audience=Audience(audience.recipients, audience.marking, draft=False),
        action="intel-tearline-derived",
        now=now,
    )
    _link(session, cell=cell, subject=subject, original=original, tearline=tearline, objects=objects, now=now)
    return tearline


def _link(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    original: IntelReport,
    tearline: IntelReport,
    objects: list[dict],
    now: datetime,
) -> IntelReport:
    relationship = compose.derived_from_object(
        compose.answer_target(objects), compose.answer_target(objects_of(session, original)), now=now
    )
    envelope = ReportEnvelope(
        title=f"{tearline.title} is derived from {original.title}",
        recipients=frozenset(original.releasable_to),
        marking=Marking(original.marking),
        kind=ReportKind.TEARLINE_LINK,
        status=Status.RELEASED,
        derived_from_id=original.id,
        answers_id=tearline.id,
    )
    link = store_objects(
        session,
        cell=cell,
        subject=subject,
        envelope=envelope,
        objects=[relationship],
        action="intel-tearline-linked",
        now=now,
        stamp=lambda record: stamp_delivery(record, subject.username),
    )
    return link


def answer(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    report_id: uuid.UUID,
    kind: ReportKind,
    build: Any,
    now: datetime | None = None,
) -> IntelReport:
    """A sighting or an opinion on a report, released back along the report's own path: to every party
    that reads it (under its marking, through the same supervision)."""
    report = readable_report(session, subject=subject, report_id=report_id)  # an unreadable one is missing
    _may_share(subject)
    now = now or utcnow()
    if report.status != Status.RELEASED or report.kind not in (
        ReportKind.REPORT,
        ReportKind.TEARLINE,
        ReportKind.UPLOAD,
    ):
        raise Conflict(N_("only a released report is answered"))
    target = compose.answer_target(objects_of(session, report))
    answer_object = build(target, identity_id(cell, subject.party), now)
    readers = report.readers(cell.mediator.code)
    label = "Sighting" if kind is ReportKind.SIGHTING else "Opinion"
    envelope = ReportEnvelope(
        title=f"{label} on {report.title}"[:300],
        recipients=readers - {subject.party},
        marking=Marking(report.marking),
        kind=kind,
        answers_id=report.id,
        source_reliability=report.source_reliability,
        credibility=report.credibility,
    )
    return _create(
        session,
        cell=cell,
        subject=subject,
        envelope=envelope,
        objects=[answer_object],
        audience=Audience(envelope.recipients, envelope.marking),
        action=f"intel-{kind}-answered",
        now=now,
    )
