"""The fusion pages over HTTP: the mediator's queue of proposals and its buttons (CSRF, the service's
rules), a party's view of a fused incident with only the reports released to it, and the matrix: an
unreadable fusion's page and buttons are the 404 of a missing one."""

import re

from fastapi.testclient import TestClient

from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.fusion.conftest import two_reports  # noqa: F401  (the fixture)
from tests.fusion.test_matrix import make_fusion
from tests.incidents.conftest import MISSING
from tests.support import bearer
from tests.web.test_pages import HTML, csrf_of


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def test_the_mediator_confirms_a_proposal_through_the_form_and_each_party_sees_its_own_report(
    browser,
    two_reports,  # noqa: F811
):
    isr, syr = two_reports
    usa = browser("usa.liaison")
    queue = page(usa, "/fusions")
    [fusion_id] = re.findall(r'<tr data-fusion="([^"]+)"', queue)
    assert 'data-testid="proposals-count">1<' in queue
    html = page(usa, f"/fusions/{fusion_id}")
    assert 'data-testid="confirm-form"' in html and 'data-testid="dismiss-form"' in html
    assert html.count('data-shown="yes"') == 2  # the mediator reads both
    # Ticked by default: the parties whose reports it holds.
    assert re.search(r'value="ISR" checked', html) and re.search(r'value="SYR" checked', html)
    assert not re.search(r'value="UNDOF" checked', html)
    done = usa.post(
        f"/fusions/{fusion_id}/confirm",
        data={
            "csrf_token": csrf_of(html, "csrf_token"),
            "releasable_to": ["ISR", "SYR"],
            "description": "One battery.",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/fusions/{fusion_id}"
    after = page(usa, f"/fusions/{fusion_id}")
    assert 'data-stage="merged"' in after and "One battery." in after and 'data-testid="split-form"' in after

    for username, own, other in (("isr.liaison", isr, syr), ("syr.liaison", syr, isr)):
        seen = page(browser(username), f"/fusions/{fusion_id}")
        assert own["description"] in seen and other["description"] not in seen
        assert re.search(rf'data-incident="{other["id"]}" data-state="confirmed" data-shown="no"', seen)
        assert "This report was not released to your party." in seen
        assert 'data-testid="fusion-actions"' not in seen
        assert fusion_id in page(browser(username), "/fusions")
        assert "proposals-count" not in page(browser(username), "/fusions")


def test_a_form_without_the_session_s_csrf_token_is_refused(browser, two_reports):  # noqa: F811
    usa = browser("usa.liaison")
    [fusion_id] = re.findall(r'<tr data-fusion="([^"]+)"', page(usa, "/fusions"))
    for data in ({"csrf_token": "forged", "reason": "x"}, {"reason": "x"}):
        refused = usa.post(f"/fusions/{fusion_id}/dismiss", data=data, headers=HTML, follow_redirects=False)
        assert refused.status_code == 403
    assert 'data-stage="proposed"' in page(usa, f"/fusions/{fusion_id}")


def test_a_form_missing_its_reason_names_the_field_and_changes_nothing(browser, two_reports):  # noqa: F811
    usa = browser("usa.liaison")
    [fusion_id] = re.findall(r'<tr data-fusion="([^"]+)"', page(usa, "/fusions"))
    html = page(usa, f"/fusions/{fusion_id}")
    refused = usa.post(
        f"/fusions/{fusion_id}/dismiss", data={"csrf_token": csrf_of(html, "csrf_token"), "reason": " "}, headers=HTML
    )
    assert refused.status_code == 422 and "form.reason" in refused.text
    assert 'data-stage="proposed"' in page(usa, f"/fusions/{fusion_id}")


def test_fusion_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="fusion pages",
        create=make_fusion,
        detail_path=lambda i: f"/fusions/{i}",
        missing_id=MISSING,
        actions=[
            lambda i: ("POST", f"/fusions/{i}/confirm", None),
            lambda i: ("POST", f"/fusions/{i}/split", None),
            lambda i: ("POST", f"/fusions/{i}/dismiss", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:
        headers = bearer(member)
        api = {f["id"] for f in client.get("/api/v1/fusions?limit=200", headers=headers).json()["items"]}
        listed = set(re.findall(r'<tr data-fusion="([^"]+)"', client.get("/fusions", headers=headers).text))
        assert listed == api, member.username


def test_the_incident_page_links_its_fusion_only_for_whom_may_read_it(browser, two_reports):  # noqa: F811
    isr, _ = two_reports
    usa, isr_browser = browser("usa.liaison"), browser("isr.liaison")
    [fusion_id] = re.findall(r'<tr data-fusion="([^"]+)"', page(usa, "/fusions"))
    assert f'href="/fusions/{fusion_id}"' in page(usa, f"/incidents/{isr['id']}")
    assert "incident-fusions" not in page(isr_browser, f"/incidents/{isr['id']}")  # a proposal: the mediator's
    html = page(usa, f"/fusions/{fusion_id}")
    usa.post(
        f"/fusions/{fusion_id}/confirm",
        data={"csrf_token": csrf_of(html, "csrf_token"), "releasable_to": ["ISR", "SYR"]},
        headers=HTML,
    )
    panel = re.search(
        r'data-testid="incident-fusions".*?</section>', page(isr_browser, f"/incidents/{isr['id']}"), re.S
    )
    assert f'href="/fusions/{fusion_id}"' in panel.group(0) and "ISR, SYR" in panel.group(0)
