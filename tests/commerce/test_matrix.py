"""The commercial desk under the authorization matrix (tests/access/matrix.py): projects in the list, the detail,
the military incidents of a site, the CSV export and every action; organisations; the projects at an incident.
Every member of every party, every envelope state; what a party may not read answers exactly as what does not
exist. Then the issue's case spelt out: a project released only to USA is invisible to SYR everywhere."""

import csv
import io

from fusioncell.commerce.models import Organisation
from fusioncell.db.base import Status
from tests.access.matrix import (
    EnvelopeState,
    MatrixCase,
    assert_matrix_holds,
    envelope_of,
    envelope_states,
    expected_readers,
    stored,
)
from tests.commerce.conftest import MISSING, liaison, make_incident, make_project
from tests.support import bearer

API_ACTIONS = [
    lambda i: ("PATCH", f"/api/v1/projects/{i}", {"name": "probe"}),
    lambda i: ("POST", f"/api/v1/projects/{i}/stage", {"stage": "feasibility", "on": "2026-01-11"}),
    lambda i: ("POST", f"/api/v1/projects/{i}/release", {"releasable_to": ["USA"]}),
    lambda i: ("GET", f"/api/v1/projects/{i}/incidents", None),
    lambda i: ("POST", f"/api/v1/projects/{i}/retract", {"reason": "probe"}),
]


def make_organisation(session, state) -> str:
    return stored(session, Organisation(name=f"probe for {state.label}", **envelope_of(state)))


def test_projects_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="projects",
        create=make_project,
        detail_path=lambda i: f"/api/v1/projects/{i}",
        missing_id=MISSING,
        list_path="/api/v1/projects?limit=200",
        actions=API_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_the_incidents_of_a_site_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="project incidents",
        create=make_project,
        detail_path=lambda i: f"/api/v1/projects/{i}/incidents",
        missing_id=MISSING,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_the_projects_at_an_incident_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="projects at an incident",
        create=make_incident,
        detail_path=lambda i: f"/api/v1/incidents/{i}/projects",
        missing_id=MISSING,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_organisations_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="organisations",
        create=make_organisation,
        detail_path=lambda i: f"/api/v1/organisations/{i}",
        missing_id=MISSING,
        list_path="/api/v1/organisations?limit=200",
    )
    assert_matrix_holds(client, db, population, cell, case)


def exported_ids(client, headers) -> set[str]:
    text = client.get("/api/v1/projects/export.csv", headers=headers).text
    return {row["id"] for row in csv.DictReader(io.StringIO(text))}


def test_every_member_s_export_holds_exactly_what_it_may_read(client, db, population, cell):
    created = [(state, make_project(db, state)) for state in envelope_states(cell)]
    db.commit()
    for member in population.members:
        expected = {i for state, i in created if member.party in expected_readers(state, cell)}
        assert exported_ids(client, bearer(member)) == expected, member.username


def test_a_project_released_only_to_the_mediator_is_invisible_to_the_other_side(client, db, population, cell):
    released_to_usa = make_project(db, envelope_of_state("ISR", Status.RELEASED, {"USA"}))
    make_incident(db, envelope_of_state("ISR", Status.RELEASED, {"USA", "SYR"}))  # in its site, readable by SYR
    db.commit()
    syr, usa = liaison(population, "SYR"), liaison(population, "USA")
    assert client.get(f"/api/v1/projects/{released_to_usa}", headers=usa).status_code == 200
    for member in (m for m in population.members if m.party == "SYR"):
        headers = bearer(member)
        assert released_to_usa not in {p["id"] for p in client.get("/api/v1/projects", headers=headers).json()["items"]}
        assert released_to_usa not in exported_ids(client, headers)
        for method, path, body in [action(released_to_usa) for action in API_ACTIONS] + [
            ("GET", f"/api/v1/projects/{released_to_usa}", None)
        ]:
            missing_path = path.replace(released_to_usa, MISSING)
            missing = client.request(method, missing_path, json=body, headers=headers)
            hidden = client.request(method, path, json=body, headers=headers)
            assert hidden.status_code == 404 and hidden.json() == missing.json(), (member.username, method, path)
    # The flag on the incident's side does not name it to SYR either, though SYR reads the incident.
    incident_id = client.get("/api/v1/incidents", headers=syr).json()["items"][0]["id"]
    assert client.get(f"/api/v1/incidents/{incident_id}/projects", headers=syr).json()["items"] == []
    assert (
        client.get(f"/api/v1/incidents/{incident_id}/projects", headers=usa).json()["items"][0]["id"] == released_to_usa
    )


def envelope_of_state(origin: str, status: Status, readers: set[str]) -> EnvelopeState:
    return EnvelopeState(f"{origin} {status} to {sorted(readers)}", origin, status, frozenset(readers))


ROUTES = [
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/export.csv"),
    ("POST", "/api/v1/projects/import"),
    ("GET", "/api/v1/projects/{i}"),
    ("PATCH", "/api/v1/projects/{i}"),
    ("POST", "/api/v1/projects/{i}/stage"),
    ("POST", "/api/v1/projects/{i}/release"),
    ("GET", "/api/v1/projects/{i}/incidents"),
    ("GET", "/api/v1/incidents/{i}/projects"),
    ("GET", "/api/v1/organisations"),
    ("POST", "/api/v1/organisations"),
    ("GET", "/api/v1/organisations/{i}"),
]


def test_strangers_are_refused_on_every_route(client):
    for method, path in ROUTES:
        assert client.request(method, path.format(i=MISSING)).status_code == 401, (method, path)
