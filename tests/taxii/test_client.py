"""The real taxii2-client against a live cell process (SQLite; one test on PostgreSQL).

The demo cell's accounts: isr.liaison pushes, usa.mediator reads, syr.liaison is of the other side.
Every object any response carries must pass stix2-validator without an error.
"""

import contextlib
import os
from datetime import UTC, datetime

import httpx
import pytest
import requests
from stix2validator import validate_instance
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from fusioncell.demo import DEMO_PASSWORD
from tests.conftest import DEFAULT_POSTGRES, _postgres_database
from tests.taxii.live import LiveTaxii, live_taxii_cell
from tests.taxii.stix import TAXII, envelope, indicators

pytestmark = pytest.mark.slow


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def token_of(live: LiveTaxii, username: str) -> str:
    response = httpx.post(f"{live.base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def assert_valid(objects: list[dict]) -> None:
    for obj in objects:
        result = validate_instance(obj)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])


def collection_by_alias(root: ApiRoot, alias: str) -> Collection:
    return next(c for c in root.collections if c.alias == alias)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> LiveTaxii:
    with live_taxii_cell(tmp_path_factory.mktemp("taxii-live")) as cell:
        yield cell


def push_and_read(live: LiveTaxii) -> None:
    """ISR pushes to USA+ISR with Basic and gets a completed status; USA reads it; SYR cannot see it."""
    writer = Server(live.discovery, user="isr.liaison", password=DEMO_PASSWORD)
    root = writer.api_roots[0]
    target = collection_by_alias(root, "usa-isr")
    assert target.can_read and target.can_write and target.title == "USA+ISR"
    sent = indicators(5)
    before = datetime.now(UTC)  # the demo cell has reports of its own in the collection
    status = target.add_objects(envelope(sent))
    assert status.status == "complete" and status.success_count == 5 and status.failure_count == 0
    assert root.get_status(status.id).success_count == 5

    reader = collection_by_alias(ApiRoot(live.api_root, user="usa.mediator", password=DEMO_PASSWORD), "usa-isr")
    found = reader.get_objects(added_after=before)
    assert {o["id"] for o in found["objects"]} == {o["id"] for o in sent}
    assert_valid(found["objects"])
    one = reader.get_object(sent[0]["id"])
    assert [o["id"] for o in one["objects"]] == [sent[0]["id"]]
    assert_valid(one["objects"])
    assert len(reader.get_manifest(added_after=before)["objects"]) == 5
    assert len(reader.object_versions(sent[0]["id"])["versions"]) == 1

    other = ApiRoot(live.api_root, user="syr.liaison", password=DEMO_PASSWORD)
    assert "usa-isr" not in {c.alias for c in other.collections}
    hidden = Collection(target.url, user="syr.liaison", password=DEMO_PASSWORD)
    with pytest.raises(requests.HTTPError) as refused:
        hidden.refresh()
    assert refused.value.response.status_code == 404
    for obj in sent:
        answer = httpx.get(f"{target.url}objects/{obj['id']}/", auth=("syr.liaison", DEMO_PASSWORD))
        assert answer.status_code == 404 and answer.headers["content-type"] == TAXII
    with pytest.raises(requests.HTTPError) as refused:  # another party's status is no status at all
        ApiRoot(live.api_root, user="syr.liaison", password=DEMO_PASSWORD).get_status(status.id)
    assert refused.value.response.status_code == 404


def test_push_read_and_hidden(live):
    push_and_read(live)


def test_paging_a_thousand_objects_returns_each_once_and_added_after_only_the_new(live):
    writer = collection_by_alias(ApiRoot(live.api_root, auth=BearerAuth(token_of(live, "isr.intel"))), "usa-isr")
    before = datetime.now(UTC)
    sent = indicators(1000, start=1000)
    for start in (0, 500):
        assert writer.add_objects(envelope(sent[start : start + 500])).success_count == 500
    reader = collection_by_alias(ApiRoot(live.api_root, auth=BearerAuth(token_of(live, "usa.mediator"))), "usa-isr")
    pages = list(as_pages(reader.get_objects, per_request=100, added_after=before))
    served = [o for page in pages for o in page.get("objects", [])]
    assert len(pages) == 10 and all(len(page["objects"]) == 100 for page in pages)
    assert len(served) == 1000 and {o["id"] for o in served} == {o["id"] for o in sent}
    assert_valid(served)

    between = datetime.now(UTC)
    later = indicators(7, start=5000)
    assert writer.add_objects(envelope(later)).success_count == 7
    newer = list(as_pages(reader.get_objects, per_request=100, added_after=between))
    assert {o["id"] for page in newer for o in page.get("objects", [])} == {o["id"] for o in later}
    manifest = list(as_pages(reader.get_manifest, per_request=300, added_after=before))
    assert sum(len(page["objects"]) for page in manifest) == 1007


def test_wrong_media_types_are_refused(live):
    url = f"{live.api_root}collections/"
    auth = ("isr.liaison", DEMO_PASSWORD)
    refused = httpx.get(url, auth=auth, headers={"Accept": "application/json"})
    assert refused.status_code == 406 and refused.headers["content-type"] == TAXII
    assert refused.json()["http_status"] == "406"
    target = httpx.get(url, auth=auth, headers={"Accept": TAXII}).json()["collections"][0]["id"]
    posted = httpx.post(f"{url}{target}/objects/", auth=auth, json=envelope(indicators(1)), headers={"Accept": TAXII})
    assert posted.status_code == 415 and posted.json()["http_status"] == "415"
    anonymous = httpx.get(url, headers={"Accept": TAXII})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == 'Basic realm="fusioncell"'


def test_push_read_and_hidden_on_postgresql(tmp_path):
    fresh_database = contextlib.contextmanager(_postgres_database)
    with fresh_database(os.environ.get("FUSIONCELL_TEST_POSTGRES_URL", DEFAULT_POSTGRES)) as url:
        with live_taxii_cell(tmp_path, database_url=url) as live:
            push_and_read(live)


def test_every_object_of_every_collection_validates(live):
    """The demo cell's own reports too: whatever the desk serves over TAXII is valid STIX 2.1."""
    root = ApiRoot(live.api_root, user="usa.mediator", password=DEMO_PASSWORD)
    served = [
        o
        for c in root.collections
        for page in as_pages(c.get_objects, per_request=500)
        for o in page.get("objects", [])
    ]
    assert served
    assert_valid(served)
