"""The meeting pages over HTTP: the calendar lists only what the caller may read (exactly what the API lists),
by week and by month in the cell's time zone with UTC beside; one meeting with its agenda, participants and
minutes; the forms to schedule, draft and approve, with CSRF; user text escaped; and the matrix."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fusioncell.db.types import utcnow
from fusioncell.i18n import formats
from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.diplomacy.meetings.conftest import counts, meeting_body
from tests.diplomacy.meetings.test_matrix import MISSING, make_meeting, meeting_actions
from tests.support import bearer
from tests.web.test_incident_pages import page
from tests.web.test_pages import HTML, csrf_of


def schedule(client, population, **overrides) -> dict:
    response = client.post(
        "/api/v1/meetings", json=meeting_body(**overrides), headers=bearer(population.member("USA", "liaison"))
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_calendar_lists_only_readable_meetings_in_the_cell_s_zone(browser, client, population, cell):
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    window = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    both = schedule(client, population, title="Plenary <script>x</script>", **window)
    isr_only = schedule(client, population, title="Bilateral with ISR", participants=[{"party": "ISR"}], **window)
    local = start.astimezone(ZoneInfo(cell.timezone))
    for view in ("week", "month"):
        html = page(browser("syr.liaison"), f"/meetings?view={view}&at={local.date().isoformat()}")
        assert f'data-calendar-meeting="{both["id"]}"' in html and isr_only["id"] not in html
        assert "Plenary &lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
        # The time of day as the page's language (English here) writes it, in the cell's zone and in UTC.
        assert f"{formats.time_of_day(start, cell.timezone)} ({formats.time_of_day(start, 'UTC')} UTC)" in html
    assert isr_only["id"] in page(browser("isr.liaison"), "/meetings")
    upcoming = page(browser("fra.observer"), "/meetings")
    assert both["id"] not in upcoming and 'data-testid="form-meeting"' not in upcoming
    assert 'data-testid="form-meeting"' in page(browser("usa.liaison"), "/meetings")


def test_the_meeting_page_and_its_forms_work_with_csrf(browser, client, population, db):
    meeting = schedule(
        client,
        population,
        venue="Geneva, <b>Palais</b>",
        agenda=["Crossing <i>hours</i>"],
        participants=[{"party": "ISR", "delegates": ["Col. <A>"]}, {"party": "SYR"}],
    )
    where = f"/meetings/{meeting['id']}"
    usa, syr, isr = browser("usa.liaison"), browser("syr.liaison"), browser("isr.liaison")
    html = page(usa, where)
    assert "Geneva, &lt;b&gt;Palais&lt;/b&gt;" in html and "Crossing &lt;i&gt;hours&lt;/i&gt;" in html
    assert "Col. &lt;A&gt;" in html and 'data-testid="form-minutes"' in html
    assert 'data-testid="form-minutes"' not in page(syr, where)

    before = counts(db)
    refused = usa.post(f"{where}/minutes", data={"text": "No token."}, follow_redirects=False)
    assert refused.status_code == 403 and counts(db) == before
    token = csrf_of(html, "csrf_token")
    blank = usa.post(f"{where}/minutes", data={"csrf_token": token, "text": " "}, headers=HTML)
    assert blank.status_code == 422 and "form.text" in blank.text and counts(db) == before
    done = usa.post(
        f"{where}/minutes", data={"csrf_token": token, "text": "Agreed <u>hours</u>."}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == where

    syr_html = page(syr, where)
    assert "Agreed &lt;u&gt;hours&lt;/u&gt;." in syr_html and 'data-testid="form-minutes-approve"' in syr_html
    approved = syr.post(
        f"{where}/minutes/approve",
        data={"csrf_token": csrf_of(syr_html, "csrf_token"), "draft": "1"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert 'data-testid="form-minutes-approve"' not in page(syr, where)
    isr_html = page(isr, where)
    assert "awaiting ISR" in isr_html
    stale = isr.post(
        f"{where}/minutes/approve", data={"csrf_token": csrf_of(isr_html, "csrf_token"), "draft": "7"}, headers=HTML
    )
    assert stale.status_code == 409
    isr.post(f"{where}/minutes/approve", data={"csrf_token": csrf_of(isr_html, "csrf_token"), "draft": "1"})
    final = page(usa, where)
    assert 'data-minutes="agreed"' in final and 'data-testid="form-minutes"' not in final


def test_scheduling_through_the_form(browser, client, population, cell, db):
    usa = browser("usa.liaison")
    token = csrf_of(page(usa, "/meetings"), "csrf_token")
    form = {
        "csrf_token": token,
        "title": "Technical talks",
        "venue_kind": "place",
        "place": "quneitra",
        "starts_at": "2030-03-04T10:00",
        "ends_at": "2030-03-04T12:30",
        "party": ["USA", "ISR", "SYR"],
        "delegates_ISR": "Col. A, Mr B",
        "delegates_SYR": "Brig. C",
        "agenda": "Crossing hours\nMedical evacuations\n",
        "marking": "TLP:GREEN",
    }
    response = usa.post("/meetings", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    meeting_id = response.headers["location"].removeprefix("/meetings/")
    api = client.get(f"/api/v1/meetings/{meeting_id}", headers=bearer(population.member("SYR", "liaison"))).json()
    typed = datetime(2030, 3, 4, 10, 0, tzinfo=ZoneInfo(cell.timezone))  # read in the cell's zone
    assert datetime.fromisoformat(api["starts_at"]) == typed
    assert api["participants"][1] == {"party": "ISR", "delegates": ["Col. A", "Mr B"]}
    assert api["agenda"] == ["Crossing hours", "Medical evacuations"] and api["marking"] == "TLP:GREEN"

    before = counts(db)
    for bad, field in (
        ({"ends_at": "2030-03-04T09:00"}, "ends_at"),
        ({"party": ["USA", "ATL"]}, "participants"),
        ({"place": "atlantis"}, "place"),
        ({"venue_kind": "text", "venue": ""}, "form"),
    ):
        answer = usa.post("/meetings", data=form | bad, headers=HTML)
        assert answer.status_code == 422 and field in answer.text, (bad, answer.text[:300])
    assert counts(db) == before
    isr = browser("isr.liaison")
    before = counts(db)  # logging in is in the record too
    assert (
        isr.post("/meetings", data=form | {"csrf_token": csrf_of(page(isr, "/meetings"), "csrf_token")}).status_code
        == 403
    )
    assert counts(db) == before


def test_meeting_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="meeting pages",
        create=make_meeting,
        detail_path=lambda i: f"/meetings/{i}",
        missing_id=MISSING,
        actions=[
            lambda i, a=a: (a(i)[0], a(i)[1].replace("/api/v1", ""), None) for a in meeting_actions("/api/v1/meetings")
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:
        headers = bearer(member)
        past = client.get("/api/v1/meetings?when=past&limit=20", headers=headers).json()["items"]  # the page's 20
        api = {m["id"] for m in past}
        html = client.get("/meetings", headers=headers).text
        listed = set(re.findall(r'<tr data-meeting="([^"]+)"', html.split('id="past-heading"')[1]))
        assert listed == api, member.username
