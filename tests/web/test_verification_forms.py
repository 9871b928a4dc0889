"""The verification page's forms over HTTP: each shown only to whom its service allows, each going through
the API's schema and handler (the same flags and refusals), CSRF, and bad input naming the field with
nothing stored."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.support import bearer
from tests.verification.conftest import stored
from tests.web.test_pages import HTML, csrf_of


def forms_shown(html: str) -> set[str]:
    return set(re.findall(r'data-testid="form-(posture|inspection|position)"', html))


@pytest.mark.parametrize(
    ("username", "forms"),
    [
        ("isr.liaison", {"posture", "position"}),
        ("syr.officer-deescalation", {"posture", "position"}),
        ("undof.observer", {"inspection", "position"}),
        ("usa.liaison", {"position"}),  # the mediator holds no forces in the bands and inspects nothing
        ("isr.officer-intelligence", set()),
        ("fra.observer", {"inspection", "position"}),
    ],
)
def test_each_form_is_shown_only_to_whom_its_service_allows(browser, username, forms):
    html = browser(username).get("/verification", headers=HTML).text
    assert forms_shown(html) == forms


def post(browser: TestClient, path: str, data: dict):
    html = browser.get("/verification", headers=HTML).text
    return browser.post(
        path, data={"csrf_token": csrf_of(html, "csrf_token")} | data, headers=HTML, follow_redirects=False
    )


def test_a_posture_over_the_limits_is_declared_and_flagged(browser, client, population):
    isr = browser("isr.liaison")
    done = post(
        isr,
        "/verification/postures",
        {
            "zone": "aol-alpha-0-10",
            "as_of": "2026-11-01",
            "troops": "7000",
            "tanks": "60",
            "artillery": "",
            "remarks": "Exercise rotation.",
        },
    )
    assert done.status_code == 303, done.text
    [posture] = client.get("/api/v1/posture-declarations", headers=bearer(population.member("ISR"))).json()["items"]
    assert posture["over_limit"] is True and posture["troops"] == 7000 and posture["artillery"] == 0
    assert posture["remarks"] == "Exercise rotation." and posture["tanks"] == 60


def test_an_inspection_counting_over_the_limits_is_a_violation(browser, client, population):
    undof = browser("undof.observer")
    done = post(
        undof,
        "/verification/inspections",
        {
            "zone": "aol-bravo-0-10",
            "inspected_on": "2026-11-20",
            "tanks": "80",
            "compliant": "yes",
            "result": "compliant",
            "summary": "Fortnightly inspection.",
        },
    )
    assert done.status_code == 303, done.text
    [inspection] = client.get("/api/v1/inspections", headers=bearer(population.member("UNDOF"))).json()["items"]
    assert inspection["result"] == "violation" and inspection["findings"][0]["observed"]["tanks"] == 80
    assert inspection["findings"][0]["observed"]["troops"] is None  # a box left empty: not counted


def test_a_position_is_registered_and_its_page_opens(browser):
    isr = browser("isr.liaison")
    done = post(
        isr,
        "/verification/positions",
        {"name": "Hermon summit post", "lat": "33.416", "lon": "35.857", "holding_party": "ISR", "description": ""},
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/positions/")
    assert "Hermon summit post" in isr.get(done.headers["location"], headers=HTML).text


@pytest.mark.parametrize(
    ("username", "path", "data", "field"),
    [
        ("isr.liaison", "/verification/postures", {"zone": "aol-alpha-0-10", "as_of": "yesterday"}, "form.as_of"),
        (
            "isr.liaison",
            "/verification/postures",
            {"zone": "aol-alpha-0-10", "as_of": "2026-11-01", "tanks": "-3"},
            "form.tanks",
        ),
        ("isr.liaison", "/verification/postures", {"zone": "aol-bravo-0-10", "as_of": "2026-11-01"}, "body.zone"),
        (
            "undof.observer",
            "/verification/inspections",
            {"zone": "aos", "inspected_on": "2026-11-01", "result": "compliant", "summary": " "},
            "form.summary",
        ),
        (
            "isr.liaison",
            "/verification/positions",
            {"name": "Post", "lat": "north", "lon": "35.8"},
            "form.location.coordinates",
        ),
        (
            "isr.liaison",
            "/verification/positions",
            {"name": "Post", "lat": "48.85", "lon": "2.35"},
            "body.location.coordinates",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(browser, db, username, path, data, field):
    member = browser(username)  # logging in enters the record; what the form stores is measured after
    before = stored(db)
    refused = post(member, path, data)
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    db.expire_all()
    assert stored(db) == before


def test_a_form_is_refused_to_whom_the_service_refuses_and_without_the_csrf_token(browser, db):
    usa, isr = browser("usa.liaison"), browser("isr.liaison")
    before = stored(db)
    assert post(usa, "/verification/postures", {"zone": "aol-alpha-0-10", "as_of": "2026-11-01"}).status_code == 403
    isr = browser("isr.liaison")
    assert (
        post(
            isr,
            "/verification/inspections",
            {"zone": "aos", "inspected_on": "2026-11-01", "result": "compliant", "summary": "x"},
        ).status_code
        == 403
    )
    forged = isr.post(
        "/verification/positions",
        data={"csrf_token": "forged", "name": "P", "lat": "33.2", "lon": "35.8"},
        headers=HTML,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    db.expire_all()
    assert stored(db)[:3] == before[:3]  # no record (a forged token is itself an account event in the record)
