"""The notice pages over HTTP (deconfliction/pages.py): the list in its sections with the findings, one notice
with its Acknowledge and Retract buttons for whom the rules allow, the form that gives a notice (circle or
polygon, altitude band), CSRF, and the matrix: an unreadable notice's page and buttons are the 404 of a missing
one, and the list shows exactly what the API lists to each member."""

import re
from datetime import timedelta

from fusioncell.db.types import utcnow
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.deconfliction.conftest import HADER, WEST_OF_ALPHA, notice_body, rectangle
from tests.deconfliction.test_matrix import MISSING, make_notice
from tests.support import bearer
from tests.web import test_incident_pages as incident_pages
from tests.web.test_incident_pages import page
from tests.web.test_pages import HTML, csrf_of

as_ = incident_pages.as_  # a browser per member, logged in through the login form


def give(client, population, party: str = "ISR", **overrides) -> dict:
    response = client.post(
        "/api/v1/notices", json=notice_body(**overrides), headers=bearer(population.member(party, "liaison"))
    )
    assert response.status_code == 201, response.text
    return response.json()


def local(moment) -> str:
    """As a datetime-local field sends it: no zone (the form says UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_the_list_shows_sections_findings_and_what_the_party_owes(as_, client, population):
    near_hader = give(client, population, circle={"lat": HADER[0], "lon": HADER[1], "radius_km": 2.0})
    html = page(as_("syr.liaison"), "/notices")
    for section in ("active", "upcoming", "past"):
        assert f'data-testid="notices-{section}"' in html
    upcoming = html.split('data-testid="notices-upcoming"')[1].split('data-testid="notices-past"')[0]
    assert f'data-notice="{near_hader["id"]}"' in upcoming
    assert 'data-code="protected-site"' in upcoming  # the finding, shown with the notice
    assert re.search(r'data-testid="notices-owed">1<', html)
    assert re.search(r'data-testid="notices-owed">0<', page(as_("isr.liaison"), "/notices"))
    assert 'data-testid="form-notice"' in html
    assert 'data-testid="form-notice"' not in page(as_("isr.officer-intelligence"), "/notices")


def test_acknowledge_and_retract_are_shown_to_whom_they_belong_and_work(as_, client, population):
    notice = give(client, population, description="Flights <b>west</b>.")
    where = f"/notices/{notice['id']}"
    syr, isr = as_("syr.liaison"), as_("isr.liaison")
    syr_html = page(syr, where)
    assert 'data-testid="notice-ack-owed"' in syr_html and 'data-testid="form-notice-retract"' not in syr_html
    assert "Flights &lt;b&gt;west&lt;/b&gt;." in syr_html and "<b>west</b>" not in syr_html
    isr_html = page(isr, where)
    assert 'data-testid="notice-ack-owed"' not in isr_html and 'data-testid="form-notice-retract"' in isr_html
    assert "awaiting SYR, USA" in isr_html

    response = syr.post(
        f"{where}/acknowledge", data={"csrf_token": csrf_of(syr_html, "csrf_token")}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == where
    assert 'data-testid="notice-ack-owed"' not in page(syr, where)
    assert "awaiting USA" in page(isr, where)

    refused = isr.post(f"{where}/retract", data={"reason": "x"}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    blank = isr.post(
        f"{where}/retract", data={"csrf_token": csrf_of(isr_html, "csrf_token"), "reason": " "}, headers=HTML
    )
    assert blank.status_code == 422 and "form.reason" in blank.text
    done = isr.post(
        f"{where}/retract",
        data={"csrf_token": csrf_of(isr_html, "csrf_token"), "reason": "cancelled"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    api = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(population.member("USA", "liaison"))).json()
    assert api["status"] == "retracted" and api["retraction_reason"] == "cancelled"
    after = page(syr, where)
    assert "cancelled" in after and "Flights" not in after and 'data-testid="notice-ack-owed"' not in after


def test_giving_a_notice_through_the_form(as_, client, population):
    isr = as_("isr.liaison")
    token = csrf_of(page(isr, "/notices"), "csrf_token")
    now = utcnow()
    form = {
        "csrf_token": token,
        "activity": "exercise",
        "area_kind": "circle",
        "lat": str(WEST_OF_ALPHA[0]),
        "lon": str(WEST_OF_ALPHA[1]),
        "radius_km": "4",
        "starts_at": local(now + timedelta(hours=5)),
        "ends_at": local(now + timedelta(hours=9)),
        "altitude_min": "0",
        "altitude_max": "1500",
        "description": "Brigade exercise.",
        "marking": "TLP:GREEN",
    }
    response = isr.post("/notices", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    notice_id = response.headers["location"].removeprefix("/notices/")
    api = client.get(f"/api/v1/notices/{notice_id}", headers=bearer(population.member("ISR", "liaison"))).json()
    assert api["activity"] == "exercise" and api["circle"]["radius_km"] == 4 and api["marking"] == "TLP:GREEN"
    assert api["altitude"] == {"min_m": 0, "max_m": 1500}
    assert api["starts_at"].startswith(form["starts_at"])  # read as UTC
    assert any(f["code"] == "lead-time-short" for f in api["findings"])  # 5 h ahead of a 72 h exercise
    assert "lead-time-short" in page(isr, f"/notices/{notice_id}")

    polygon = form | {"area_kind": "polygon", "polygon": str(rectangle(35.6, 32.95, 35.65, 33.0)).replace("'", '"')}
    assert isr.post("/notices", data=polygon, follow_redirects=False).status_code == 303
    bad = isr.post("/notices", data=form | {"radius_km": "500"}, headers=HTML)
    assert bad.status_code == 422 and "radius_km" in bad.text and "text/html" in bad.headers["content-type"]
    assert isr.post("/notices", data=form | {"area_kind": "polygon", "polygon": "{"}, headers=HTML).status_code == 422
    observer_less = as_("isr.officer-intelligence")
    assert (
        observer_less.post(
            "/notices", data=form | {"csrf_token": csrf_of(page(observer_less, "/notices"), "csrf_token")}, headers=HTML
        ).status_code
        == 403
    )


def test_notice_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="notice pages",
        create=make_notice,
        detail_path=lambda i: f"/notices/{i}",
        missing_id=MISSING,
        actions=[
            lambda i: ("POST", f"/notices/{i}/acknowledge", None),
            lambda i: ("POST", f"/notices/{i}/retract", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:
        headers = bearer(member)
        api = {n["id"] for n in client.get("/api/v1/notices?limit=200", headers=headers).json()["items"]}
        listed = set(re.findall(r'<tr data-notice="([^"]+)"', client.get("/notices", headers=headers).text))
        assert listed == api, member.username
