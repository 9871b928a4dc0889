"""The site rule and the demilitarised zone: a site outside the economic zone is refused or flagged as the cell
says; military activity within a site is flagged on the project and on the incident, each only to whom may read
both (the flag never tells a party about an incident, or a project, it may not read)."""

import uuid

import pytest

from fusioncell.cell.commerce import SiteRule
from fusioncell.commerce import service, site_conflicts
from fusioncell.commerce.models import Project
from fusioncell.commerce.schemas import ProjectCreate, ProjectUpdate
from fusioncell.db.base import Status
from fusioncell.errors import Invalid
from fusioncell.incidents.models import Incident
from tests.access.matrix import EnvelopeState
from tests.commerce.conftest import (
    DAMASCUS,
    QUNEITRA,
    liaison,
    make_incident,
    make_project,
    point,
    project_body,
    rule,
    square,
)

RELEASED_TO_ALL = frozenset({"USA", "ISR", "SYR"})


def test_a_site_outside_the_zone_is_refused_when_the_cell_says_reject(db, cell, subject):
    isr = subject("isr.liaison")
    before = db.query(Project).count()
    body = ProjectCreate.model_validate(project_body(site=point(*DAMASCUS)))
    with pytest.raises(Invalid) as refused:
        service.create_project(db, subject=isr, cell=rule(cell, SiteRule.REJECT), data=body)
    assert refused.value.details[0]["field"] == "body.site" and "outside" in refused.value.details[0]["problem"]
    assert db.query(Project).count() == before


def test_a_site_reaching_out_of_the_zone_is_outside(db, cell, subject):
    wide = ProjectCreate.model_validate(project_body(site=square(*QUNEITRA, half=0.2)))
    with pytest.raises(Invalid):
        service.create_project(db, subject=subject("isr.liaison"), cell=rule(cell, SiteRule.REJECT), data=wide)
    inside = ProjectCreate.model_validate(project_body(site=square(*QUNEITRA, half=0.003)))
    project = service.create_project(db, subject=subject("isr.liaison"), cell=rule(cell, SiteRule.REJECT), data=inside)
    assert project.site_outside_zone is False


def test_a_site_outside_the_zone_is_kept_and_flagged_when_the_cell_says_flag(db, cell, subject):
    body = ProjectCreate.model_validate(project_body(site=point(*DAMASCUS)))
    project = service.create_project(db, subject=subject("isr.liaison"), cell=rule(cell, SiteRule.FLAG), data=body)
    assert project.site_outside_zone is True
    moved = service.update_project(
        db,
        subject=subject("isr.liaison"),
        cell=rule(cell, SiteRule.FLAG),
        project_id=project.id,
        data=ProjectUpdate(site=point(*QUNEITRA)),
    )
    assert moved.site_outside_zone is False and moved.version == 2


def test_moving_a_site_out_of_the_zone_is_refused_under_reject(db, cell, subject):
    strict = rule(cell, SiteRule.REJECT)
    body = ProjectCreate.model_validate(project_body())
    project = service.create_project(db, subject=subject("isr.liaison"), cell=strict, data=body)
    with pytest.raises(Invalid):
        service.update_project(
            db,
            subject=subject("isr.liaison"),
            cell=strict,
            project_id=project.id,
            data=ProjectUpdate(site=point(*DAMASCUS)),
        )
    assert project.site == point(*QUNEITRA) and project.version == 1


def test_the_default_cell_flags_and_the_api_shows_the_flag(client, population):
    response = client.post(
        "/api/v1/projects", json=project_body(site=point(*DAMASCUS)), headers=liaison(population, "ISR")
    )
    assert response.status_code == 201 and response.json()["site_outside_zone"] is True


def _state(origin: str, status: Status, readers: frozenset[str]) -> EnvelopeState:
    return EnvelopeState(f"{origin} {status}", origin, status, readers)


def test_military_activity_in_a_site_is_flagged_on_both_records(db, cell, subject):
    project_id = make_project(db, _state("ISR", Status.RELEASED, RELEASED_TO_ALL))
    clash = make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL))
    make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL), type="peaceful-protest")  # not military
    make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL), at=(QUNEITRA[0] + 0.05, QUNEITRA[1]))  # 5 km
    project, incident = db.get(Project, uuid.UUID(project_id)), db.get(Incident, uuid.UUID(clash))
    isr = subject("isr.liaison")
    found = site_conflicts.military_incidents_in_site(db, subject=isr, cell=cell, project=project)
    assert [str(i.id) for i in found] == [clash]
    at = site_conflicts.projects_at_incident(db, subject=isr, cell=cell, incident=incident)
    assert [str(p.id) for p in at] == [project_id]


def test_the_flag_is_hidden_from_a_party_that_cannot_read_the_incident(client, db, population):
    project_id = make_project(db, _state("ISR", Status.RELEASED, RELEASED_TO_ALL))
    to_usa_only = make_incident(db, _state("SYR", Status.RELEASED, frozenset({"USA"})))
    db.commit()
    seen = {
        party: client.get(f"/api/v1/projects/{project_id}", headers=liaison(population, party)).json()
        for party in ("USA", "ISR", "SYR")
    }
    assert [i["id"] for i in seen["USA"]["military_incidents"]] == [to_usa_only]
    assert [i["id"] for i in seen["SYR"]["military_incidents"]] == [to_usa_only]
    assert seen["ISR"]["military_incidents"] == []
    listed = client.get(f"/api/v1/projects/{project_id}/incidents", headers=liaison(population, "ISR")).json()
    assert listed["items"] == []
    assert (
        client.get(f"/api/v1/incidents/{to_usa_only}/projects", headers=liaison(population, "ISR")).status_code == 404
    )


def test_the_incident_side_is_hidden_from_a_party_that_cannot_read_the_project(client, db, population):
    floated = make_project(db, _state("ISR", Status.RELEASED, frozenset({"USA"})))
    clash = make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL))
    db.commit()

    def projects(party: str) -> list[str]:
        response = client.get(f"/api/v1/incidents/{clash}/projects", headers=liaison(population, party))
        assert response.status_code == 200
        return [p["id"] for p in response.json()["items"]]

    assert projects("USA") == [floated] and projects("ISR") == [floated]
    assert projects("SYR") == []
    page = client.get(f"/incidents/{clash}", headers=liaison(population, "SYR")).text
    assert floated not in page
    assert floated in client.get(f"/incidents/{clash}", headers=liaison(population, "USA")).text


def test_a_retracted_incident_flags_nothing(db, cell, subject):
    project_id = make_project(db, _state("ISR", Status.RELEASED, RELEASED_TO_ALL))
    make_incident(db, _state("SYR", Status.RETRACTED, RELEASED_TO_ALL))
    project = db.get(Project, uuid.UUID(project_id))
    assert (
        site_conflicts.military_incidents_in_site(db, subject=subject("usa.liaison"), cell=cell, project=project) == []
    )


def test_a_polygon_site_holds_what_lies_inside_it(db, cell, subject):
    site = square(*QUNEITRA, half=0.02)
    project_id = make_project(db, _state("ISR", Status.RELEASED, RELEASED_TO_ALL), site=site)
    inside = make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL), at=(QUNEITRA[0] + 0.015, QUNEITRA[1]))
    make_incident(db, _state("SYR", Status.RELEASED, RELEASED_TO_ALL), at=(QUNEITRA[0] + 0.05, QUNEITRA[1]))
    project = db.get(Project, uuid.UUID(project_id))
    project.site_min_lat, project.site_max_lat = QUNEITRA[0] - 0.02, QUNEITRA[0] + 0.02
    project.site_min_lon, project.site_max_lon = QUNEITRA[1] - 0.02, QUNEITRA[1] + 0.02
    db.flush()
    found = site_conflicts.military_incidents_in_site(db, subject=subject("usa.liaison"), cell=cell, project=project)
    assert [str(i.id) for i in found] == [inside]
    incident = db.get(Incident, uuid.UUID(inside))
    assert [
        str(p.id)
        for p in site_conflicts.projects_at_incident(db, subject=subject("usa.liaison"), cell=cell, incident=incident)
    ] == [project_id]


def test_the_api_refuses_a_site_outside_the_zone_when_the_cell_says_reject(client, runtime, population, db, cell):
    runtime.cell = rule(cell, SiteRule.REJECT)  # the app reads the runtime it was built with
    before = db.query(Project).count()
    response = client.post(
        "/api/v1/projects", json=project_body(site=point(*DAMASCUS)), headers=liaison(population, "ISR")
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.site"
    assert db.query(Project).count() == before
    inside = client.post("/api/v1/projects", json=project_body(), headers=liaison(population, "ISR"))
    assert inside.status_code == 201 and inside.json()["site_outside_zone"] is False
