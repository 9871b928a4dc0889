"""The commercial desk's pages over HTTP: the register with its filters, export link and forms; one project with
its figures, stages, site and the military incidents in it; the forms through the API's schema and service (a
refusal re-renders with the error and changes nothing); the CSV import form, all or nothing or the valid rows
only, each bad row listed; CSRF; user text escaped."""

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.commerce import service
from fusioncell.commerce.models import Project
from fusioncell.commerce.schemas import ProjectCreate
from tests.access.matrix import EnvelopeState
from tests.commerce.conftest import make_incident
from tests.web.test_pages import HTML, browser_login, csrf_of

HOSTILE = '<script>alert("x")</script><b>bold</b>'
QUNEITRA = {"type": "Point", "coordinates": [35.8239, 33.1256]}
KHAN_ARNABAH = {"type": "Point", "coordinates": [35.9, 33.175]}  # east of Line B: outside the zone


@pytest.fixture
def browser(client):
    """`browser(username)`: a client with its own cookie jar, logged in through the form."""

    def logged_in(username: str) -> TestClient:
        other = TestClient(client.app)
        assert browser_login(other, username).status_code == 303
        return other

    return logged_in


@pytest.fixture
def made(db, cell):
    """`made(by="isr", **fields)`: a project recorded through the service by the party's liaison officer."""

    def record(by: str = "isr", **fields):
        subject = subject_for(user_by_name(db, f"{by}.liaison"), cell)
        body = {"name": "Quneitra wind farm", "sector": "energy-wind", "site": QUNEITRA, "power_mw": 120} | fields
        project = service.create_project(db, subject=subject, cell=cell, data=ProjectCreate.model_validate(body))
        db.commit()
        return project

    return record


def page(agent, path: str) -> str:
    response = agent.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.text


def count(db) -> int:
    return db.execute(select(func.count()).select_from(Project)).scalar_one()


def test_the_register_lists_filters_and_links_the_export(browser, made):
    wind = made(releasable_to=["SYR"], illustrative=True)
    plant = made(name="Generic medicines plant", sector="pharmaceutical", site=KHAN_ARNABAH, releasable_to=["SYR"])
    secret = made(name="Floated resort", sector="tourism", releasable_to=["USA"])
    syr = browser("syr.liaison")
    html = page(syr, "/projects")
    assert f'data-project="{wind.id}"' in html and f'data-project="{plant.id}"' in html
    assert str(secret.id) not in html  # floated to the mediator only
    assert 'data-testid="illustrative"' in html and 'data-testid="outside-zone"' in html
    only_pharma = page(syr, "/projects?sector=pharmaceutical&stage=&party=ISR")
    assert str(plant.id) in only_pharma and str(wind.id) not in only_pharma
    outside = page(syr, "/projects?outside=yes")
    assert str(plant.id) in outside and str(wind.id) not in outside
    assert str(wind.id) in page(syr, "/projects?outside=no") and str(wind.id) not in page(syr, "/projects?party=SYR")
    assert 'href="/api/v1/projects/export.csv?outside_zone=true"' in outside
    exported = syr.get("/api/v1/projects/export.csv?outside_zone=true")
    assert exported.status_code == 200 and str(plant.id) in exported.text and str(wind.id) not in exported.text
    assert str(secret.id) in page(browser("usa.liaison"), "/projects")
    assert 'data-testid="form-project"' in html and 'data-testid="form-import"' in html
    observer = page(browser("undof.observer"), "/projects")
    assert 'data-testid="form-project"' not in observer and 'data-testid="form-import"' not in observer


def test_the_project_page_shows_figures_stages_site_and_incidents(browser, db, made):
    project = made(
        stage="agreed",
        stage_dates={"concept": "2025-03-01", "agreed": "2025-06-01", "operating": "2027-01-01"},
        sponsors=[{"name": "Example Wind Partners", "role": "investor"}],
        jobs=350,
        releasable_to=["SYR"],
    )
    make_incident(db, EnvelopeState("syr incident", "SYR", "released", frozenset({"ISR"})))
    db.commit()
    html = page(browser("syr.liaison"), f"/projects/{project.id}")
    assert 'data-testid="project-stage">agreed<' in html and "350 jobs" in html and "120 MW" in html
    assert re.search(
        r'data-stage="agreed" aria-current="step">\s*<strong>agreed</strong> \(now\) · reached '
        r'<time datetime="2025-06-01">Jun 1, 2025</time>',
        html,
    )
    assert 'planned <time datetime="2027-01-01">Jan 1, 2027</time>' in html and "Example Wind Partners" in html
    assert 'data-site=\'{"coordinates": [35.8239, 33.1256], "type": "Point"}\'' in html
    assert '<script src="/static/js/project-map.js" defer></script>' in html
    assert 'data-testid="site-incidents"' in html and "armed-clash" in html
    assert 'data-testid="outside-zone"' not in html
    assert 'data-testid="form-stage"' not in html  # SYR may read ISR's project, not change it
    mine = page(browser("isr.liaison"), f"/projects/{project.id}")
    assert 'data-testid="form-stage"' in mine and 'data-testid="form-release"' in mine
    outside = made(site=KHAN_ARNABAH)
    assert 'data-testid="outside-zone"' in page(browser("isr.liaison"), f"/projects/{outside.id}")


def test_the_forms_record_move_and_release_a_project(browser, db):
    isr = browser("isr.liaison")
    form = page(isr, "/projects")
    created = isr.post(
        "/projects",
        data={
            "csrf_token": csrf_of(form, "csrf_token"),
            "name": "Data centre",
            "sector": "data-centre",
            "stage": "feasibility",
            "stage_date": (date.today() - timedelta(days=10)).isoformat(),
            "lat": "33.135",
            "lon": "35.835",
            "jobs": "800",
            "gdp_usd_per_year": "350,000,000",
            "sponsor": "Example Cloud",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text[:500]
    where = created.headers["location"]
    project = db.execute(select(Project).where(Project.name == "Data centre")).scalar_one()
    assert where == f"/projects/{project.id}" and project.status == "draft" and project.gdp_usd_per_year == 350e6
    token = csrf_of(page(isr, where), "csrf_token")
    moved = isr.post(f"{where}/stage", data={"csrf_token": token, "stage": "agreed", "on": date.today().isoformat()})
    assert moved.status_code == 200 and 'data-testid="project-stage">agreed<' in moved.text
    released = isr.post(f"{where}/release", data={"csrf_token": token, "release_to": ["SYR"]})
    assert released.status_code == 200 and "released to SYR" in released.text
    assert str(project.id) in page(browser("syr.liaison"), "/projects")


def test_a_refused_form_shows_the_error_and_changes_nothing(browser, db, made):
    isr = browser("isr.liaison")
    token = csrf_of(page(isr, "/projects"), "csrf_token")
    before = count(db)
    bad = isr.post(
        "/projects",
        data={
            "csrf_token": token,
            "name": HOSTILE,
            "lat": "33.13",
            "lon": "35.83",
            "pharma_import_substitution_percent": "150",
        },
    )
    assert bad.status_code == 422 and 'data-testid="error-create"' in bad.text
    assert "pharma_import_substitution_percent" in bad.text and count(db) == before
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"' in bad.text  # as typed
    project = made(stage="agreed", stage_dates={"agreed": "2025-06-01"})
    back = isr.post(f"/projects/{project.id}/stage", data={"csrf_token": token, "stage": "concept", "on": "2025-07-01"})
    assert back.status_code == 422 and 'data-testid="error-stage"' in back.text and "say why" in back.text
    db.refresh(project)
    assert project.stage == "agreed" and project.version == 1
    other = browser("usa.liaison").post(f"/projects/{project.id}/release", data={"csrf_token": "stale"})
    assert other.status_code == 403  # a stale CSRF token: refused before anything is read


CSV_GOOD = "name,sector,stage,site_lat,site_lon,jobs\nPipeline segment,energy-pipeline,concept,32.98,35.87,1200\n"
CSV_BAD = CSV_GOOD + f'"{HOSTILE}",nonsense,concept,32.98,35.87,-5\n'


def test_the_import_form_is_all_or_nothing_unless_told(browser, db):
    isr = browser("isr.liaison")
    token = csrf_of(page(isr, "/projects"), "csrf_token")
    before = count(db)
    refused = isr.post("/projects/import", data={"csrf_token": token}, files={"file": ("p.csv", CSV_BAD, "text/csv")})
    assert refused.status_code == 422 and count(db) == before
    assert '<tr data-row="3">' in refused.text and "nothing was imported" in refused.text
    assert HOSTILE not in refused.text
    partial = isr.post(
        "/projects/import", data={"csrf_token": token, "partial": "yes"}, files={"file": ("p.csv", CSV_BAD, "text/csv")}
    )
    assert partial.status_code == 200 and '<tr data-row="3">' in partial.text and count(db) == before + 1
    assert "Imported 1 project as a draft" in partial.text
    whole = isr.post("/projects/import", data={"csrf_token": token}, files={"file": ("p.csv", CSV_GOOD, "text/csv")})
    assert whole.status_code == 200 and count(db) == before + 2  # followed to the register
    empty = isr.post("/projects/import", data={"csrf_token": token}, files={"file": ("p.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "Choose a CSV file" in empty.text


def test_user_text_is_escaped(browser, made):
    project = made(
        name=HOSTILE, description=HOSTILE, sponsors=[{"name": HOSTILE, "role": "sponsor"}], releasable_to=["SYR"]
    )
    for path in ("/projects", f"/projects/{project.id}"):
        html = page(browser("syr.liaison"), path)
        assert HOSTILE not in html and "&lt;script&gt;" in html and "<b>bold</b>" not in html
    assert "<script>" not in page(browser("syr.liaison"), "/projects/dashboard").split("</head>")[1]
