"""The incident page's buttons over HTTP (incidents/page_actions.py): each form shown only to whom the
service lets act, posting each changes the record as the API's call does, a form without the session's CSRF
token is refused, and the matrix: on every button an incident or complaint the caller may not read answers
the very 404 of a missing one."""

import re
import uuid

import pytest

from fusioncell.db.base import Status
from fusioncell.incidents.models import Incident
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.incidents.conftest import MISSING, report_body
from tests.incidents.test_matrix import make_complaint, make_incident
from tests.support import bearer
from tests.web import test_incident_pages as incident_pages
from tests.web.test_incident_pages import page
from tests.web.test_pages import HTML, csrf_of

# The incident pages' fixtures: a browser per member, and ISR's report near Hader that SYR is to acknowledge.
as_ = incident_pages.as_
reported = incident_pages.reported

PAGE_ACTIONS = [
    lambda i: ("POST", f"/incidents/{i}/release", None),
    lambda i: ("POST", f"/incidents/{i}/approve", None),
    lambda i: ("POST", f"/incidents/{i}/acknowledge", None),
    lambda i: ("POST", f"/incidents/{i}/investigate", None),
    lambda i: ("POST", f"/incidents/{i}/finding", None),
    lambda i: ("POST", f"/incidents/{i}/close", None),
    lambda i: ("POST", f"/incidents/{i}/retract", None),
    lambda i: ("POST", f"/incidents/{i}/complaints", None),
]
COMPLAINT_ACTIONS = [
    lambda i: ("POST", f"/complaints/{i}/answer", None),
    lambda i: ("POST", f"/complaints/{i}/ruling", None),
]
FORMS = ["release", "approve", "investigate", "finding", "close", "retract", "complaint"]


def forms_on(html: str) -> set[str]:
    return {name for name in FORMS if f'data-testid="form-{name}"' in html}


def post(browser, path: str, data: dict | None = None, *, from_page: str):
    """Submit a form as the browser does: with the CSRF token of the page it came from."""
    token = csrf_of(page(browser, from_page), "csrf_token")
    return browser.post(path, data={"csrf_token": token, **(data or {})}, headers=HTML, follow_redirects=False)


def api(client, population, incident_id: str) -> dict:
    return client.get(f"/api/v1/incidents/{incident_id}", headers=bearer(population.member("USA", "liaison"))).json()


def test_each_party_sees_only_the_forms_it_may_use(as_, reported):
    where = f"/incidents/{reported['id']}"
    # Reported by ISR, SYR owes the acknowledgement: ISR may retract, SYR may complain of ISR's report.
    assert forms_on(page(as_("isr.liaison"), where)) == {"retract"}
    assert forms_on(page(as_("syr.liaison"), where)) == {"complaint"}
    assert forms_on(page(as_("usa.liaison"), where)) == set()  # nothing to do before it is acknowledged
    # Roles that do not speak on the desk see no buttons, even in the right party.
    assert forms_on(page(as_("isr.officer-intelligence"), where)) == set()
    syr_intel = page(as_("syr.officer-intelligence"), where)
    assert forms_on(syr_intel) == set() and f'action="{where}/acknowledge"' not in syr_intel


def test_the_mediator_carries_an_incident_from_acknowledgement_to_closing(as_, reported, client, population):
    where = f"/incidents/{reported['id']}"
    syr, usa = as_("syr.liaison"), as_("usa.liaison")
    assert post(syr, f"{where}/acknowledge", from_page=where).status_code == 303
    assert forms_on(page(usa, where)) == {"investigate"}
    response = post(usa, f"{where}/investigate", from_page=where)
    assert response.status_code == 303 and response.headers["location"] == where
    assert api(client, population, reported["id"])["stage"] == "under_investigation"
    html = page(usa, where)
    assert forms_on(html) == {"finding"}
    assert '<option value="substantiated">' in html and 'name="reasons"' in html
    assert (
        post(
            usa, f"{where}/finding", {"finding": "substantiated", "reasons": "Craters <b>seen</b>."}, from_page=where
        ).status_code
        == 303
    )
    after = api(client, population, reported["id"])
    assert (
        after["stage"] == "finding"
        and after["finding"] == "substantiated"
        and after["finding_reasons"] == "Craters <b>seen</b>."
    )
    assert "Craters &lt;b&gt;seen&lt;/b&gt;." in page(syr, where)
    assert forms_on(page(usa, where)) == {"close"}
    assert post(usa, f"{where}/close", from_page=where).status_code == 303
    assert api(client, population, reported["id"])["stage"] == "closed"
    assert forms_on(page(usa, where)) == set() and forms_on(page(as_("isr.liaison"), where)) == set()


def test_service_errors_are_the_error_page_and_change_nothing(as_, reported, client, population):
    where = f"/incidents/{reported['id']}"
    usa, syr = as_("usa.liaison"), as_("syr.liaison")
    conflict = post(usa, f"{where}/investigate", from_page=where)  # not yet acknowledged
    assert conflict.status_code == 409 and "text/html" in conflict.headers["content-type"]
    assert post(syr, f"{where}/investigate", from_page=where).status_code == 403  # not the mediator
    assert post(syr, f"{where}/retract", {"reason": "not ours"}, from_page=where).status_code == 403
    blank = post(as_("isr.liaison"), f"{where}/retract", {"reason": "  "}, from_page=where)
    assert blank.status_code == 422 and "form.reason" in blank.text
    wrong = post(usa, f"{where}/finding", {"finding": "maybe", "reasons": "x"}, from_page=where)
    assert wrong.status_code == 422 and "form.finding" in wrong.text
    assert api(client, population, reported["id"])["stage"] == "reported"
    assert api(client, population, reported["id"])["status"] == "released"


def test_retracting_through_the_form(as_, reported, client, population):
    where = f"/incidents/{reported['id']}"
    isr = as_("isr.liaison")
    assert post(isr, f"{where}/retract", {"reason": "wrong grid"}, from_page=where).status_code == 303
    after = api(client, population, reported["id"])
    assert after["status"] == "retracted" and after["retraction_reason"] == "wrong grid"
    assert forms_on(page(isr, where)) == set()


def test_a_draft_is_released_through_the_form(as_, client, population):
    isr = bearer(population.member("ISR", "liaison"))
    draft = client.post("/api/v1/incidents", json=report_body(draft=True), headers=isr).json()
    where = f"/incidents/{draft['id']}"
    browser = as_("isr.liaison")
    assert forms_on(page(browser, where)) == {"release"}
    assert post(browser, f"{where}/release", from_page=where).status_code == 303
    assert api(client, population, draft["id"])["status"] == "released"


def test_approving_a_held_report(as_, client, population, db):
    isr = bearer(population.member("ISR", "liaison"))
    held = client.post("/api/v1/incidents", json=report_body(), headers=isr).json()
    incident = db.get(Incident, uuid.UUID(held["id"]))
    incident.status = Status.PENDING  # as the supervised desk holds it (tests/incidents cover the holding)
    db.commit()
    where = f"/incidents/{held['id']}"
    usa = as_("usa.liaison")
    assert "approve" in forms_on(page(usa, where))
    assert "approve" not in forms_on(page(as_("isr.liaison"), where))
    assert post(usa, f"{where}/approve", from_page=where).status_code == 303
    assert api(client, population, held["id"])["status"] == "released"


def test_a_complaint_is_filed_answered_and_ruled_through_the_forms(as_, reported, client, population):
    where = f"/incidents/{reported['id']}"
    syr, isr, usa = as_("syr.liaison"), as_("isr.liaison"), as_("usa.liaison")
    assert post(syr, f"{where}/complaints", {"grounds": "It was <i>not</i> us."}, from_page=where).status_code == 303
    listed = client.get(
        f"/api/v1/complaints?incident={reported['id']}", headers=bearer(population.member("USA", "liaison"))
    )
    (complaint,) = listed.json()["items"]
    assert complaint["stage"] == "filed" and complaint["accused_party"] == "ISR"
    isr_html = page(isr, where)
    assert 'data-testid="form-answer"' in isr_html and "It was &lt;i&gt;not&lt;/i&gt; us." in isr_html
    assert 'data-testid="form-answer"' not in page(syr, where) and 'data-testid="form-ruling"' not in page(usa, where)
    assert post(isr, f"/complaints/{complaint['id']}/answer", {"answer": "It was."}, from_page=where).status_code == 303
    usa_html = page(usa, where)
    assert 'data-testid="form-ruling"' in usa_html and 'data-testid="form-answer"' not in page(isr, where)
    response = post(
        usa, f"/complaints/{complaint['id']}/ruling", {"ruling": "upheld", "reasons": "Seen."}, from_page=where
    )
    assert response.status_code == 303 and response.headers["location"] == where
    ruled = client.get(
        f"/api/v1/complaints/{complaint['id']}", headers=bearer(population.member("USA", "liaison"))
    ).json()
    assert ruled["stage"] == "ruled" and ruled["ruling"] == "upheld" and ruled["ruling_reasons"] == "Seen."
    assert re.search(r"Ruling: upheld", page(syr, where))


@pytest.mark.parametrize("action", ["investigate", "retract", "finding", "complaints"])
def test_a_form_without_the_csrf_token_is_refused(as_, reported, client, population, action):
    browser = as_("usa.liaison" if action in ("investigate", "finding") else "isr.liaison")
    for data in ({"csrf_token": "forged", "reason": "x", "grounds": "x"}, {"reason": "x"}):
        response = browser.post(f"/incidents/{reported['id']}/{action}", data=data, follow_redirects=False)
        assert response.status_code == 403
    after = api(client, population, reported["id"])
    assert after["status"] == "released" and after["stage"] == "reported"


def test_every_button_obeys_the_matrix(client, db, population, cell):
    """Every incident button and every complaint button, for one member of every party against every envelope
    state: an unreadable record is the very 404 of a missing one, form fields or not."""
    incidents = MatrixCase(
        name="incident page buttons",
        create=make_incident,
        detail_path=lambda i: f"/incidents/{i}",
        missing_id=MISSING,
        actions=PAGE_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, incidents)
    complaints = MatrixCase(
        name="complaint buttons",
        create=make_complaint,
        detail_path=lambda i: f"/api/v1/complaints/{i}",
        missing_id=MISSING,
        actions=COMPLAINT_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, complaints)
