"""The intelligence desk's pages over HTTP, on both backends: each page for the people it is for; the list and
the reading view show only what the rule lets the reader read (an unreadable report's id appears nowhere in
its HTML); the compose form creates a report for the audience picked, and refuses bad input naming the field
and storing nothing; the review queues approve through their forms; and a tearline reaches its wider audience
without a trace of the original it was derived from."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fusioncell.intel.models import IntelReport
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.intel.conftest import SHA, write  # noqa: F401  (the fixture)
from tests.intel.test_matrix import MISSING, make_report
from tests.support import bearer
from tests.web.test_pages import HTML, csrf_of


def page(browser: TestClient, path: str) -> str:
    response = browser.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.text


def post(browser: TestClient, path: str, html: str, **data):
    """A form as the page sends it: with the session's CSRF token from the page it was on."""
    data = {"csrf_token": csrf_of(html, "csrf_token")} | data
    return browser.post(path, data=data, headers=HTML, follow_redirects=False)


def compose_fields(**overrides) -> dict:
    fields = {
        "title": "Launcher at Quneitra",
        "summary": "Seen at dusk.",
        "source_reliability": "B",
        "credibility": "2",
        "observables": f"ipv4-addr 198.51.100.7\nfile:sha256 {SHA}",
        "threat_actors": "Liwa al-Test",
        "place": "quneitra",
        "marking": "TLP:AMBER",
        "releasable_to": ["SYR"],
    }
    return fields | overrides


def reports_in(db) -> int:
    return db.scalar(select(func.count()).select_from(IntelReport))


def test_each_page_renders_for_the_people_it_is_for(browser):
    isr, usa, admin = browser("isr.liaison"), browser("usa.liaison"), browser("isr.admin")
    assert 'data-testid="compose-link"' in page(isr, "/intel")
    assert 'data-testid="compose-form"' in page(isr, "/intel/compose")
    queue = page(isr, "/intel/review")
    assert 'data-testid="second-officer-queue"' in queue and 'data-testid="mediator-queue"' not in queue
    assert 'data-testid="mediator-queue"' in page(usa, "/intel/review")
    assert 'data-testid="may-not-write"' in page(admin, "/intel/compose")
    assert "compose-link" not in page(admin, "/intel")
    assert browser("undof.observer").get("/intel/reports/" + str(uuid.uuid4()), headers=HTML).status_code == 404


def test_the_list_and_the_reading_view_show_only_what_the_reader_may_read(browser, write):  # noqa: F811
    secret = write("ISR", title="Only for the mediator")  # released to USA alone
    isr, usa, syr = browser("isr.liaison"), browser("usa.liaison"), browser("syr.liaison")
    for reader in (isr, usa):
        listed = page(reader, "/intel")
        row = re.search(rf'<tr data-report="{secret["id"]}".*?</tr>', listed, re.S).group(0)
        assert "Only for the mediator" in row and "ISR, USA" in row
        assert 'data-tlp="amber">TLP:AMBER<' in row
        assert re.search(r'<abbr class="admiralty" title="Source usually reliable; information probably true">B2<', row)
    seen = page(syr, "/intel")
    assert secret["id"] not in seen and "Only for the mediator" not in seen
    missing = syr.get(f"/intel/reports/{uuid.uuid4()}", headers=HTML)
    hidden = syr.get(f"/intel/reports/{secret['id']}", headers=HTML)
    assert hidden.status_code == missing.status_code == 404
    assert secret["id"] not in hidden.text and "Only for the mediator" not in hidden.text
    # The filters narrow what may be read, never widen it.
    assert secret["id"] not in page(syr, "/intel?party=ISR&status=released")
    assert secret["id"] in page(usa, "/intel?party=ISR&status=released")
    assert secret["id"] not in page(usa, "/intel?party=SYR")


def test_the_reading_view_reads_as_analysts_expect(browser, write):  # noqa: F811
    report = write("ISR", title="<script>alert(1)</script> launch site")
    html = page(browser("usa.liaison"), f"/intel/reports/{report['id']}")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    grading = re.search(r'data-testid="grading">(.*?)</dd>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", grading) == "B2 — usually reliable source, probably true"
    for where in ("top", "bottom"):
        banner = re.search(rf'data-testid="banner-{where}">(.*?)</div>', html, re.S).group(1)
        assert "TLP:AMBER" in banner and "REL TO ISR, USA" in banner
    assert "198.51.100.7" in html and SHA in html and "Liwa al-Test" in html and "Quneitra" in html
    assert 'data-testid="stix-objects"' in html and "&#34;type&#34;: &#34;indicator&#34;" in html
    assert 'data-testid="correlations"' in html
    assert 'data-testid="answers"' in html and 'data-testid="sighting-form"' in html  # USA may answer
    assert 'data-testid="retract-form"' not in html  # only the author's party retracts


def test_composing_through_the_form_sends_it_to_the_audience_picked(browser, client, as_, db):
    isr = browser("isr.liaison")
    form = page(isr, "/intel/compose")
    assert 'data-testid="audience-readers">ISR, USA<' in form  # nobody ticked: the mediator alone
    done = post(isr, "/intel/compose", form, **compose_fields())
    assert done.status_code == 303, done.text[:500]
    report_id = done.headers["location"].rsplit("/", 1)[1]
    stored = client.get(f"/api/v1/intel/reports/{report_id}", headers=as_("ISR")).json()
    assert stored["releasable_to"] == ["SYR"] and stored["status"] == "pending"
    assert stored["readers"] == ["ISR", "SYR", "USA"] and stored["admiralty_code"] == "B2"
    types = sorted(o["type"] for o in stored["objects"])
    assert types == ["indicator", "indicator", "location", "report", "threat-actor"]
    html = page(isr, done.headers["location"])
    assert 'data-testid="waits-for">waits for the mediator<' in html and "REL TO ISR, SYR, USA" in html
    assert report_id not in page(browser("syr.liaison"), "/intel")  # not until the mediator approves


def test_bad_form_input_comes_back_naming_the_field_and_stores_nothing(browser, db):
    isr = browser("isr.liaison")
    form = page(isr, "/intel/compose")
    before = reports_in(db)
    refused = post(isr, "/intel/compose", form, **compose_fields(title=" ", observables="ipv4-addr not-an-address"))
    assert refused.status_code == 422
    assert 'data-field="form.title"' in refused.text and 'data-field="form.observables.0"' in refused.text
    assert 'id="compose-title-problem"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "ipv4-addr not-an-address" in refused.text  # as typed, to be corrected
    assert re.search(r'value="SYR" checked', refused.text)
    red = post(isr, "/intel/compose", form, **compose_fields(marking="TLP:RED", releasable_to=["UNDOF"]))
    assert red.status_code == 422 and 'data-field="marking"' in red.text and "observer" in red.text
    assert reports_in(db) == before


def test_a_form_without_the_session_s_csrf_token_is_refused(browser, db):
    isr = browser("isr.liaison")
    before = reports_in(db)
    for token in ({"csrf_token": "forged"}, {}):
        refused = isr.post("/intel/compose", data=compose_fields() | token, headers=HTML, follow_redirects=False)
        assert refused.status_code == 403
    assert reports_in(db) == before


def test_the_audience_preview_names_exactly_who_reads_and_who_approves(browser):
    isr = browser("isr.liaison")
    html = page(isr, "/intel/audience?releasable_to=SYR&marking=TLP:AMBER")
    assert 'data-testid="audience-readers">ISR, SYR, USA<' in html and "waits for the mediator (USA)" in html
    assert ">trilateral<" in html
    red = page(isr, "/intel/audience?releasable_to=UNDOF&marking=TLP:RED")
    assert "waits for a second officer of ISR" in red and 'data-testid="audience-problem"' in red
    alone = page(isr, "/intel/audience")
    assert ">ISR, USA<" in alone and "goes out at once" in alone


def test_the_mediator_approves_from_the_review_queue(browser, write):  # noqa: F811
    report = write("ISR", title="For the table", releasable_to=["SYR"])
    usa, syr = browser("usa.liaison"), browser("syr.liaison")
    queue = page(usa, "/intel/review")
    assert f'data-pending="{report["id"]}"' in queue
    assert syr.get(f"/intel/reports/{report['id']}", headers=HTML).status_code == 404
    done = post(usa, f"/intel/reports/{report['id']}/approve", queue, next="/intel/review")
    assert done.status_code == 303 and done.headers["location"] == "/intel/review"
    assert f'data-pending="{report["id"]}"' not in page(usa, "/intel/review")
    assert 'data-status="released"' in page(syr, f"/intel/reports/{report['id']}")


def test_the_mediator_returns_a_report_with_a_reason(browser, write):  # noqa: F811
    report = write("SYR", releasable_to=["ISR"])
    usa = browser("usa.liaison")
    queue = page(usa, "/intel/review")
    refused = post(usa, f"/intel/reports/{report['id']}/return", queue, reason=" ")
    assert refused.status_code == 422 and "form.reason" in refused.text
    done = post(usa, f"/intel/reports/{report['id']}/return", queue, reason="Name the source's access.")
    assert done.status_code == 303 and done.headers["location"] == "/intel/review"
    html = page(browser("syr.liaison"), f"/intel/reports/{report['id']}")
    assert "Name the source&#39;s access." in html and 'data-testid="release-form"' in html


def test_tlp_red_waits_for_a_second_officer_on_the_review_page(browser):
    liaison, officer = browser("isr.liaison"), browser("isr.officer-intelligence")
    form = page(liaison, "/intel/compose")
    done = post(liaison, "/intel/compose", form, **compose_fields(marking="TLP:RED"))
    report_id = done.headers["location"].rsplit("/", 1)[1]
    assert "waits for a second officer<" in page(liaison, "/intel")
    assert "You asked" in page(liaison, "/intel/review")
    queue = page(officer, "/intel/review")
    assert f'data-second="{report_id}"' in queue
    approved = post(officer, f"/intel/reports/{report_id}/second-approval", queue, next="/intel/review")
    assert approved.status_code == 303
    assert 'data-status="pending"' in page(officer, f"/intel/reports/{report_id}")
    assert f'data-pending="{report_id}"' in page(browser("usa.liaison"), "/intel/review")


def test_a_tearline_reaches_its_wider_audience_without_a_trace_of_its_original(browser, write):  # noqa: F811
    original = write("ISR", title="Agent GREYHOUND saw the launcher")  # to USA alone
    isr, usa, syr = browser("isr.liaison"), browser("usa.liaison"), browser("syr.liaison")
    html = page(isr, f"/intel/reports/{original['id']}")
    assert 'data-testid="tearline-form"' in html
    assert "Agent GREYHOUND saw the launcher" in re.search(r'id="tearline-title"[^>]*>', html).group(0)  # prefilled
    fields = compose_fields(title="A launcher near Quneitra", summary="Seen at dusk.", releasable_to=["SYR"])
    done = post(isr, f"/intel/reports/{original['id']}/tearlines", html, **fields)
    assert done.status_code == 303, done.text[:500]
    tearline_id = done.headers["location"].rsplit("/", 1)[1]

    queue = page(usa, "/intel/review")
    first = re.search(r'data-pending="([^"]+)" data-kind="([^"]+)"', queue)
    assert first.groups() == (tearline_id, "tearline")
    assert f'data-original="{original["id"]}"' in queue  # side by side, for the mediator
    assert post(usa, f"/intel/reports/{tearline_id}/approve", queue, next="/intel/review").status_code == 303

    seen = page(syr, f"/intel/reports/{tearline_id}")
    assert "A launcher near Quneitra" in seen and 'data-status="released"' in seen
    for listed in (seen, page(syr, "/intel"), page(syr, "/intel/review")):
        assert original["id"] not in listed and "GREYHOUND" not in listed
    assert 'data-testid="derived-from"' not in seen

    for reader in (isr, usa):
        tearline_page = page(reader, f"/intel/reports/{tearline_id}")
        assert re.search(rf'href="/intel/reports/{original["id"]}" data-testid="derived-from"', tearline_page)
    assert re.search(
        rf'href="/intel/reports/{tearline_id}" data-testid="tearline"', page(isr, f"/intel/reports/{original['id']}")
    )


def test_a_tearline_for_no_wider_audience_comes_back_with_the_form(browser, write, db):  # noqa: F811
    original = write("ISR")
    isr = browser("isr.liaison")
    html = page(isr, f"/intel/reports/{original['id']}")
    before = reports_in(db)
    refused = post(isr, f"/intel/reports/{original['id']}/tearlines", html, **compose_fields(releasable_to=["USA"]))
    assert refused.status_code == 422 and 'data-field="releasable_to"' in refused.text
    assert '<details class="intel-tearline" open>' in refused.text
    assert reports_in(db) == before


def test_parties_answer_with_a_sighting_and_an_opinion(browser, write):  # noqa: F811
    report = write("ISR", releasable_to=["USA"])
    usa = browser("usa.liaison")
    html = page(usa, f"/intel/reports/{report['id']}")
    seen = post(
        usa,
        f"/intel/reports/{report['id']}/sightings",
        html,
        first_seen="2026-11-20T10:00",
        count="3",
        note="<b>Same</b> address.",
    )
    assert seen.status_code == 303 and seen.headers["location"].endswith("#answers")
    opined = post(usa, f"/intel/reports/{report['id']}/opinions", html, opinion="agree", explanation="Fits.")
    assert opined.status_code == 303
    refused = post(usa, f"/intel/reports/{report['id']}/sightings", html, first_seen="")
    assert refused.status_code == 422 and "form.first_seen" in refused.text
    answers = page(browser("isr.liaison"), f"/intel/reports/{report['id']}")
    assert "Seen 3 times" in answers and "&lt;b&gt;Same&lt;/b&gt; address." in answers
    assert "<strong>agree</strong>" in answers and "Fits." in answers


def test_the_author_retracts_through_the_form(browser, write):  # noqa: F811
    report = write("ISR")
    isr = browser("isr.liaison")
    html = page(isr, f"/intel/reports/{report['id']}")
    done = post(isr, f"/intel/reports/{report['id']}/retract", html, reason="Source withdrew.")
    assert done.status_code == 303
    seen = page(browser("usa.liaison"), f"/intel/reports/{report['id']}")
    assert 'data-status="retracted"' in seen and "Source withdrew." in seen and "198.51.100.7" not in seen


def test_every_page_runs_under_the_csp_and_every_form_carries_the_csrf_token(browser, write):  # noqa: F811
    report = write("ISR", releasable_to=["SYR"])
    usa, isr = browser("usa.liaison"), browser("isr.liaison")
    pages = [page(isr, p) for p in ("/intel", "/intel/compose", "/intel/review", f"/intel/reports/{report['id']}")]
    pages += [page(usa, p) for p in ("/intel/review", f"/intel/reports/{report['id']}", "/intel/audience")]
    for html in pages:
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None and 'style="' not in html
        assert re.search(r"\son[a-z]+=", html) is None  # no inline handlers
        for form in re.findall(r'<form method="post".*?</form>', html, re.S):
            assert f'name="csrf_token" value="{csrf_of(html, "csrf_token")}"' in form


def listed_on_pages(client: TestClient, headers: dict) -> set[str]:
    """Every report id the list page shows, following its "older" links to the end."""
    found, path = set(), "/intel"
    while path:
        html = client.get(path, headers=headers).text
        found |= set(re.findall(r'<tr data-report="([^"]+)"', html))
        older = re.search(r'href="(/intel\?[^"]*cursor=[^"]+)" data-testid="older"', html)
        path = older.group(1).replace("&amp;", "&") if older else None
    return found


def test_intel_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="intel pages",
        create=make_report,
        detail_path=lambda i: f"/intel/reports/{i}",
        missing_id=MISSING,
        actions=[
            lambda i, action=action: ("POST", f"/intel/reports/{i}/{action}", None)
            for action in (
                "release", "second-approval", "approve", "return", "retract", "tearlines", "sightings", "opinions"
            )
        ],
    )  # fmt: skip
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:
        headers = bearer(member)
        api = {r["id"] for r in client.get("/api/v1/intel/reports?limit=200", headers=headers).json()["items"]}
        assert listed_on_pages(client, headers) == api, member.username
        queue = client.get("/intel/review", headers=headers).text
        waiting = set(re.findall(r'data-(?:pending|second)="([^"]+)"', queue))
        assert waiting <= api, member.username


def test_strangers_are_sent_to_the_login_page(client):
    some = f"/intel/reports/{MISSING}"
    gets = ["/intel", "/intel/compose", "/intel/review", "/intel/audience", some]
    posts = ["/intel/compose"] + [f"{some}/{a}" for a in ("release", "approve", "return", "tearlines", "opinions")]
    for method, path in [("GET", p) for p in gets] + [("POST", p) for p in posts]:
        response = client.request(method, path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, path)
