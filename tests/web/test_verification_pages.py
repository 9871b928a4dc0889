"""The verification pages over HTTP: the desk's tables (over-limit flags, inspections, the tracker with the
moves each member may make), one position with its milestones, the buttons (CSRF, the services' rules).
The matrix of these pages is in tests/verification/test_matrix.py."""

import re
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from fusioncell.db.types import utcnow
from fusioncell.verification.models import Position
from tests.support import bearer
from tests.verification.conftest import MISSING, inspection_body, position_body, posture_body
from tests.web.test_pages import HTML, csrf_of


@pytest.fixture
def as_(browser):
    """Here a member's logged-in browser (tests/web/conftest.py)."""
    return browser


@pytest.fixture
def records(client, population):
    isr = bearer(population.member("ISR", "liaison"))
    within = client.post("/api/v1/posture-declarations", json=posture_body(), headers=isr).json()
    over = client.post("/api/v1/posture-declarations", json=posture_body(troops=6500), headers=isr).json()
    findings = [{"zone": "aol-bravo-0-10", "observed": {"tanks": 90}, "compliant": True}]
    inspection = client.post(
        "/api/v1/inspections",
        json=inspection_body(findings=findings, summary="Tanks <b>beyond</b> the limit."),
        headers=bearer(population.member("UNDOF", "observer")),
    ).json()
    position = client.post("/api/v1/positions", json=position_body(name="Post <i>7</i>"), headers=isr).json()
    return {"within": within, "over": over, "inspection": inspection, "position": position}


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def row(html: str, kind: str, record_id: str) -> str:
    return re.search(rf'<tr data-{kind}="{record_id}".*?</tr>', html, re.S).group(0)


def test_the_desk_page_flags_what_is_over_the_limits(as_, records):
    html = page(as_("syr.liaison"), "/verification")
    assert re.search(r'<a href="/verification" aria-current="page">Verification</a>', html)
    assert 'data-testid="over-limit"' in row(html, "posture", records["over"]["id"])
    assert "troops 6,500 of 6,000 allowed" in row(html, "posture", records["over"]["id"])
    assert 'data-over-limit="false"' in row(html, "posture", records["within"]["id"])
    inspection = row(html, "inspection", records["inspection"]["id"])
    assert 'data-result="violation"' in inspection and "(marked compliant)" in inspection
    assert "tanks 90 of 75 allowed" in inspection
    assert "Tanks &lt;b&gt;beyond&lt;/b&gt; the limit." in inspection and "<b>beyond" not in html
    assert "Post &lt;i&gt;7&lt;/i&gt;" in html and "<i>7" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None and 'style="' not in html


def test_each_member_sees_only_the_move_it_may_make(as_, records):
    position = records["position"]["id"]
    isr = page(as_("isr.liaison"), "/verification")
    assert f'action="/positions/{position}/schedule"' in row(isr, "position", position)
    for username in ("syr.liaison", "undof.observer", "fra.observer"):
        assert "<form" not in row(page(as_(username), "/verification"), "position", position), username
    # The mediator brokers the schedule too.
    assert 'data-testid="form-schedule"' in page(as_("usa.liaison"), f"/positions/{position}")


def test_the_whole_withdrawal_through_the_forms(as_, records, client, population):
    position = records["position"]["id"]
    isr, undof = as_("isr.liaison"), as_("undof.observer")
    due = (utcnow() + timedelta(days=5)).date().isoformat()
    html = page(isr, f"/positions/{position}")
    token = csrf_of(html, "csrf_token")
    response = isr.post(
        f"/positions/{position}/schedule",
        data={"csrf_token": token, "due_on": due, "note": "as agreed"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/positions/{position}"
    html = page(isr, f"/positions/{position}")
    assert re.search(r'data-testid="stage">scheduled<', html) and 'data-testid="form-withdraw"' in html
    assert isr.post(f"/positions/{position}/withdraw", data={"csrf_token": token}, headers=HTML).status_code == 200
    assert 'data-testid="form-verify"' not in page(isr, f"/positions/{position}")  # the holder never verifies
    html = page(undof, f"/positions/{position}")
    assert 'data-testid="form-verify"' in html
    undof.post(f"/positions/{position}/verify", data={"csrf_token": csrf_of(html, "csrf_token"), "note": "empty"})
    after = page(undof, f"/positions/{position}")
    assert re.findall(r'<li data-stage="(\w+)"', after) == ["occupied", "scheduled", "withdrawn", "verified"]
    assert "as agreed" in after and "empty" in after and 'data-testid="position-move"' not in after
    api = client.get(f"/api/v1/positions/{position}", headers=bearer(population.member("USA", "liaison"))).json()
    assert api["stage"] == "verified" and api["due_at"].startswith(due)
    # Once more is the service's conflict.
    again = undof.post(f"/positions/{position}/verify", data={"csrf_token": csrf_of(after, "csrf_token")}, headers=HTML)
    assert again.status_code == 409


def test_a_bad_date_or_a_forged_token_changes_nothing(as_, records, client, population):
    position = records["position"]["id"]
    isr = as_("isr.liaison")
    token = csrf_of(page(isr, f"/positions/{position}"), "csrf_token")
    bad = isr.post(f"/positions/{position}/schedule", data={"csrf_token": token, "due_on": "soon"}, headers=HTML)
    assert bad.status_code == 422 and "due_on" in bad.text
    due = (utcnow() + timedelta(days=5)).date().isoformat()
    forged = isr.post(f"/positions/{position}/schedule", data={"csrf_token": "forged", "due_on": due})
    assert forged.status_code == 403
    api = client.get(f"/api/v1/positions/{position}", headers=bearer(population.member("ISR", "liaison"))).json()
    assert api["stage"] == "occupied" and api["version"] == 1


def test_an_overdue_withdrawal_is_marked(as_, records, client, population, db):
    position = records["position"]["id"]
    body = {"due_at": (utcnow() + timedelta(days=1)).isoformat()}
    headers = bearer(population.member("ISR", "liaison"))
    assert client.post(f"/api/v1/positions/{position}/schedule", json=body, headers=headers).status_code == 200
    db.get(Position, uuid.UUID(position)).due_at = utcnow() - timedelta(hours=2)
    db.commit()
    html = page(as_("syr.liaison"), "/verification")
    assert 'class="is-overdue"' in row(html, "position", position) and 'data-testid="overdue"' in html
    assert re.search(r'data-testid="positions-overdue">1<', html)


@pytest.mark.parametrize("path", ["/verification", f"/positions/{MISSING}"])
def test_strangers_are_sent_to_the_login_page(client, path):
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
