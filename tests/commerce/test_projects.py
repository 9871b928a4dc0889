"""Projects through the API: created as drafts or released, changed by their own party, moved through the stages
with dates in order, released to the mediator first and widened later; bad input gets a clear error at its field
and changes nothing."""

from datetime import date, timedelta

from fusioncell.commerce.models import Project
from fusioncell.db.base import Status
from tests.access.matrix import EnvelopeState
from tests.commerce.conftest import DAMASCUS, liaison, make_project, point, project_body


def count(db) -> int:
    return db.query(Project).count()


def test_a_project_starts_as_its_party_s_draft_and_enters_the_record(client, population, create):
    project = create()
    assert project["status"] == "draft" and project["origin_party"] == "ISR"
    assert project["ledger_index"] is not None and project["version"] == 1
    assert project["stage"] == "feasibility" and project["site_outside_zone"] is False
    assert project["history"][0]["stage"] == "feasibility" and project["history"][0]["by"] == "isr.liaison"
    for party in ("USA", "SYR"):
        assert client.get(f"/api/v1/projects/{project['id']}", headers=liaison(population, party)).status_code == 404


def test_the_current_stage_is_dated_today_unless_given(create):
    project = create(stage="concept", stage_dates={})
    assert project["stage_dates"] == {"concept": date.today().isoformat()}


def test_floated_to_the_mediator_first_then_offered_to_the_other_side(client, population, create):
    project = create()
    path, isr = f"/api/v1/projects/{project['id']}", liaison(population, "ISR")
    floated = client.post(f"{path}/release", json={"releasable_to": ["USA"]}, headers=isr)
    assert floated.status_code == 200 and floated.json()["status"] == "released"
    assert floated.json()["ledger_index"] > project["ledger_index"]
    assert client.get(path, headers=liaison(population, "USA")).status_code == 200
    assert client.get(path, headers=liaison(population, "SYR")).status_code == 404
    listed = client.get("/api/v1/projects", headers=liaison(population, "SYR")).json()["items"]
    assert project["id"] not in {p["id"] for p in listed}

    offered = client.post(f"{path}/release", json={"releasable_to": ["USA", "SYR"]}, headers=isr)
    assert offered.status_code == 200 and offered.json()["releasable_to"] == ["SYR", "USA"]
    assert client.get(path, headers=liaison(population, "SYR")).status_code == 200


def test_a_release_never_narrows(client, population, create):
    project = create(releasable_to=["USA", "SYR"])
    path, isr = f"/api/v1/projects/{project['id']}/release", liaison(population, "ISR")
    narrower = client.post(path, json={"releasable_to": ["USA"]}, headers=isr)
    assert narrower.status_code == 409 and "SYR" in narrower.json()["error"]["message"]
    assert client.post(path, json={"releasable_to": ["USA", "SYR"]}, headers=isr).status_code == 409
    unknown = client.post(path, json={"releasable_to": ["XXX"]}, headers=isr)
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "body.releasable_to"


def test_only_the_origin_party_s_writers_change_a_project(client, population, create):
    project = create(releasable_to=["USA", "SYR", "UNDOF"])
    path = f"/api/v1/projects/{project['id']}"
    for party in ("USA", "SYR"):
        assert client.patch(path, json={"name": "Mine"}, headers=liaison(population, party)).status_code == 403
    observer = client.patch(path, json={"name": "Mine"}, headers=liaison(population, "UNDOF"))
    assert observer.status_code == 403
    create_as_observer = client.post("/api/v1/projects", json=project_body(), headers=liaison(population, "UNDOF"))
    assert create_as_observer.status_code == 403
    changed = client.patch(
        path, json={"name": "Quneitra wind farm II", "jobs": 450}, headers=liaison(population, "ISR")
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["name"] == "Quneitra wind farm II" and body["jobs"] == 450 and body["version"] == 2
    assert body["ledger_index"] > project["ledger_index"] and body["power_mw"] == 120


def test_absurd_and_negative_figures_are_refused_and_change_nothing(client, population, db):
    isr = liaison(population, "ISR")
    before = count(db)
    negative = client.post("/api/v1/projects", json=project_body(jobs=-1), headers=isr)
    assert negative.status_code == 422 and "jobs" in negative.text
    absurd = client.post("/api/v1/projects", json=project_body(power_mw=50_000), headers=isr)
    assert absurd.status_code == 422
    [detail] = absurd.json()["error"]["details"]
    assert detail["field"] == "body.power_mw" and "grid" in detail["problem"]
    pharma = client.post("/api/v1/projects", json=project_body(pharma_import_substitution_percent=140), headers=isr)
    assert pharma.status_code == 422
    assert count(db) == before


def test_an_update_with_absurd_figures_changes_nothing(client, population, create):
    project = create()
    path, isr = f"/api/v1/projects/{project['id']}", liaison(population, "ISR")
    refused = client.patch(path, json={"name": "Renamed", "jobs": 5_000_000}, headers=isr)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "body.jobs"
    after = client.get(path, headers=isr).json()
    assert after["name"] == project["name"] and after["version"] == 1


def test_stage_dates_out_of_order_are_refused(client, population, db):
    before = count(db)
    body = project_body(stage_dates={"concept": "2026-03-01", "feasibility": "2026-02-01"})
    refused = client.post("/api/v1/projects", json=body, headers=liaison(population, "ISR"))
    assert refused.status_code == 422 and "out of order" in refused.text
    ahead = (date.today() + timedelta(days=30)).isoformat()
    reached_ahead = client.post(
        "/api/v1/projects", json=project_body(stage_dates={"feasibility": ahead}), headers=liaison(population, "ISR")
    )
    assert reached_ahead.status_code == 422 and "stage_dates.feasibility" in reached_ahead.text
    concept_after_today = project_body(stage_dates={"concept": ahead})  # feasibility defaults to today
    refused = client.post("/api/v1/projects", json=concept_after_today, headers=liaison(population, "ISR"))
    assert refused.status_code == 422 and "out of order" in refused.text
    assert count(db) == before


def test_stages_move_forward_with_their_dates_and_back_only_with_a_reason(client, population, create):
    project = create()
    path, isr = f"/api/v1/projects/{project['id']}/stage", liaison(population, "ISR")
    today = date.today().isoformat()
    agreed = client.post(path, json={"stage": "agreed", "on": today}, headers=isr)
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["stage_dates"]["agreed"] == today and agreed.json()["version"] == 2

    no_reason = client.post(path, json={"stage": "feasibility", "on": today}, headers=isr)
    assert no_reason.status_code == 422 and no_reason.json()["error"]["details"][0]["field"] == "body.reason"
    back = client.post(
        path, json={"stage": "feasibility", "on": today, "reason": "financing fell through"}, headers=isr
    )
    assert back.status_code == 200
    body = back.json()
    assert body["stage"] == "feasibility" and "agreed" not in body["stage_dates"]
    assert [h["stage"] for h in body["history"]] == ["feasibility", "agreed", "feasibility"]
    assert body["history"][-1]["reason"] == "financing fell through"


def test_a_stage_is_not_dated_before_the_current_one_nor_ahead(client, population, create):
    project = create()
    path, isr = f"/api/v1/projects/{project['id']}/stage", liaison(population, "ISR")
    early = (date.today() - timedelta(days=60)).isoformat()
    refused = client.post(path, json={"stage": "agreed", "on": early}, headers=isr)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "body.on"
    ahead = (date.today() + timedelta(days=10)).isoformat()
    assert client.post(path, json={"stage": "agreed", "on": ahead}, headers=isr).status_code == 422
    same = client.post(path, json={"stage": "feasibility", "on": date.today().isoformat()}, headers=isr)
    assert same.status_code == 409
    assert client.get(f"/api/v1/projects/{project['id']}", headers=isr).json()["version"] == 1


def test_sponsors_name_organisations_the_writer_may_read(client, population, create):
    usa, isr = liaison(population, "USA"), liaison(population, "ISR")
    fund = client.post(
        "/api/v1/organisations", json={"name": "Gulf Fund", "kind": "fund", "country": "AE"}, headers=usa
    )
    assert fund.status_code == 201 and fund.json()["releasable_to"] == [] and fund.json()["ledger_index"] is not None
    sponsors = [{"organisation_id": fund.json()["id"], "role": "investor"}]
    hidden = client.post("/api/v1/projects", json=project_body(sponsors=sponsors), headers=isr)
    assert hidden.status_code == 422 and "sponsors.0.organisation_id" in hidden.text
    own = client.post("/api/v1/organisations", json={"name": "Golan Wind Co"}, headers=isr).json()
    project = create(sponsors=[{"organisation_id": own["id"], "role": "sponsor"}])
    assert project["sponsors"] == [{"organisation_id": own["id"], "name": "Golan Wind Co", "role": "sponsor"}]
    assert client.get(f"/api/v1/organisations/{own['id']}", headers=liaison(population, "SYR")).status_code == 404
    assert client.get(f"/api/v1/organisations/{own['id']}", headers=usa).status_code == 200


def test_the_register_filters(client, population, create):
    create(name="Wind A", releasable_to=["USA"])
    create(name="Pharma B", sector="pharmaceutical", site=point(*DAMASCUS), releasable_to=["USA"])
    usa = liaison(population, "USA")

    def names(query: str) -> set[str]:
        return {p["name"] for p in client.get(f"/api/v1/projects?{query}", headers=usa).json()["items"]}

    assert names("sector=pharmaceutical") == {"Pharma B"}
    assert names("outside_zone=true") == {"Pharma B"}
    assert names("q=wind") == {"Wind A"}
    assert names("party=ISR") == {"Wind A", "Pharma B"}
    assert names("party=SYR") == set()
    page = client.get("/api/v1/projects?limit=1", headers=usa).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(f"/api/v1/projects?limit=1&cursor={page['next_cursor']}", headers=usa).json()
    assert rest["items"][0]["id"] != page["items"][0]["id"]


def test_a_retracted_project_changes_no_more(client, db, population):
    retracted = make_project(db, EnvelopeState("ISR retracted", "ISR", Status.RETRACTED, frozenset({"USA", "SYR"})))
    db.commit()
    isr = liaison(population, "ISR")
    assert client.patch(f"/api/v1/projects/{retracted}", json={"name": "Back"}, headers=isr).status_code == 409
    stage = {"stage": "feasibility", "on": date.today().isoformat()}
    assert client.post(f"/api/v1/projects/{retracted}/stage", json=stage, headers=isr).status_code == 409
    release = {"releasable_to": ["USA", "SYR", "JOR"]}
    assert client.post(f"/api/v1/projects/{retracted}/release", json=release, headers=isr).status_code == 409


def test_retracting_withdraws_a_released_project_with_its_reason(client, population, create):
    isr, syr, usa = (liaison(population, p) for p in ("ISR", "SYR", "USA"))
    draft = create(by="ISR")
    refused = client.post(f"/api/v1/projects/{draft['id']}/retract", json={"reason": "x"}, headers=isr)
    assert refused.status_code == 409  # a draft was never shown: it is not retracted
    released = client.post(
        f"/api/v1/projects/{draft['id']}/release", json={"releasable_to": ["USA", "SYR"]}, headers=isr
    ).json()
    path = f"/api/v1/projects/{draft['id']}/retract"
    assert client.post(path, json={"reason": "x"}, headers=syr).status_code == 403  # not SYR's project
    assert client.post(path, json={"reason": ""}, headers=isr).status_code == 422
    assert client.get(f"/api/v1/projects/{draft['id']}", headers=usa).json()["version"] == released["version"]

    retracted = client.post(path, json={"reason": "The sponsor withdrew."}, headers=isr)
    assert retracted.status_code == 200, retracted.text
    body = retracted.json()
    assert body["status"] == "retracted" and body["retraction_reason"] == "The sponsor withdrew."
    assert body["ledger_index"] > released["ledger_index"]
    seen = client.get(f"/api/v1/projects/{draft['id']}", headers=syr).json()  # its readers still see why
    assert seen["status"] == "retracted" and seen["retraction_reason"] == "The sponsor withdrew."
    assert client.post(path, json={"reason": "again"}, headers=isr).status_code == 409


def test_organisations_are_written_by_the_project_writers_only(client, population):
    observer = client.post("/api/v1/organisations", json={"name": "UN fund"}, headers=liaison(population, "UNDOF"))
    assert observer.status_code == 403
    unknown = client.post(
        "/api/v1/organisations", json={"name": "X", "releasable_to": ["XXX"]}, headers=liaison(population, "ISR")
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "body.releasable_to"
    bad_country = client.post(
        "/api/v1/organisations", json={"name": "X", "country": "Syria"}, headers=liaison(population, "SYR")
    )
    assert bad_country.status_code == 422


def test_nothing_sent_and_clearing_a_required_field_are_refused(client, population, create):
    project = create()
    path, isr = f"/api/v1/projects/{project['id']}", liaison(population, "ISR")
    assert client.patch(path, json={}, headers=isr).status_code == 422
    assert client.patch(path, json={"description": None}, headers=isr).status_code == 422
    cleared = client.patch(path, json={"power_mw": None}, headers=isr)
    assert cleared.status_code == 200 and cleared.json()["power_mw"] is None
