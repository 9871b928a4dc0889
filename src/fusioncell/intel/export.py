"""Everything a reader may read on the desk, as one STIX 2.1 bundle that `stix2-validator` accepts:
the objects, plus the marking definitions and author identities they refer to, so the bundle stands on
its own in any tool."""

import json
import uuid
from collections.abc import Iterator

from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.db.base import Marking
from fusioncell.intel.markings import party_identity, rel_to_definition, tlp_definition
from fusioncell.intel.queries import exported_rows


def bundle_chunks(session: Session, *, cell: CellDefinition, subject: Subject) -> Iterator[str]:
    """The bundle as JSON text, in pieces: the stored bodies go out as they are, never re-encoded."""
    yield f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":['
    first = True
    audiences: set[frozenset[str]] = set()
    authors: set[str] = set()
    for body, origin, releasable_to in exported_rows(session, subject=subject):
        yield body if first else "," + body
        first = False
        audiences.add(frozenset({origin, cell.mediator.code} | set(releasable_to)))
        authors.add(origin)
    extras = [tlp_definition(m) for m in Marking]
    extras += [rel_to_definition(readers) for readers in sorted(audiences, key=sorted)]
    extras += [party_identity(cell, party) for party in sorted(authors)]
    for extra in extras:
        text = json.dumps(extra, ensure_ascii=False, separators=(",", ":"))
        yield text if first else "," + text
        first = False
    yield "]}"
