"""How each kind of record is told to the outside: a JSON view built once per change, then trimmed
per reader. Domains register their kinds here; the stream, webhooks and e-mail use the same views.

A view must hold only what every reader of the record may see; anything meant for fewer readers
(a reviewer's comment for the author's side and the mediator) is removed by `trim` per reader.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fusioncell.access.subjects import Subject
from fusioncell.db.base import Envelope


@dataclass(frozen=True)
class Representation:
    model: type[Envelope]
    view: Callable[[Envelope], dict[str, Any]]
    trim: Callable[[Subject, Envelope, dict[str, Any]], dict[str, Any]] = lambda subject, record, view: view


_registry: dict[str, Representation] = {}


def register(kind: str, representation: Representation) -> None:
    _registry[kind] = representation


def registered(kind: str) -> Representation | None:
    return _registry.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_registry)


def load(session: Session, kind: str, record_ids: list[str]) -> dict[str, Envelope]:
    """The current rows of the given records of one kind, by id string."""
    representation = _registry.get(kind)
    if representation is None or not record_ids:
        return {}
    model = representation.model
    ids = [uuid.UUID(i) for i in record_ids]
    return {str(row.id): row for row in session.execute(select(model).where(model.id.in_(ids))).scalars()}
