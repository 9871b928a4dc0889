"""Storing STIX objects under one envelope: checked whole, marked, stored at once or not at all.

Every way objects enter the desk — a composed report, an uploaded bundle, a TAXII POST, a tearline, a
sighting or opinion — ends in `store_objects`. It refuses the lot if any object is bad (nothing is half
imported), writes the envelope into each object as STIX says it (the TLP 2.0 marking, a REL TO statement
naming every reader, the author party's identity as `created_by_ref` where the object has none), stores
the objects with one bulk insert, derives the keys reports correlate by, and records the report.
Never commits.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking, Status
from fusioncell.db.bulk import insert_rows
from fusioncell.db.types import utcnow
from fusioncell.errors import Invalid
from fusioncell.i18n import N_
from fusioncell.intel import keys as correlation_keys
from fusioncell.intel.collections import collection_of_readers
from fusioncell.intel.markings import (
    TLP_BY_ID,
    audience_problem,
    identity_id,
    rel_to_definition,
    tlp_marking_id,
)
from fusioncell.intel.models import IntelKey, IntelObject, IntelReport, ReportKind
from fusioncell.intel.timestamps import stix_version_of
from fusioncell.intel.validation import ObjectProblem, check_objects
from fusioncell.ledger.service import record_change

# Objects that name no author: observables (SCOs) are facts, not claims; marking definitions mark.
_UNAUTHORED = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
        "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
        "user-account", "windows-registry-key", "x509-certificate", "marking-definition", "extension-definition",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ReportEnvelope:
    """What the author decides about a report: to whom, under which marking, graded how."""

    title: str
    recipients: frozenset[str]  # the parties it is released to (the author and the mediator read it anyway)
    marking: Marking = Marking.AMBER
    summary: str = ""
    kind: ReportKind = ReportKind.REPORT
    source_reliability: str = "F"
    credibility: str = "6"
    source_description: str = ""
    status: Status = Status.DRAFT
    derived_from_id: uuid.UUID | None = None
    answers_id: uuid.UUID | None = None
    allow_custom: bool = False


def invalid_objects(problems: list[ObjectProblem]) -> Invalid:
    """The one error shape, one detail per problem at `objects[<index>].<field>`."""
    details = [
        {
            "field": f"objects[{p.index}]" + (f".{p.field}" if p.field else "") if p.index >= 0 else "bundle",
            "id": p.id,
            "problem": p.problem,
            "type": "value_error",
        }
        for p in problems
    ]
    shown = "; ".join(f"{d['field']}: {d['problem']}" for d in details[:5])
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return Invalid(
        N_("{count} problem(s); nothing was stored: {shown}{more}"),
        count=len(details),
        shown=shown,
        more=more,
        details=details,
    )


def readers_of(cell: CellDefinition, subject: Subject, recipients: frozenset[str]) -> frozenset[str]:
    return frozenset({subject.party, cell.mediator.code} | set(recipients))


def check_envelope(cell: CellDefinition, subject: Subject, envelope: ReportEnvelope) -> None:
    """The audience exists and the marking does not contradict it."""
    unknown = sorted(envelope.recipients - cell.party_codes)
    if unknown:
        raise Invalid(
            N_("unknown party {unknown} (parties: {party_codes})"),
            unknown=", ".join(unknown),
            party_codes=", ".join(sorted(cell.party_codes)),
            details=[
                {"field": "releasable_to", "problem": f"unknown party {', '.join(unknown)}", "type": "value_error"}
            ],
        )
    problem = audience_problem(cell, envelope.marking, readers_of(cell, subject, envelope.recipients))
    if problem:
        raise Invalid(problem, details=[{"field": "marking", "problem": problem, "type": "value_error"}])


def _marking_problems(objects: list[dict], marking: Marking) -> list[ObjectProblem]:
    """An object already marked with another TLP level than the envelope's contradicts it."""
    problems = []
    for index, obj in enumerate(objects):
        for ref in obj.get("object_marking_refs") or ():
            found = TLP_BY_ID.get(ref)
            if found is not None and found is not marking:
                problems.append(
                    ObjectProblem(
                        index, obj.get("id"), "object_marking_refs", f"marked {found} but released as {marking}"
                    )
                )
    return problems


def _marked(obj: dict, author_identity: str, markings: list[str]) -> dict:
    """The object as served: the envelope's markings added, the author named where the object names none."""
    if obj["type"] in ("marking-definition", "extension-definition"):
        return obj
    out = dict(obj)
    own = out.get("object_marking_refs")
    out["object_marking_refs"] = (
        markings + [r for r in own if r not in TLP_BY_ID and r not in markings] if own else markings
    )
    if "created_by_ref" not in out and obj["type"] not in _UNAUTHORED:
        out["created_by_ref"] = author_identity
    return out


def store_objects(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    envelope: ReportEnvelope,
    objects: list[Any],
    action: str,
    now: datetime | None = None,
    stamp: Callable[[IntelReport], None] | None = None,
    checked: bool = False,
) -> IntelReport:
    """Check every object (unless the caller just did: `checked`), then store the report and all its
    objects, or raise and store nothing. `stamp` sets what the status brings (dates, names) before the
    report is recorded."""
    now = now or utcnow()
    check_envelope(cell, subject, envelope)
    problems = [] if checked else check_objects(objects, allow_custom=envelope.allow_custom)
    if not problems:
        problems = _marking_problems(objects, envelope.marking)
    if problems:
        raise invalid_objects(problems)
    readers = readers_of(cell, subject, envelope.recipients)
    recipients = frozenset(envelope.recipients) - {subject.party}
    report_object = next((o for o in objects if o["type"] == "report"), None)
    report = IntelReport(
        kind=envelope.kind,
        title=envelope.title,
        summary=envelope.summary,
        stix_id=None if report_object is None else report_object["id"],
        collection=collection_of_readers(cell, readers),
        source_reliability=envelope.source_reliability,
        credibility=envelope.credibility,
        source_description=envelope.source_description,
        derived_from_id=envelope.derived_from_id,
        answers_id=envelope.answers_id,
        origin_party=subject.party,
        created_by=subject.username,
        created_at=now,
        status=envelope.status,
        releasable_to=recipients,
        marking=envelope.marking,
    )
    session.add(report)
    session.flush()
    _insert_objects(session, cell=cell, report=report, objects=objects, readers=readers, now=now)
    _insert_keys(session, report=report, objects=objects, at=now)
    if stamp is not None:
        stamp(report)
    record_change(session, record=report, action=action, actor=subject.username, party=subject.party)
    return report


def _insert_objects(
    session: Session, *, cell: CellDefinition, report: IntelReport, objects: list[dict], readers, now: datetime
) -> None:
    markings = [tlp_marking_id(Marking(report.marking)), rel_to_definition(readers)["id"]]
    author_identity = identity_id(cell, report.origin_party)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    stored = stored_versions(session, report.origin_party, {o["id"] for o in objects})
    known_before = {stix_id for stix_id, _ in stored}
    added_at = _first_free_moment(session, now)
    rows, newest = [], {}
    for obj in objects:
        if TLP_BY_ID.get(obj["id"]) is not None:
            continue  # the official TLP definitions are the cell's to serve, not the uploader's
        version = stix_version_of(obj, added_at)
        if (obj["id"], version) in stored:
            continue  # the same version again (a client retrying): stored once
        stored.add((obj["id"], version))
        body = dumps(_marked(obj, author_identity, markings))
        rows.append(
            [
                report.id,
                obj["id"],
                obj["type"],
                obj.get("spec_version", "2.1"),
                version,
                True,
                report.collection,
                added_at,
                body,
                hashlib.sha256(body.encode()).hexdigest(),
                report.origin_party,
                str(report.status),
                report.releasable_to,
            ]
        )
        newest[obj["id"]] = max(version, newest.get(obj["id"], version))
        added_at += timedelta(microseconds=1)  # distinct date_added per object: TAXII's added_after is exclusive
    if not rows:
        return
    # Only ids the author had stored before have older versions to supersede (and may have newer ones).
    _supersede(session, report.origin_party, {i: v for i, v in newest.items() if i in known_before})
    latest_stored = _latest_stored(session, report.origin_party, known_before)
    for row in rows:
        stix_id, version = row[1], row[4]
        row[5] = version == newest[stix_id] and version > latest_stored.get(stix_id, "")
    insert_rows(session.connection(), IntelObject.__table__, _OBJECT_COLUMNS, [tuple(row) for row in rows])


_OBJECT_COLUMNS = (
    "report_id",
    "stix_id",
    "stix_type",
    "spec_version",
    "version",
    "is_latest",
    "collection",
    "added_at",
    "body",
    "body_sha256",
    "origin_party",
    "status",
    "releasable_to",
)


def stored_versions(session: Session, origin: str, ids: set[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    id_list = sorted(ids)
    for start in range(0, len(id_list), 500):
        rows = session.execute(
            select(IntelObject.stix_id, IntelObject.version).where(
                IntelObject.origin_party == origin, IntelObject.stix_id.in_(id_list[start : start + 500])
            )
        )
        found.update((stix_id, version) for stix_id, version in rows)
    return found


def _latest_stored(session: Session, origin: str, ids: set[str]) -> dict[str, str]:
    """The newest stored version of each of the author's ids that is still the latest (after _supersede)."""
    if not ids:
        return {}
    rows = session.execute(
        select(IntelObject.stix_id, IntelObject.version).where(
            IntelObject.origin_party == origin, IntelObject.stix_id.in_(sorted(ids)), IntelObject.is_latest.is_(True)
        )
    )
    return {stix_id: version for stix_id, version in rows}


def _supersede(session: Session, origin: str, newest: dict[str, str]) -> None:
    """Older versions of the author's objects stop being the latest where a newer one arrives."""
    for stix_id, version in newest.items():
        session.execute(
            update(IntelObject)
            .where(
                IntelObject.origin_party == origin,
                IntelObject.stix_id == stix_id,
                IntelObject.is_latest.is_(True),
                IntelObject.version < version,
            )
            .values(is_latest=False)
        )


def _first_free_moment(session: Session, now: datetime) -> datetime:
    """No earlier than the last object's date_added: date_added grows with seq."""
    last = session.execute(select(IntelObject.added_at).order_by(IntelObject.seq.desc()).limit(1)).scalar()
    return now if last is None or last < now else last + timedelta(microseconds=1)


def _insert_keys(session: Session, *, report: IntelReport, objects: list[dict], at: datetime) -> None:
    rows = [(report.id, str(k.kind), k.key, k.lat, k.lon, k.at or at) for k in correlation_keys.keys_of(objects)]
    if rows:
        insert_rows(session.connection(), IntelKey.__table__, ("report_id", "kind", "key", "lat", "lon", "at"), rows)


def stamp_delivery(report: IntelReport, username: str) -> None:
    """The dates and names a report's status brings as it goes out (its objects' copy moves with it)."""
    if report.status == Status.PENDING:
        report.submitted_at = report.submitted_at or report.created_at
    elif report.status == Status.RELEASED:
        report.released_at = report.created_at if report.released_at is None else report.released_at
    elif report.status == Status.DRAFT and Marking(report.marking) is Marking.RED:
        report.release_requested_by = username  # asked to go out: a second officer of the party approves
        report.release_requested_at = report.created_at


def set_status(session: Session, *, report: IntelReport, status: Status) -> None:
    """The report's status and its objects' copy of it, together (the record digests both)."""
    report.status = status
    session.execute(
        update(IntelObject)
        .where(IntelObject.report_id == report.id)
        .values(status=str(status), releasable_to=report.releasable_to)
    )
