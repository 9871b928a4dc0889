"""Engines and sessions. Reads run in ordinary transactions; writes take the write lock up front.

On SQLite a write transaction starts with BEGIN IMMEDIATE, so two writers never both read the ledger
size and then collide on the upgrade to a write lock; on PostgreSQL the ledger's size row is locked.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

WRITE = "fusioncell_write"


def normalise_url(url: str) -> str:
    # Operators write postgresql://; we speak psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Many readers at once (every open page and stream resolves its caller); writers queue elsewhere.
POOL = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 30}


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    kwargs = POOL | kwargs
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, not pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache: index inserts into a large ledger stay in memory.
        cursor.execute("PRAGMA cache_size=-65536")
        # Checkpoint the WAL every ~40 MB rather than every 4 MB: fewer syncs of the main file.
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One engine, and sessions for reading or writing."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{WRITE: True}), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction for the CLI and background jobs: commit on success, roll back on error."""
        with self.session(write=True) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.session(write=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
