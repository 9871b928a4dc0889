"""The TAXII authorization matrix: every TAXII route × every party and role × every envelope state.

In every collection, each party that may add objects to it leaves one object in each state: waiting for
the mediator (pending), released, TLP:RED waiting for a second officer (a draft; not where observers
read, which RED may never reach) and retracted. Who should read each is written out here plainly
(`expected_readers`), not by calling the rule under test. Every refusal must be byte for byte the answer
about something that does not exist.
"""

from dataclasses import dataclass

import pytest

from fusioncell.access.models import User
from fusioncell.access.service import subject_for
from fusioncell.db.base import Status
from fusioncell.intel.collections import Collection
from fusioncell.intel.models import IntelReport
from fusioncell.intel.store import set_status
from fusioncell.intel.uploads import receive_objects
from fusioncell.taxii import API_ROOT_PATH
from tests.taxii.stix import TAXII, envelope, indicator

RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
MISSING_COLLECTION = f"{API_ROOT_PATH}collections/00000000-0000-5000-8000-000000000000/"
MISSING_OBJECT = "indicator--00000000-0000-4000-8000-000000000000"
WRITERS = ("liaison", "officer:intelligence")  # those who speak for their party on the intelligence desk


@dataclass(frozen=True)
class Placed:
    stix_id: str
    collection: Collection
    poster: str
    state: str


def expected_readers(placed: Placed, mediator: str) -> set[str]:
    """DESIGN.md's rule, for objects: drafts are the author's, the mediator reads what is not a draft,
    the audience reads what is released; a retracted object is withdrawn from every TAXII page."""
    return {
        "draft": {placed.poster},
        "pending": {placed.poster, mediator},
        "released": {placed.poster, mediator} | set(placed.collection.parties),
        "retracted": set(),
    }[placed.state]


def _place(db, cell, member, collection: Collection, state: str) -> Placed | None:
    subject = subject_for(db.get(User, member.user_id), cell)
    obj = indicator(len(state)) | ({"object_marking_refs": [RED]} if state == "draft" else {})
    receipt = receive_objects(db, cell=cell, subject=subject, collection=collection, objects=[obj])
    if receipt.failures:
        assert state == "draft", receipt.failures  # RED to an audience with observers is refused
        return None
    report = db.get(IntelReport, receipt.report_id)
    if state == "draft":
        assert report.status == Status.DRAFT
    elif state == "pending":
        if subject.is_mediator:  # the mediator's own release waits for nobody
            assert report.status == Status.RELEASED
            return Placed(obj["id"], collection, member.party, "released")
        set_status(db, report=report, status=Status.PENDING)  # where only the mediator reads, it would go out
    else:
        set_status(db, report=report, status=Status.RETRACTED if state == "retracted" else Status.RELEASED)
    return Placed(obj["id"], collection, member.party, state)


@pytest.fixture
def placed(db, cell, population, by_code) -> list[Placed]:
    found = []
    for collection in by_code.values():
        for party in sorted(collection.parties):
            member = population.member(party)
            if member.role != "liaison":
                continue  # observers add nothing
            for state in ("pending", "released", "draft", "retracted"):
                found.append(_place(db, cell, member, collection, state))
    db.commit()
    return [p for p in found if p is not None]


class Prober:
    """GETs that must answer 200, or exactly what the like request about something missing answers."""

    def __init__(self, taxii) -> None:
        self.taxii = taxii
        self.missing: dict[tuple[str, str], bytes] = {}  # (who, missing url) → its 404
        self.failures: list[str] = []
        self.checks = 0

    def get(self, url: str, headers: dict, *, readable: bool, missing_url: str, who: str):
        self.checks += 1
        response = self.taxii.get(url, headers=headers)
        if readable:
            if response.status_code != 200:
                self.failures.append(f"{who}: {url} answered {response.status_code}, expected 200")
            return response
        key = (headers["Authorization"], missing_url)
        if key not in self.missing:
            self.missing[key] = self.taxii.get(missing_url, headers=headers).content
        if response.status_code != 404 or response.content != self.missing[key]:
            self.failures.append(f"{who}: {url} answered {response.status_code}, not the 404 of {missing_url}")
        return None


def test_every_route_serves_each_party_exactly_what_it_may_read(taxii, taxii_as, cell, by_code, placed):
    mediator, probe = cell.mediator.code, Prober(taxii)
    for party in sorted(cell.party_codes):
        headers = taxii_as(party)
        listed = taxii.get(API_ROOT_PATH + "collections/", headers=headers).json()["collections"]
        assert {c["alias"] for c in listed} == {c.code for c in by_code.values() if party in c.parties}, party
        for collection in by_code.values():
            visible = party in collection.parties
            base = f"{API_ROOT_PATH}collections/{collection.id}/"
            here = [p for p in placed if p.collection == collection]
            expected = {p.stix_id for p in here if party in expected_readers(p, mediator)}
            for tail in ("", "objects/", "manifest/"):
                response = probe.get(
                    base + tail, headers, readable=visible, missing_url=MISSING_COLLECTION + tail, who=party
                )
                if response is not None and tail:
                    served = {o["id"] for o in response.json().get("objects", [])}
                    if served != expected:
                        probe.failures.append(f"{party}: {base + tail} served {served}, expected {expected}")
            missing_object = (base if visible else MISSING_COLLECTION) + f"objects/{MISSING_OBJECT}/"
            # Each object at its own collection, and one object of every other collection asked for here.
            elsewhere = {p.collection.code: p for p in placed if p.collection != collection}
            for p in here + list(elsewhere.values()):
                readable = visible and p.collection == collection and party in expected_readers(p, mediator)
                for tail in ("", "versions/"):
                    url = f"{base}objects/{p.stix_id}/{tail}"
                    probe.get(url, headers, readable=readable, missing_url=missing_object + tail, who=f"{party} {p}")
    assert not probe.failures, f"{len(probe.failures)} of {probe.checks} checks failed:\n" + "\n".join(
        probe.failures[:30]
    )


def test_every_role_sees_its_partys_collections_and_may_write_only_if_it_speaks_on_the_desk(
    taxii, population, cell, by_code
):
    for member in population.members:
        headers = {"Authorization": f"Bearer {member.token}", "Accept": TAXII}
        assert taxii.get("/taxii2/", headers=headers).status_code == 200  # discovery and the API root: anyone
        assert taxii.get(API_ROOT_PATH, headers=headers).status_code == 200
        listed = taxii.get(API_ROOT_PATH + "collections/", headers=headers).json()["collections"]
        assert {c["alias"] for c in listed} == {c.code for c in by_code.values() if member.party in c.parties}
        for resource in listed:
            assert resource["can_read"] is True
            assert resource["can_write"] is (member.role in WRITERS), (member.username, resource["alias"])


def test_posts_and_statuses_answer_as_the_rules_say_for_every_member(taxii, population, by_code):
    statuses = {}
    for member in population.members:
        headers = {"Authorization": f"Bearer {member.token}", "Accept": TAXII, "Content-Type": TAXII}
        for collection in by_code.values():
            url = f"{API_ROOT_PATH}collections/{collection.id}/objects/"
            response = taxii.post(url, json=envelope([indicator(1)]), headers=headers)
            expected = 404 if member.party not in collection.parties else 202 if member.role in WRITERS else 403
            assert response.status_code == expected, (member.username, collection.code, response.text)
            if expected == 202:
                statuses.setdefault(member.party, response.json()["id"])
    missing = f"{API_ROOT_PATH}status/00000000-0000-7000-8000-000000000000/"
    for member in population.members:
        headers = {"Authorization": f"Bearer {member.token}", "Accept": TAXII}
        for party, status_id in statuses.items():
            response = taxii.get(f"{API_ROOT_PATH}status/{status_id}/", headers=headers)
            if party == member.party:
                assert response.status_code == 200 and response.json()["id"] == status_id
            else:
                assert response.status_code == 404, (member.username, party)
                assert response.content == taxii.get(missing, headers=headers).content
