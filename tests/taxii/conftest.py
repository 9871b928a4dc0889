"""Fixtures for the TAXII tests: the application, members' TAXII headers, pushes."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from fusioncell.app import create_app
from fusioncell.intel.collections import Collection, collections_of
from fusioncell.taxii import API_ROOT_PATH
from tests.support import bearer
from tests.taxii.stix import TAXII, envelope


@pytest.fixture
def taxii(runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime, background=False)) as client:
        yield client


@pytest.fixture
def by_code(cell) -> dict[str, Collection]:
    return {c.code: c for c in collections_of(cell)}


@pytest.fixture
def taxii_as(population) -> Callable[..., dict[str, str]]:
    """TAXII headers of a member (bearer token, TAXII's Accept), as `as_` gives API headers."""

    def headers(party: str, role: str | None = None) -> dict[str, str]:
        return bearer(population.member(party, role)) | {"Accept": TAXII}

    return headers


def objects_url(collection: Collection) -> str:
    return f"{API_ROOT_PATH}collections/{collection.id}/objects/"


@pytest.fixture
def push(taxii, taxii_as, by_code):
    """POST objects to a collection (by code) as a member; the response."""

    def post(party: str, code: str, objects: list[dict], role: str | None = None):
        headers = taxii_as(party, role) | {"Content-Type": TAXII}
        return taxii.post(objects_url(by_code[code]), json=envelope(objects), headers=headers)

    return post
