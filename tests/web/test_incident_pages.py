"""The incident pages over HTTP: the queue with its countdowns, one incident as its reader may see it, the
Acknowledge button (CSRF, the service's rules), and the matrix: an unreadable incident's page and button
are the 404 of a missing one, and the queue lists exactly what the API lists to each member."""

import re
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from fusioncell.db.types import utcnow
from fusioncell.incidents.models import Incident
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_states
from tests.incidents.conftest import HADER, MISSING, point, report_body
from tests.incidents.test_matrix import make_incident
from tests.support import bearer
from tests.web.test_pages import HTML, csrf_of


@pytest.fixture
def as_(browser):
    """Here a member's logged-in browser (tests/web/conftest.py)."""
    return browser


@pytest.fixture
def reported(client, population):
    """An ISR report of shelling near Hader (a protected site), released to the plenary: SYR owes the
    acknowledgement."""
    body = report_body(
        location=point(*HADER),
        type="shelling-artillery-missile-attack",
        description="Shells <b>near</b> Hader.",
    )
    response = client.post("/api/v1/incidents", json=body, headers=bearer(population.member("ISR", "liaison")))
    assert response.status_code == 201, response.text
    return response.json()


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def test_the_queue_shows_what_the_party_owes_with_a_countdown(as_, reported):
    html = page(as_("syr.liaison"), "/incidents")
    assert re.search(r'<a href="/incidents" aria-current="page">Incidents</a>', html)
    row = re.search(rf'<tr data-incident="{reported["id"]}".*?</tr>', html, re.S).group(0)
    assert f'href="/incidents/{reported["id"]}"' in row
    assert 'time class="countdown"' in row and "data-countdown" in row
    assert 'data-stage="reported"' in row and f'data-severity="{reported["severity"]}"' in row
    assert "Overdue" not in row
    assert re.search(r'data-testid="incidents-owed">1<', html)
    # The reporter owes nothing: no countdown, the state of the acknowledgement instead.
    isr_row = re.search(rf'<tr data-incident="{reported["id"]}".*?</tr>', page(as_("isr.liaison"), "/incidents"), re.S)
    assert "data-countdown" not in isr_row.group(0) and "awaiting SYR" in isr_row.group(0)


def test_an_overdue_acknowledgement_is_marked(as_, reported, db):
    incident = db.get(Incident, uuid.UUID(reported["id"]))
    incident.ack_due_at = utcnow() - timedelta(minutes=5)
    db.commit()
    row = re.search(rf'<tr data-incident="{reported["id"]}".*?</tr>', page(as_("syr.liaison"), "/incidents"), re.S)
    assert 'class="is-overdue"' in row.group(0) and "Overdue" in row.group(0)


def test_the_incident_page_shows_the_derived_facts_and_escapes_the_account(as_, reported):
    html = page(as_("syr.liaison"), f"/incidents/{reported['id']}")
    assert "Hader" in html  # the protected site, by name
    assert reported["violations"] and 'data-testid="violations"' in html
    for violation in reported["violations"]:
        assert violation["names"]["en"] in html
    assert "Shells &lt;b&gt;near&lt;/b&gt; Hader." in html and "<b>near</b>" not in html
    assert 'data-testid="ack-owed"' in html and f'action="/incidents/{reported["id"]}/acknowledge"' in html
    assert 'data-testid="lifecycle"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None and 'style="' not in html
    # The reporter and the mediator are not asked: no button.
    assert 'data-testid="ack-owed"' not in page(as_("isr.liaison"), f"/incidents/{reported['id']}")
    assert 'data-testid="ack-owed"' not in page(as_("usa.liaison"), f"/incidents/{reported['id']}")


def test_acknowledging_through_the_form(as_, reported, client, population):
    syr = as_("syr.liaison")
    html = page(syr, f"/incidents/{reported['id']}")
    response = syr.post(
        f"/incidents/{reported['id']}/acknowledge",
        data={"csrf_token": csrf_of(html, "csrf_token")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/incidents/{reported['id']}"
    after = page(syr, f"/incidents/{reported['id']}")
    assert 'data-testid="ack-owed"' not in after and re.search(r'data-testid="stage">acknowledged<', after)
    api = client.get(f"/api/v1/incidents/{reported['id']}", headers=bearer(population.member("USA", "liaison")))
    assert api.json()["stage"] == "acknowledged" and api.json()["acknowledged_parties"] == ["SYR"]
    # Twice is the service's conflict, not a second acknowledgement.
    again = syr.post(
        f"/incidents/{reported['id']}/acknowledge", data={"csrf_token": csrf_of(after, "csrf_token")}, headers=HTML
    )
    assert again.status_code == 409


def test_a_form_without_the_session_s_csrf_token_is_refused(as_, reported, client, population):
    syr = as_("syr.liaison")
    for data in ({"csrf_token": "forged"}, {}):
        response = syr.post(f"/incidents/{reported['id']}/acknowledge", data=data, follow_redirects=False)
        assert response.status_code == 403
    api = client.get(f"/api/v1/incidents/{reported['id']}", headers=bearer(population.member("SYR", "liaison")))
    assert api.json()["stage"] == "reported" and api.json()["acknowledged_parties"] == []


def test_incident_pages_and_their_button_obey_the_matrix(client, db, population, cell):
    """One incident's page and its Acknowledge button under the full matrix: an unreadable incident is the
    very 404 of a missing one, for every member of every party and every envelope state. Then the queue:
    each member sees listed exactly the incidents the API lists to it."""
    case = MatrixCase(
        name="incident pages",
        create=make_incident,
        detail_path=lambda i: f"/incidents/{i}",
        missing_id=MISSING,
        actions=[lambda i: ("POST", f"/incidents/{i}/acknowledge", None)],
    )
    result = assert_matrix_holds(client, db, population, cell, case)
    assert result.checks >= len(population.members) * len(envelope_states(cell))
    for member in population.members:
        headers = bearer(member)
        api = {i["id"] for i in client.get("/api/v1/incidents?limit=200", headers=headers).json()["items"]}
        listed = set(re.findall(r'<tr data-incident="([^"]+)"', client.get("/incidents", headers=headers).text))
        assert listed == api, member.username
        assert api, member.username  # every party reads at least its own drafts


def test_a_retracted_incident_s_account_stays_withheld(as_, reported, client, population):
    isr = bearer(population.member("ISR", "liaison"))
    response = client.post(f"/api/v1/incidents/{reported['id']}/retract", json={"reason": "wrong grid"}, headers=isr)
    assert response.status_code == 200
    html = page(as_("syr.liaison"), f"/incidents/{reported['id']}")
    assert "Shells" not in html and "wrong grid" in html and "(withheld: retracted)" in html
    assert 'data-testid="ack-owed"' not in html


@pytest.mark.parametrize("path", ["/incidents", f"/incidents/{MISSING}"])
def test_strangers_are_sent_to_the_login_page(client, path):
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
