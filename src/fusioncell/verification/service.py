"""Declaring force postures and filing inspections. Never commits.

Both are checked against the 1974 limits of their zones (verification/limits.py) when filed, and released at
once: a declaration to the plenary by default (as incidents are), an inspection likewise. The withdrawal
tracker is in withdrawals.py, what is listed in queries.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.policies import can_declare_posture, can_inspect
from fusioncell.access.rule import readable
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.types import utcnow
from fusioncell.errors import Forbidden, Phrase
from fusioncell.i18n import N_
from fusioncell.incidents.service import default_recipients, invalid
from fusioncell.ledger.service import record_change
from fusioncell.verification.limits import check, limited_zones
from fusioncell.verification.models import COUNTS, Inspection, Position, PostureDeclaration, Result

DESK = "deescalation"  # the desk whose officers declare and answer for their forces
PREFIX = "body."  # problems are named as the API's request body names them, one naming for every 422


@dataclass(frozen=True)
class Declaration:
    """A party's counts in one zone as of a date; shape validated at the edge (schemas.PostureCreate)."""

    zone: str
    as_of: datetime
    troops: int = 0
    tanks: int = 0
    artillery: int = 0
    heavy_artillery: int = 0
    missiles: int = 0
    remarks: str | None = None
    releasable_to: frozenset[str] | None = None  # None: the plenary (the mediator and the principals)
    marking: Marking = Marking.AMBER


@dataclass(frozen=True)
class Observation:
    """One finding of an inspection: a zone, what was counted there (None: not counted), the inspector's
    word on it."""

    zone: str
    observed: dict[str, int | None]
    compliant: bool
    remark: str | None = None


@dataclass(frozen=True)
class InspectionReport:
    zones: tuple[str, ...]
    inspected_at: datetime
    findings: tuple[Observation, ...]
    result: Result
    summary: str
    position_id: uuid.UUID | None = None
    declaration_id: uuid.UUID | None = None
    releasable_to: frozenset[str] | None = None
    marking: Marking = Marking.AMBER


def recipient_problems(cell: CellDefinition, releasable_to: frozenset[str] | None) -> dict[str, str]:
    unknown = sorted((releasable_to or frozenset()) - cell.party_codes)
    if not unknown:
        return {}
    return {"releasable_to": f"unknown parties {', '.join(unknown)} (parties: {', '.join(sorted(cell.party_codes))})"}


def _zone_problem(cell: CellDefinition, code: str) -> str | None:
    known = {zone.code for zone in limited_zones(cell)}
    if code in known:
        return None
    return f"unknown zone {code!r}: one of {', '.join(sorted(known))} (the zones the agreement limits)"


def declaration_problems(cell: CellDefinition, subject: Subject, declaration: Declaration) -> dict[str, str]:
    """What in a well-formed declaration does not fit: an unknown zone, another party's band, unknown
    recipients."""
    problems = recipient_problems(cell, declaration.releasable_to)
    unknown = _zone_problem(cell, declaration.zone)
    if unknown:
        return problems | {"zone": unknown}
    zone = cell.zone(declaration.zone)
    if zone.applies_to is not None and zone.applies_to != subject.party:
        problems["zone"] = Phrase(
            N_("{zone} binds {applies_to}'s forces: a party declares only its own bands"),
            zone=zone.names.en,
            applies_to=zone.applies_to,
        )
    return problems


def declare_posture(
    session: Session, *, cell: CellDefinition, subject: Subject, declaration: Declaration, now: datetime | None = None
) -> PostureDeclaration:
    """Record a declaration with what the server finds against its zone's limits (over-limit flagged)."""
    if not can_declare_posture(subject, DESK):
        raise Forbidden(N_("force postures are declared by a principal's liaison or de-escalation officers"))
    problems = declaration_problems(cell, subject, declaration)
    if problems:
        raise invalid(problems, prefix=PREFIX)
    counts = {name: getattr(declaration, name) for name in COUNTS}
    findings = check(cell.zone(declaration.zone).limits, counts)
    recipients = declaration.releasable_to
    posture = PostureDeclaration(
        zone=declaration.zone,
        as_of=declaration.as_of,
        **counts,
        remarks=declaration.remarks,
        findings=findings,
        over_limit=any(f["over"] for f in findings),
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now or utcnow(),
        marking=str(declaration.marking),
        releasable_to=(recipients if recipients is not None else default_recipients(cell, subject.party))
        - {subject.party},
        status=Status.RELEASED,
    )
    session.add(posture)
    record_change(session, record=posture, action="posture-declared", actor=subject.username, party=subject.party)
    return posture


def inspection_problems(
    session: Session, *, cell: CellDefinition, subject: Subject, report: InspectionReport
) -> dict[str, str]:
    """Unknown zones, findings outside the zones inspected, records cited the inspector may not read."""
    problems = recipient_problems(cell, report.releasable_to)
    for i, code in enumerate(report.zones):
        unknown = _zone_problem(cell, code)
        if unknown:
            problems[f"zones.{i}"] = unknown
    for i, finding in enumerate(report.findings):
        if finding.zone not in report.zones:
            problems[f"findings.{i}.zone"] = Phrase(N_("{zone!r} is not among the zones inspected"), zone=finding.zone)
    cited = (
        ("position_id", Position, report.position_id),
        ("declaration_id", PostureDeclaration, report.declaration_id),
    )
    for name, model, record_id in cited:
        if record_id is not None and not _can_cite(session, subject, model, record_id):
            problems[name] = Phrase(
                N_("no {record_kind} your party may read: {record_id}"),
                record_kind=model.record_kind.replace("-", " "),
                record_id=record_id,
            )
    return problems


def _can_cite(session: Session, subject: Subject, model, record_id: uuid.UUID) -> bool:
    query = select(model.id).where(model.id == record_id, readable(subject, model))
    return session.execute(query).scalar_one_or_none() is not None


def file_inspection(
    session: Session, *, cell: CellDefinition, subject: Subject, report: InspectionReport, now: datetime | None = None
) -> Inspection:
    """An observer's report. Counts over a zone's limits make their finding a violation, and so the result,
    whatever the inspector marked: the check is the agreement's, not the reporter's."""
    if not can_inspect(subject):
        raise Forbidden(N_("inspections are filed by observers (UNDOF's Observer Group Golan)"))
    problems = inspection_problems(session, cell=cell, subject=subject, report=report)
    if problems:
        raise invalid(problems, prefix=PREFIX)
    findings = []
    for finding in report.findings:
        observed = {name: finding.observed.get(name) for name in COUNTS}
        over = [
            {"limit": f["limit"], "observed": f["declared"], "allowed": f["allowed"]}
            for f in check(cell.zone(finding.zone).limits, observed)
            if f["over"]
        ]
        findings.append(
            {
                "zone": finding.zone,
                "observed": observed,
                "compliant": finding.compliant and not over,
                "remark": finding.remark,
                "over": over,
            }
        )
    violated = report.result == Result.VIOLATION or not all(f["compliant"] for f in findings)
    recipients = report.releasable_to
    inspection = Inspection(
        zones=frozenset(report.zones),
        inspected_at=report.inspected_at,
        position_id=report.position_id,
        declaration_id=report.declaration_id,
        findings=findings,
        reported_result=str(report.result),
        result=str(Result.VIOLATION if violated else report.result),
        summary=report.summary,
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now or utcnow(),
        marking=str(report.marking),
        releasable_to=(recipients if recipients is not None else default_recipients(cell, subject.party))
        - {subject.party},
        status=Status.RELEASED,
    )
    session.add(inspection)
    record_change(session, record=inspection, action="inspection-filed", actor=subject.username, party=subject.party)
    return inspection
