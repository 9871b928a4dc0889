"""One real cell per backend for the live-stream tests: `fusioncell init --demo` on a fresh database,
then real `fusioncell serve` processes started as the tests ask for them."""

import os
from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS, DEFAULT_POSTGRES, _postgres_database
from tests.events.live import LiveCell, base_env, run_cli


@pytest.fixture(scope="package", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[LiveCell]:
    directory = tmp_path_factory.mktemp(f"live-{request.param}")
    databases = None
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'var' / 'fusioncell.db'}"
    else:
        databases = _postgres_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
        url = next(databases)
    cell = LiveCell(request.param, url, base_env(directory, url), directory)
    try:
        initialised = run_cli(cell.env, "init", "--demo")
        assert initialised.returncode == 0, initialised.stdout + initialised.stderr
        yield cell
    finally:
        cell.stop()
        if databases is not None:
            databases.close()  # runs its finally: the database is dropped
