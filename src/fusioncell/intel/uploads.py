"""A TAXII POST into the desk: the objects go out to the collection's audience as one upload report,
stored whole or refused whole, with what became of each object for the TAXII status resource. A retry of
objects already stored stores and records nothing."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking
from fusioncell.errors import Forbidden, Invalid
from fusioncell.i18n import N_
from fusioncell.intel.collections import Collection, can_add_to
from fusioncell.intel.delivery import delivery_status
from fusioncell.intel.grading import grade_of_objects
from fusioncell.intel.markings import TLP_BY_ID
from fusioncell.intel.models import IntelObject, ReportKind
from fusioncell.intel.store import (
    ReportEnvelope,
    invalid_objects,
    stamp_delivery,
    store_objects,
    stored_versions,
)
from fusioncell.intel.timestamps import normalise
from fusioncell.intel.validation import check_objects


@dataclass(frozen=True)
class Receipt:
    """What became of a TAXII POST's objects. Nothing is stored when anything failed."""

    report_id: uuid.UUID | None
    successes: list[tuple[str, str]] = field(default_factory=list)  # (stix id, version)
    failures: list[tuple[str | None, str | None, str]] = field(default_factory=list)  # (id, version, message)


def receive_objects(
    session: Session,
    *,
    cell: CellDefinition,
    subject: Subject,
    collection: Collection,
    objects: list[Any],
    now: datetime | None = None,
) -> Receipt:
    """A TAXII POST: the objects go out to the collection's audience (to the mediator's review first where
    the desk is supervised; TLP:RED waits for a second officer). All stored, or none with every failure."""
    if not can_add_to(subject, collection):
        raise Forbidden(N_("objects are added by those who speak for their party on the intelligence desk"))
    marking = _envelope_marking(objects)
    reliability, credibility = grade_of_objects([o for o in objects if isinstance(o, dict)])
    envelope = ReportEnvelope(
        title=f"TAXII upload to {collection.title} by {subject.username}",
        source_reliability=str(reliability),
        credibility=str(credibility),
        recipients=collection.parties - {subject.party},
        marking=marking,
        kind=ReportKind.UPLOAD,
        status=delivery_status(
            cell, subject, kind=ReportKind.UPLOAD, marking=marking, recipients=collection.parties - {subject.party}
        ),
    )
    problems = check_objects(objects)
    if problems:
        return Receipt(report_id=None, failures=_failures(objects, invalid_objects(problems)))
    asked = {(o["id"], normalise(o.get("modified") or o["created"])) for o in objects if _timestamped(o)}
    already = stored_versions(session, subject.party, {stix_id for stix_id, _ in asked}) & asked
    if already == asked and len(asked) == len(objects):
        return Receipt(report_id=None, successes=sorted(already))  # a retry: everything is stored already
    try:
        report = store_objects(
            session,
            cell=cell,
            subject=subject,
            envelope=envelope,
            objects=objects,
            action="intel-objects-added",
            now=now,
            stamp=lambda report: stamp_delivery(report, subject.username),
            checked=True,
        )
    except Invalid as refused:
        return Receipt(report_id=None, failures=_failures(objects, refused))
    rows = session.execute(select(IntelObject.stix_id, IntelObject.version).where(IntelObject.report_id == report.id))
    return Receipt(report_id=report.id, successes=sorted({(i, v) for i, v in rows} | already))


def _timestamped(obj: dict) -> bool:
    return isinstance(obj.get("modified") or obj.get("created"), str)


def _envelope_marking(objects: list[Any]) -> Marking:
    """A TAXII POST's TLP is the strictest one its objects carry; AMBER when none carries one."""
    order = [Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED]
    found = {
        TLP_BY_ID[ref]
        for obj in objects
        if isinstance(obj, dict)
        for ref in (obj.get("object_marking_refs") or () if isinstance(obj.get("object_marking_refs"), list) else ())
        if isinstance(ref, str) and ref in TLP_BY_ID
    }
    return max(found, key=order.index) if found else Marking.AMBER


def _failures(objects: list[Any], refused: Invalid) -> list[tuple[str | None, str | None, str]]:
    """Every object fails when one does (nothing is stored): the bad ones with their problems."""
    by_index: dict[int, list[str]] = {}
    for detail in refused.details or []:
        field_name = detail.get("field", "")
        if field_name.startswith("objects["):
            index = int(field_name[len("objects[") : field_name.index("]")])
            by_index.setdefault(index, []).append(f"{field_name}: {detail['problem']}")
    out = []
    for index, obj in enumerate(objects):
        stix_id = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
        version = obj.get("modified") or obj.get("created") if isinstance(obj, dict) else None
        message = "; ".join(by_index[index]) if index in by_index else f"not stored: {refused.message}"
        out.append((stix_id, version if isinstance(version, str) else None, message))
    return out
