"""TAXII collections: one per audience of the cell (cell definition `intel.collections`).

A report belongs to the collection whose parties are exactly its readers — its author, the mediator
(who reads everything released under supervision) and those it is released to. A party sees the
collections it is one of the parties of, and within them, still, only the objects the rule lets it read.
"""

import uuid
from dataclasses import dataclass

from fusioncell.access.policies import speaks_on_desk
from fusioncell.access.subjects import Subject
from fusioncell.cell.definition import CellDefinition
from fusioncell.errors import NotFound
from fusioncell.i18n import N_

DESK = "intelligence"
_NAMESPACE = uuid.UUID("6d1f4a2c-1b7e-5c39-8f0a-2e4b9c7d5a31")  # fixed: collection ids must never change


@dataclass(frozen=True)
class Collection:
    code: str
    id: str  # the TAXII collection id
    title: str
    description: str
    parties: frozenset[str]


def collections_of(cell: CellDefinition) -> list[Collection]:
    return [
        Collection(
            code=c.code,
            id=str(uuid.uuid5(_NAMESPACE, f"{cell.code}/{c.code}")),
            title=c.names.en,
            description=f"Reports whose readers are exactly {', '.join(sorted(c.readers))}.",
            parties=frozenset(c.readers),
        )
        for c in cell.intel.collections
    ]


def collection_of_readers(cell: CellDefinition, readers: frozenset[str]) -> str | None:
    """The code of the collection a report with these readers belongs to; None if no audience matches."""
    for collection in cell.intel.collections:
        if frozenset(collection.readers) == readers:
            return collection.code
    return None


def visible_collections(cell: CellDefinition, subject: Subject) -> list[Collection]:
    return [c for c in collections_of(cell) if subject.party in c.parties]


def collection_for(cell: CellDefinition, subject: Subject, collection_id: str) -> Collection:
    """A collection the subject may see; an unknown one and another audience's answer alike."""
    for collection in visible_collections(cell, subject):
        if collection.id == collection_id:
            return collection
    raise NotFound(N_("No such collection."))


def can_add_to(subject: Subject, collection: Collection) -> bool:
    """Those who speak for their party on the intelligence desk, in a collection their party is in."""
    return subject.party in collection.parties and speaks_on_desk(subject, DESK)
