"""Inserting many rows of plain Python values at once, the fastest way each backend offers: the
record's entries and nodes, the intelligence desk's STIX objects."""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, LargeBinary, Table, insert
from sqlalchemy.exc import DBAPIError


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """INSERT many rows of plain Python values, the fastest way each backend offers.

    PostgreSQL (psycopg): one COPY. SQLite: one executemany of a prepared INSERT. Values go through
    the columns' own SQLAlchemy bind processing first (each distinct value once: a batch shares its
    timestamp and has few party sets); bytes go to the driver as bytes, which is what SQLAlchemy's
    Binary wrapper hands it. So the rows are those insert(table) would write, without SQLAlchemy's
    per-row, per-parameter work (and without psycopg's one statement per row in executemany).
    Any other backend gets the plain Core executemany."""
    dialect = connection.dialect
    copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    if not copy and not (dialect.name == "sqlite" and dialect.paramstyle == "qmark"):
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    converters = []
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, LargeBinary):
            continue
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters.append((position, _each_value_once(process)))
    if converters:
        converted = []
        for row in rows:
            values = list(row)
            for position, convert in converters:
                values[position] = convert(values[position])
            converted.append(tuple(values))
        rows = converted
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    if copy:
        statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        try:
            with connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(statement) as stream:
                    for values in rows:
                        stream.write_row(values)
        except dialect.loaded_dbapi.Error as error:  # raised as SQLAlchemy would (IntegrityError, ...)
            raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


def _each_value_once(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    done: dict[tuple[type, Any], Any] = {}

    def convert(value: Any) -> Any:
        try:
            key = (type(value), value)
            if key not in done:
                done[key] = process(value)
            return done[key]
        except TypeError:  # unhashable
            return process(value)

    return convert
