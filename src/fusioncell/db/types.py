"""Column types that behave the same on SQLite and PostgreSQL."""

import json
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import Boolean


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite would otherwise hand back naive datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; fusioncell stores UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PartySet(TypeDecorator[frozenset]):
    """A set of party codes, stored as a sorted JSON array (JSONB on PostgreSQL for containment)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        codes = sorted(set(value))
        return codes if dialect.name == "postgresql" else json.dumps(codes)

    def process_result_value(self, value, dialect):
        if value is None:
            return frozenset()
        if isinstance(value, str):
            value = json.loads(value)
        return frozenset(value)


class party_in(FunctionElement):
    """SQL truth of "code is one of the PartySet column's codes", compiled per dialect."""

    type = Boolean()
    inherit_cache = True
    name = "party_in"

    def __init__(self, column: ColumnElement, code: str) -> None:
        super().__init__(column, code)


@compiles(party_in, "postgresql")
def _party_in_pg(element, compiler, **kw):
    column, code = list(element.clauses)
    return f"({compiler.process(column, **kw)} @> jsonb_build_array(CAST({compiler.process(code, **kw)} AS TEXT)))"


@compiles(party_in, "sqlite")
def _party_in_sqlite(element, compiler, **kw):
    column, code = list(element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "
        f"WHERE json_each.value = {compiler.process(code, **kw)})"
    )
