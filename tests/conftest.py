"""Fixtures: every database test runs on SQLite and on the real PostgreSQL server.

Per backend, one database is built by running the Alembic migrations, the default cell is installed
and a population of users (every role of every party, each with a token) is committed once; each test
then runs inside a transaction that is rolled back (services' commits become savepoint releases).
"""

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from fusioncell.access import service as access
from fusioncell.app import create_app
from fusioncell.cell.definition import CellDefinition
from fusioncell.cell.loader import default_cell, default_cell_path
from fusioncell.cell.service import install_cell
from fusioncell.config import Settings
from fusioncell.db import migrate
from fusioncell.db.session import Database
from fusioncell.ledger.note import Signer
from fusioncell.runtime import Runtime
from tests.support import PASSWORD, Member, Population, bearer, roles_for

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_database(base_url: str) -> Iterator[str]:
    """A fresh database for this run, dropped at the end: never the shared `test` blindly."""
    name = f"fusioncell_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(base_url, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for the suite and is not reachable at {base_url}: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    yield from _postgres_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES))


@pytest.fixture(scope="session")
def cell() -> CellDefinition:
    return default_cell()


@pytest.fixture(scope="session")
def signer(cell) -> Signer:
    return Signer.generate(cell.log_origin)


def _populate(database: Database, cell: CellDefinition) -> Population:
    members = []
    with database.writing() as session:
        install_cell(session, definition=cell, source=default_cell_path().read_text(encoding="utf-8"))
        for party in cell.parties:
            for role in roles_for(cell, party.code):
                username = f"{party.code.lower()}.{role.replace(':', '-')}"
                user = access.add_user(
                    session,
                    cell=cell,
                    username=username,
                    display_name=f"{party.code} {role}",
                    party=party.code,
                    roles=[role],
                    password=PASSWORD,
                    actor="test",
                )
                _, secret = access.create_token(session, user=user, name="test", actor="test")
                members.append(Member(username, party.code, role, secret, user.id))
    return Population(members)


@dataclass
class Backend:
    name: str
    url: str
    database: Database
    population: Population


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory, cell) -> Iterator[Backend]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'cell.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = Database(url)
    migrate.upgrade(database.engine)
    population = _populate(database, cell)
    yield Backend(request.param, url, database, population)
    database.dispose()


class BoundDatabase(Database):
    """Sessions joined to the test's outer transaction: their commits are savepoints, rolled back after."""

    def __init__(self, connection: Connection) -> None:
        self.url = str(connection.engine.url)
        self.engine = connection.engine
        self.connection = connection

    def session(self, *, write: bool) -> Session:
        return Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def connection(backend) -> Iterator[Connection]:
    with backend.database.engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def db(connection) -> Iterator[Session]:
    """A session inside the test's rolled-back transaction."""
    with BoundDatabase(connection).session(write=True) as session:
        yield session


@pytest.fixture
def population(backend) -> Population:
    return backend.population


@pytest.fixture
def as_(population):
    """API headers of a member: `as_("ISR")` is its first account (a principal's liaison officer, an observer
    party's observer), `as_("ISR", "admin")` the role named."""

    def headers(party: str, role: str | None = None) -> dict[str, str]:
        return bearer(population.member(party, role))

    return headers


@pytest.fixture
def runtime(connection, cell, signer, tmp_path) -> Runtime:
    settings = Settings(var_dir=tmp_path, log_json=True)
    return Runtime(settings=settings, database=BoundDatabase(connection), cell=cell, signer=signer)


@pytest.fixture
def client(runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, background=False)) as test_client:
        yield test_client


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each backend, for tests that run `init` and real server processes."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'fusioncell.db'}"
    else:
        yield from _postgres_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
