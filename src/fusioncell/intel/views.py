"""Reports as their readers see them: the grade spelled out, the readers listed, the objects withheld once
retracted, and only the answers and derived-from links the reader may read."""

import json

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Status
from fusioncell.events.representations import Representation, register
from fusioncell.intel.grading import CREDIBILITY_NAMES, RELIABILITY_NAMES, Credibility, SourceReliability, confidence_of
from fusioncell.intel.models import IntelReport
from fusioncell.intel.queries import answers_to, objects_of, tearline_links
from fusioncell.intel.schemas import ReportDetail, ReportRead, TearlineLinkRead


def report_read(cell: CellDefinition, report: IntelReport) -> ReportRead:
    reliability, credibility = SourceReliability(report.source_reliability), Credibility(report.credibility)
    return ReportRead(
        id=report.id,
        origin_party=report.origin_party,
        created_by=report.created_by,
        created_at=report.created_at,
        version=report.version,
        status=report.status,
        releasable_to=sorted(report.releasable_to),
        marking=str(report.marking),
        ledger_index=report.ledger_index,
        kind=report.kind,
        title=report.title,
        summary=report.summary if report.status != Status.RETRACTED else "",
        admiralty_code=report.admiralty_code,
        source_reliability=reliability,
        source_reliability_name=RELIABILITY_NAMES[reliability],
        credibility=credibility,
        credibility_name=CREDIBILITY_NAMES[credibility],
        confidence=confidence_of(credibility),
        source_description=report.source_description if report.status != Status.RETRACTED else "",
        stix_id=report.stix_id,
        collection=report.collection,
        readers=sorted(report.readers(cell.mediator.code)),
        release_requested_by=report.release_requested_by,
        second_approved_by=report.second_approved_by,
        submitted_at=report.submitted_at,
        approved_by=report.approved_by,
        released_at=report.released_at,
        returned_reason=report.returned_reason,
        retracted_at=report.retracted_at,
        retraction_reason=report.retraction_reason,
        answers_id=report.answers_id,
    )


def report_detail(session: Session, cell: CellDefinition, subject: Subject, report: IntelReport) -> ReportDetail:
    """A report the subject may read (the caller checked), with what it may read around it."""
    links = []
    for link in tearline_links(session, subject=subject, report=report):
        [relationship] = objects_of(session, link) or [None]
        links.append(
            TearlineLinkRead(
                original_id=link.derived_from_id,
                tearline_id=link.answers_id,
                relationship_id=None if relationship is None else relationship["id"],
            )
        )
    objects = [] if report.status == Status.RETRACTED else objects_of(session, report)
    return ReportDetail(
        **report_read(cell, report).model_dump(),
        objects=objects,
        answers=[report_read(cell, a) for a in answers_to(session, subject=subject, report=report)],
        tearline_links=links,
    )


def pretty(objects: list[dict]) -> str:
    return json.dumps(objects, indent=2, ensure_ascii=False)


def stream_view(report: IntelReport) -> dict:
    """What the live stream tells every reader of a report: what it is, not what it says."""
    return {
        "id": str(report.id),
        "kind": str(report.kind),
        "title": report.title,
        "origin_party": report.origin_party,
        "status": str(report.status),
        "marking": str(report.marking),
        "admiralty_code": report.admiralty_code,
        "version": report.version,
        "ledger_index": report.ledger_index,
    }


register("intel-report", Representation(model=IntelReport, view=stream_view))
