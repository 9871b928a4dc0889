"""The declarative base, the envelope mixin, and the marker for tables the record covers."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from uuid6 import uuid7

from fusioncell.db.types import PartySet, UTCDateTime, utcnow

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid7()))


class Status(StrEnum):
    DRAFT = "draft"  # the origin party's alone
    PENDING = "pending"  # released, waiting for the mediator's approval (supervised delivery)
    RELEASED = "released"
    RETRACTED = "retracted"  # still listed to its readers, body hidden behind a reason


class Marking(StrEnum):
    """TLP 2.0."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"


class Releasable:
    """What the releasability rule reads: who made it, its state, whom it is released to."""

    origin_party: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[Status] = mapped_column(String(16), default=Status.RELEASED)
    releasable_to: Mapped[frozenset[str]] = mapped_column(PartySet(), default=frozenset)


class Recorded:
    """A table whose every committed change appends to the ledger; `ledger audit` checks its rows.

    `ledger_content()` is the row's content as the record digests it: deterministic, JSON-able,
    and without `ledger_index` (which points at the entry and so cannot be inside it).
    """

    record_kind: ClassVar[str]
    if TYPE_CHECKING:  # declared by each model; annotations here would map columns twice
        id: Mapped[uuid.UUID]
        version: Mapped[int]
        ledger_index: Mapped[int | None]

    def ledger_content(self) -> dict[str, Any]:
        raise NotImplementedError

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        """(origin party, status, releasable_to) of the entry: who may read its body and salt."""
        raise NotImplementedError


class Envelope(Releasable, Recorded):
    """The envelope of DESIGN.md, carried by every shared record."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    marking: Mapped[Marking] = mapped_column(String(24), default=Marking.AMBER)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger, default=None)

    def ledger_envelope(self) -> tuple[str, str, frozenset[str]]:
        return self.origin_party, str(self.status), frozenset(self.releasable_to)

    def envelope_content(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "origin_party": self.origin_party,
            "created_by": self.created_by,
            "created_at": iso(self.created_at),
            "version": self.version,
            "status": str(self.status),
            "releasable_to": sorted(self.releasable_to),
            "marking": str(self.marking),
        }


def iso(moment: datetime | None) -> str | None:
    """UTC timestamps as the record digests them (microseconds survive both databases)."""
    return None if moment is None else moment.isoformat(timespec="microseconds")


def recorded_models() -> list[type[Recorded]]:
    """Every mapped class the ledger covers, for the audit."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, Recorded)),
        key=lambda cls: cls.record_kind,
    )
