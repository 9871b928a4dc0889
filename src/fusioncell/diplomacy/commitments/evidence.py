"""What a commitment points at: the statement or meeting it came from, and the evidence of how it went.

A link is only ever shown to a reader who may read the linked record; for anyone else it is left out
without a trace (no title, no count), as if it did not exist. Records are other desks' models, referenced
by kind and id, so they are imported here lazily: the commitments register loads without them.
"""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from fusioncell.access.rule import can_read_record
from fusioncell.access.subjects import Subject
from fusioncell.diplomacy.commitments.models import Commitment, SourceKind

EVIDENCE_KINDS = ("incident", "notice", "inspection", "project")
PAGES = {
    "incident": "/incidents/{id}",
    "notice": "/notices/{id}",
    "inspection": "/verification",
    "project": "/projects/{id}",
    "statement": "/statements/{id}",
    "meeting": "/meetings/{id}",
}


def _linked_models() -> dict[str, type]:
    from fusioncell.commerce.models import Project
    from fusioncell.deconfliction.models import Notice
    from fusioncell.diplomacy.meetings.models import Meeting
    from fusioncell.diplomacy.models import Statement
    from fusioncell.incidents.models import Incident
    from fusioncell.verification.models import Inspection

    return {
        "incident": Incident,
        "notice": Notice,
        "inspection": Inspection,
        "project": Project,
        "statement": Statement,
        "meeting": Meeting,
    }


def linked_record(session: Session, *, subject: Subject, kind: str, record_id: uuid.UUID) -> Any | None:
    model = _linked_models().get(kind)
    if model is None:
        return None
    found = session.get(model, record_id)
    return found if found is not None and can_read_record(subject, found) else None


def readable_evidence(session: Session, *, subject: Subject, commitment: Commitment) -> list[dict[str, Any]]:
    """The links whose record the caller may read; the others are left out without a trace."""
    shown = []
    for link in commitment.evidence:
        if linked_record(session, subject=subject, kind=link["kind"], record_id=uuid.UUID(link["id"])) is not None:
            shown.append(link | {"href": PAGES[link["kind"]].format(id=link["id"])})
    return shown


def readable_source(session: Session, *, subject: Subject, commitment: Commitment) -> dict[str, str] | None:
    """The statement or meeting the commitment came from, with its title and page, if the caller may read it."""
    if commitment.source_kind == SourceKind.OTHER or not commitment.source_id:
        return None
    try:
        record_id = uuid.UUID(commitment.source_id)
    except ValueError:
        return None
    source = linked_record(session, subject=subject, kind=commitment.source_kind, record_id=record_id)
    if source is None:
        return None
    href = PAGES[commitment.source_kind].format(id=commitment.source_id)
    return {"kind": commitment.source_kind, "id": commitment.source_id, "title": source.title, "href": href}
