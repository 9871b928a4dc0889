"""One real cell per backend for the live-stream tests: `fusioncell init --demo` on a fresh database,
then real `fusioncell serve` processes started as the tests ask for them."""

from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS
from tests.events.live import LiveCell, initialised_cell


@pytest.fixture(scope="package", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[LiveCell]:
    with initialised_cell(request.param, tmp_path_factory.mktemp(f"live-{request.param}")) as cell:
        yield cell
