"""The TAXII 2.1 protocol on both backends: resources, media types, errors, paging, filters, statuses."""

import pytest
from sqlalchemy import func, select
from stix2validator import validate_instance

from fusioncell.intel.models import IntelReport
from fusioncell.intel.timestamps import normalise
from fusioncell.taxii import API_ROOT_PATH, MEDIA_TYPE_TAXII
from tests.taxii.conftest import objects_url
from tests.taxii.stix import TAXII, envelope, indicator, indicators


def assert_taxii(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE_TAXII
    return response.json()


def assert_valid_stix(objects: list[dict]) -> None:
    for obj in objects:
        result = validate_instance(obj)
        assert result.is_valid, [str(e) for e in result.errors]


def test_discovery_and_api_root(taxii, taxii_as):
    found = assert_taxii(taxii.get("/taxii2/", headers=taxii_as("ISR")))
    assert found["api_roots"] == [API_ROOT_PATH] and found["default"] == API_ROOT_PATH and found["title"]
    root = assert_taxii(taxii.get(API_ROOT_PATH, headers=taxii_as("ISR")))
    assert root["versions"] == [MEDIA_TYPE_TAXII]
    assert isinstance(root["max_content_length"], int) and root["max_content_length"] >= 1024 * 1024


def test_each_party_lists_the_collections_it_is_one_of(taxii, taxii_as, cell, by_code):
    for party in cell.party_codes:
        listed = assert_taxii(taxii.get(API_ROOT_PATH + "collections/", headers=taxii_as(party)))["collections"]
        assert {c["alias"] for c in listed} == {c.code for c in by_code.values() if party in c.parties}
        for resource in listed:
            assert resource["can_read"] is True
            assert resource["media_types"] == ["application/stix+json;version=2.1"]
            assert resource == assert_taxii(
                taxii.get(f"{API_ROOT_PATH}collections/{resource['id']}/", headers=taxii_as(party))
            )


def test_a_push_is_stored_and_its_status_is_the_posting_partys(taxii, taxii_as, push, by_code):
    sent = indicators(3)
    status = assert_taxii(push("ISR", "usa-isr", sent), 202)
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"], status["pending_count"]) == (
        3,
        3,
        0,
        0,
    )
    assert {s["id"] for s in status["successes"]} == {o["id"] for o in sent}
    url = f"{API_ROOT_PATH}status/{status['id']}/"
    assert assert_taxii(taxii.get(url, headers=taxii_as("ISR", "admin"))) == status  # any member of the party
    unknown = taxii.get(f"{API_ROOT_PATH}status/0190d5a4-0000-7000-8000-000000000000/", headers=taxii_as("USA"))
    for party in ("USA", "SYR", "FRA"):  # the mediator included: a status is the poster's receipt
        other = taxii.get(url, headers=taxii_as(party))
        assert other.status_code == 404 and other.content == unknown.content
    read = assert_taxii(taxii.get(objects_url(by_code["usa-isr"]), headers=taxii_as("USA")))
    assert {o["id"] for o in read["objects"]} == {o["id"] for o in sent} and read["more"] is False
    assert_valid_stix(read["objects"])


def test_an_invisible_collection_answers_as_a_missing_one(taxii, taxii_as, push, by_code):
    sent = indicators(2)
    assert_taxii(push("ISR", "usa-isr", sent), 202)
    hidden = f"{API_ROOT_PATH}collections/{by_code['usa-isr'].id}/"
    missing = f"{API_ROOT_PATH}collections/00000000-0000-5000-8000-000000000000/"
    for tail in ("", "objects/", "manifest/", f"objects/{sent[0]['id']}/", f"objects/{sent[0]['id']}/versions/"):
        refused = taxii.get(hidden + tail, headers=taxii_as("SYR"))
        assert_taxii(refused, 404)
        assert refused.content == taxii.get(missing + tail, headers=taxii_as("SYR")).content
    posted = taxii.post(
        hidden + "objects/", json=envelope(indicators(1)), headers=taxii_as("SYR") | {"Content-Type": TAXII}
    )
    assert posted.status_code == 404 and posted.content == refused.content


def test_paging_follows_next_and_brackets_each_page(taxii, taxii_as, push, by_code):
    sent = indicators(25)
    assert_taxii(push("ISR", "usa-isr", sent), 202)
    seen, params, pages = [], {"limit": "10"}, []
    while True:
        response = taxii.get(objects_url(by_code["usa-isr"]), params=params, headers=taxii_as("USA"))
        page = assert_taxii(response)
        pages.append(len(page["objects"]))
        first, last = response.headers["X-TAXII-Date-Added-First"], response.headers["X-TAXII-Date-Added-Last"]
        assert first <= last
        seen += [o["id"] for o in page["objects"]]
        if not page["more"]:
            assert "next" not in page
            break
        params = {"limit": "10", "next": page["next"]}
    assert pages == [10, 10, 5]
    assert sorted(seen) == sorted(o["id"] for o in sent) and len(seen) == len(set(seen))


def test_added_after_is_exclusive_and_returns_only_what_came_later(taxii, taxii_as, push, by_code):
    url = objects_url(by_code["usa-isr"])
    assert_taxii(push("ISR", "usa-isr", indicators(4)), 202)
    last = taxii.get(url, headers=taxii_as("USA")).headers["X-TAXII-Date-Added-Last"]
    later = indicators(3, start=100)
    assert_taxii(push("ISR", "usa-isr", later), 202)
    page = assert_taxii(taxii.get(url, params={"added_after": last}, headers=taxii_as("USA")))
    assert {o["id"] for o in page["objects"]} == {o["id"] for o in later}
    newest = taxii.get(url, headers=taxii_as("USA")).headers["X-TAXII-Date-Added-Last"]
    assert assert_taxii(taxii.get(url, params={"added_after": newest}, headers=taxii_as("USA"))) == {}


def test_versions_manifest_and_match_filters(taxii, taxii_as, push, by_code):
    first = indicator(1)
    second = first | {"modified": "2026-11-21T10:00:00.000Z", "name": "Staging address 1, confirmed"}
    versions_of = [normalise(first["modified"]), normalise(second["modified"])]  # as TAXII versions are written
    other = indicator(2)
    assert_taxii(push("ISR", "usa-isr", [first, other]), 202)
    assert_taxii(push("ISR", "usa-isr", [second]), 202)
    url, headers = objects_url(by_code["usa-isr"]), taxii_as("USA")
    latest = assert_taxii(taxii.get(f"{url}{first['id']}/", headers=headers))["objects"]
    assert [o["modified"] for o in latest] == [second["modified"]]
    every = assert_taxii(taxii.get(f"{url}{first['id']}/", params={"match[version]": "all"}, headers=headers))
    assert sorted(o["modified"] for o in every["objects"]) == [first["modified"], second["modified"]]
    earliest = assert_taxii(taxii.get(f"{url}{first['id']}/", params={"match[version]": "first"}, headers=headers))
    assert [o["modified"] for o in earliest["objects"]] == [first["modified"]]
    versions = assert_taxii(taxii.get(f"{url}{first['id']}/versions/", headers=headers))
    assert sorted(versions["versions"]) == versions_of and versions["more"] is False
    by_id = assert_taxii(taxii.get(url, params={"match[id]": other["id"]}, headers=headers))
    assert [o["id"] for o in by_id["objects"]] == [other["id"]]
    assert assert_taxii(taxii.get(url, params={"match[type]": "malware,report"}, headers=headers)) == {}
    both = assert_taxii(
        taxii.get(url, params=[("match[type]", "malware"), ("match[type]", "indicator")], headers=headers)
    )
    assert {o["id"] for o in both["objects"]} == {first["id"], other["id"]}
    manifest = assert_taxii(taxii.get(url.replace("objects/", "manifest/"), headers=headers))
    records = {r["id"]: r for r in manifest["objects"]}
    assert records[first["id"]]["version"] == versions_of[1]
    assert records[other["id"]]["media_type"] == "application/stix+json;version=2.1"
    assert all(r["date_added"].endswith("Z") for r in records.values())


def test_accept_must_allow_taxii_21(taxii, taxii_as):
    for accept in ("application/json", "text/html", "application/taxii+json;version=2.0", "application/taxii+json;q=0"):
        refused = taxii.get("/taxii2/", headers=taxii_as("ISR") | {"Accept": accept})
        body = assert_taxii(refused, 406)
        assert body["http_status"] == "406" and body["title"] and body["description"]
    for accept in ("*/*", "application/taxii+json", "application/json, application/taxii+json;version=2.1"):
        assert_taxii(taxii.get("/taxii2/", headers=taxii_as("ISR") | {"Accept": accept}))
    headers = taxii_as("ISR")
    headers.pop("Accept")
    assert_taxii(taxii.get("/taxii2/", headers=headers))


def test_a_post_must_be_a_taxii_envelope(taxii, taxii_as, by_code):
    url = objects_url(by_code["usa-isr"])
    headers = taxii_as("ISR")
    for content_type in ("application/json", "application/stix+json;version=2.1", "application/taxii+json;version=2.0"):
        sent = taxii.post(url, json=envelope(indicators(1)), headers=headers | {"Content-Type": content_type})
        assert assert_taxii(sent, 415)["http_status"] == "415"
    for body in (b"{not json", b"[]", b'{"objects": []}', b'{"objects": {}}'):
        assert_taxii(taxii.post(url, content=body, headers=headers | {"Content-Type": TAXII}), 400)


def test_a_bad_object_fails_the_whole_envelope(taxii, taxii_as, push, by_code):
    good, bad = indicator(1), indicator(2) | {"pattern": "[not a pattern"}
    status = assert_taxii(push("ISR", "usa-isr", [good, bad]), 202)
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (2, 0, 2)
    assert all(f["message"] for f in status["failures"])
    assert assert_taxii(taxii.get(objects_url(by_code["usa-isr"]), headers=taxii_as("USA"))) == {}
    for odd in (["not an object"], [{"type": "indicator"}], [good, 42]):
        status = assert_taxii(push("ISR", "usa-isr", odd), 202)
        assert (status["total_count"], status["success_count"], status["failure_count"]) == (len(odd), 0, len(odd))


def test_only_those_who_speak_on_the_desk_add_objects(push):
    refused = assert_taxii(push("ISR", "usa-isr", indicators(1), role="admin"), 403)
    assert refused["http_status"] == "403"
    assert_taxii(push("ISR", "usa-isr", indicators(1), role="officer:intelligence"), 202)
    assert_taxii(push("FRA", "cell", indicators(1)), 403)  # an observer reads the whole cell's collection


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "ten"},
        {"added_after": "yesterday"},
        {"added_after": "2026-11-20"},
        {"match[colour]": "red"},
        {"match[version]": "newest"},
        {"next": "not-a-cursor"},
    ],
)
def test_a_bad_filter_is_a_bad_request(taxii, taxii_as, by_code, params):
    assert_taxii(taxii.get(objects_url(by_code["usa-isr"]), params=params, headers=taxii_as("USA")), 400)


def test_object_endpoints_take_only_their_filters(taxii, taxii_as, push, by_code):
    sent = indicator(1)
    assert_taxii(push("ISR", "usa-isr", [sent]), 202)
    url = f"{objects_url(by_code['usa-isr'])}{sent['id']}/"
    assert_taxii(taxii.get(url, params={"match[type]": "indicator"}, headers=taxii_as("USA")), 400)
    assert_taxii(taxii.get(url + "versions/", params={"match[version]": "all"}, headers=taxii_as("USA")), 400)


def test_other_paths_and_methods_answer_in_taxii(taxii, taxii_as, push, by_code):
    sent = indicator(1)
    assert_taxii(push("ISR", "usa-isr", [sent]), 202)
    assert_taxii(taxii.get("/taxii2/api/nothing/", headers=taxii_as("ISR")), 404)
    assert_taxii(taxii.get(API_ROOT_PATH + "collections", headers=taxii_as("ISR")), 404)
    deleted = taxii.delete(f"{objects_url(by_code['usa-isr'])}{sent['id']}/", headers=taxii_as("ISR"))
    assert_taxii(deleted, 405)
    assert deleted.headers["allow"] == "GET"
    assert_taxii(taxii.put("/taxii2/", headers=taxii_as("ISR")), 405)


def test_posting_the_same_objects_again_stores_them_once(taxii, taxii_as, push, by_code, db):
    sent = indicators(3)
    assert_taxii(push("ISR", "usa-isr", sent), 202)
    reports = db.scalar(select(func.count()).select_from(IntelReport))
    again = assert_taxii(push("ISR", "usa-isr", sent), 202)
    assert (again["success_count"], again["failure_count"]) == (3, 0)
    assert sorted(s["id"] for s in again["successes"]) == sorted(o["id"] for o in sent)
    assert db.scalar(select(func.count()).select_from(IntelReport)) == reports  # no empty upload recorded
    served = assert_taxii(taxii.get(objects_url(by_code["usa-isr"]), headers=taxii_as("USA")))["objects"]
    assert sorted(o["id"] for o in served) == sorted(o["id"] for o in sent)


def test_a_body_over_max_content_length_is_refused(taxii, taxii_as, by_code):
    limit = taxii.get(API_ROOT_PATH, headers=taxii_as("ISR")).json()["max_content_length"]
    body = b'{"objects": [' + b" " * limit + b"]}"
    refused = taxii.post(
        objects_url(by_code["usa-isr"]), content=body, headers=taxii_as("ISR") | {"Content-Type": TAXII}
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == TAXII
    assert refused.json()["http_status"] == "413"
