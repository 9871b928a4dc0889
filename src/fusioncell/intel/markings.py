"""The envelope in STIX terms: the official TLP 2.0 marking definitions, the "REL TO" statement marking,
and each party's identity.

The TLP 2.0 objects are OASIS's (cti-stix-common-objects, extension-definition-specifications/tlp-2.0),
byte for byte in content: other tools recognise TLP by these ids. The REL TO marking and the parties'
identities are ours, with ids derived (UUIDv5) from what they say, so every export of the cell names
them the same way and two cells never mint the same identity for different parties.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from fusioncell.cell.definition import CellDefinition, PartyRole
from fusioncell.db.base import Marking

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP_IDS = {
    Marking.CLEAR: "94868c89-83c2-464b-929b-a1a8aa3c8487",
    Marking.GREEN: "bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Marking.AMBER: "55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Marking.AMBER_STRICT: "939a9414-2ddd-4d32-a0cd-375ea402b003",
    Marking.RED: "e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# Fixed for the ids below: changing it would re-mint every REL TO marking and identity.
_NAMESPACE = uuid.UUID("1f0c9d6e-7a53-5b8e-9c11-3e6d2a4b5f70")
_OUR_EPOCH = "2026-01-01T00:00:00.000Z"  # `created` of the cell's own marking and identity objects


def tlp_definition(marking: Marking) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": tlp_marking_id(marking),
        "created": "2022-10-01T00:00:00.000Z",
        "name": str(marking),
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": _tlp_word(marking)}},
    }


def _tlp_word(marking: Marking) -> str:
    return str(marking).removeprefix("TLP:").lower()


def tlp_marking_id(marking: Marking) -> str:
    return f"marking-definition--{_TLP_IDS[marking]}"


TLP_BY_ID = {tlp_marking_id(m): m for m in Marking}
# TLP 1.0 ids some tools still write (stix2's TLP_WHITE...); read as their TLP 2.0 equivalents.
TLP_BY_ID |= {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Marking.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Marking.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Marking.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Marking.RED,
}


def rel_to_statement(parties: Iterable[str]) -> str:
    return "REL TO " + ", ".join(sorted(set(parties)))


def rel_to_definition(parties: Iterable[str]) -> dict[str, Any]:
    """A statement marking naming every party that may read what carries it (author, mediator, recipients)."""
    statement = rel_to_statement(parties)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid5(_NAMESPACE, statement)}",
        "created": _OUR_EPOCH,
        "definition_type": "statement",
        "definition": {"statement": statement},
    }


def identity_id(cell: CellDefinition, party: str) -> str:
    return f"identity--{uuid.uuid5(_NAMESPACE, f'{cell.code}/{party}')}"


def party_identity(cell: CellDefinition, party: str) -> dict[str, Any]:
    """The STIX identity a party's reports are `created_by_ref`."""
    found = cell.party(party)
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(cell, party),
        "created": _OUR_EPOCH,
        "modified": _OUR_EPOCH,
        "name": f"{found.names.en} ({found.code})",
        "description": f"A party to the cell {cell.code}, as its {found.role}.",
        "identity_class": "organization",
        "sectors": ["government-national"],
    }


def audience_problem(cell: CellDefinition, marking: Marking, readers: frozenset[str]) -> str | None:
    """Why a marking contradicts the parties that would read under it, if it does. TLP:RED is for named
    recipients at the table: never for an observer (who would read it under supervision of nobody)."""
    if marking is Marking.RED:
        observers = sorted(p.code for p in cell.parties if p.role is PartyRole.OBSERVER and p.code in readers)
        if observers:
            return f"TLP:RED may not be released to an observer ({', '.join(observers)}); mark it AMBER+STRICT or lower"
    return None
