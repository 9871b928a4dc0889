"""The de-escalation desk's other views over HTTP: the incident queue's filters and overdue-first order, the
dashboard (counts rendered, charts left to static/js/dashboard.js), and the operations-room wall with its
overdue queue, which lists exactly the overdue incidents each member may read."""

import re
import uuid
from datetime import timedelta

import pytest

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.incidents.models import Incident
from tests.access.matrix import envelope_states, expected_readers
from tests.incidents.conftest import report_body
from tests.incidents.test_matrix import _incident
from tests.support import bearer
from tests.web import test_incident_pages as incident_pages
from tests.web.test_incident_pages import page
from tests.web.test_pages import HTML

as_ = incident_pages.as_  # a browser per member, logged in through the login form
NO_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


def queue_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-incident="([^"]+)"', html)


def report(client, population, party="ISR", **fields) -> dict:
    response = client.post(
        "/api/v1/incidents", json=report_body(**fields), headers=bearer(population.member(party, "liaison"))
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_queue_shows_what_the_party_owes_overdue_first(as_, client, population, db):
    first = report(client, population, description="first")
    second = report(client, population, description="second")
    third = report(client, population, description="third")
    syr = as_("syr.liaison")
    assert queue_ids(page(syr, "/incidents")) == [third["id"], second["id"], first["id"]]  # newest first
    for item, minutes in ((first, 5), (second, 50)):
        db.get(Incident, uuid.UUID(item["id"])).ack_due_at = utcnow() - timedelta(minutes=minutes)
    db.commit()
    # SYR owes both overdue ones: most overdue on top, then the rest newest first.
    assert queue_ids(page(syr, "/incidents")) == [second["id"], first["id"], third["id"]]
    # ISR reported them and owes nothing: its queue keeps the newest first.
    assert queue_ids(page(as_("isr.liaison"), "/incidents")) == [third["id"], second["id"], first["id"]]


def test_the_queue_filters_by_query_string(as_, client, population):
    clash = report(client, population)
    shelling = report(client, population, party="SYR", type="shelling-artillery-missile-attack")
    usa = as_("usa.liaison")
    assert set(queue_ids(page(usa, "/incidents"))) == {clash["id"], shelling["id"]}
    assert queue_ids(page(usa, "/incidents?party=SYR")) == [shelling["id"]]
    assert queue_ids(page(usa, "/incidents?type=armed-clash")) == [clash["id"]]
    assert queue_ids(page(usa, "/incidents?type=battles")) == [clash["id"]]  # an event type covers its sub-types
    assert queue_ids(page(usa, "/incidents?stage=acknowledged")) == []
    assert set(queue_ids(page(usa, "/incidents?stage=reported&zone=aos&type=&party="))) == {clash["id"], shelling["id"]}
    html = page(usa, "/incidents?party=SYR&stage=reported")
    assert '<option value="SYR" selected>' in html and '<option value="reported" selected>' in html
    assert "Clear the filters" in html
    for bad in ("stage=lost", "zone=atlantis", "party=XXX", "type=picnic"):
        assert usa.get(f"/incidents?{bad}", headers=HTML).status_code == 422, bad


def test_the_dashboard_renders_counts_and_loads_its_charts_from_files(as_, client, population, db):
    late = report(client, population)
    db.get(Incident, uuid.UUID(late["id"])).ack_due_at = utcnow() - timedelta(minutes=5)
    db.commit()
    html = page(as_("syr.liaison"), "/dashboard/deescalation")
    assert re.search(r'<a href="/dashboard/deescalation" aria-current="page">Dashboard</a>', html)
    assert re.search(r'data-testid="count-total">1<', html) and re.search(r'data-testid="count-overdue">1<', html)
    assert re.search(r'data-testid="count-overdue-owed">1<', html)
    assert re.search(r'<td data-stage="reported">1</td>', html)
    for chart in ("chart-zone", "chart-type", "chart-ack"):
        assert f'<canvas id="{chart}"' in html
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in html
    assert 'data-statistics-url="/api/v1/incidents/statistics?weeks=12"' in html
    assert NO_INLINE_SCRIPT.search(html) is None and 'style="' not in html
    assert re.search(r'data-testid="count-total">0<', page(as_("jor.observer"), "/dashboard/deescalation"))
    desk = page(as_("syr.liaison"), "/desks/deescalation")
    assert 'href="/dashboard/deescalation"' in desk and 'href="/wall"' in desk and 'href="/notices"' in desk


def test_the_vendored_chart_library_is_served(client):
    response = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert response.status_code == 200 and "Chart.js v4.6.1" in response.text[:200]


def test_the_wall_gives_map_js_what_it_reads_and_lists_the_overdue(as_, client, population, db):
    late = report(client, population)
    db.get(Incident, uuid.UUID(late["id"])).ack_due_at = utcnow() - timedelta(minutes=5)
    db.commit()
    notice = client.post(
        "/api/v1/notices",
        json={
            "activity": "air",
            "circle": {"lat": 33.0, "lon": 35.7, "radius_km": 3},
            "starts_at": (utcnow() + timedelta(hours=30)).isoformat(),
            "ends_at": (utcnow() + timedelta(hours=34)).isoformat(),
            "description": "Flights.",
        },
        headers=bearer(population.member("ISR", "liaison")),
    ).json()
    html = page(as_("syr.liaison"), "/wall")
    for needed in ('id="map"', 'id="map-status"', 'id="map-schematic"', "data-zones-url=", "data-incidents-url="):
        assert needed in html, needed
    assert '<script src="/static/js/map.js" defer></script>' in html and "/static/js/wall.js" in html
    assert 'href="/static/css/wall.css"' in html
    assert re.search(r'data-kinds="[^"]*\bincident\b[^"]*"', html)
    assert NO_INLINE_SCRIPT.search(html) is None and 'style="' not in html and 'http-equiv="refresh"' not in html
    assert f'data-incident="{late["id"]}"' in html and f'data-notice="{notice["id"]}"' in html
    fragment = page(as_("syr.liaison"), "/wall/queue")
    assert "<html" not in fragment and f'data-incident="{late["id"]}"' in fragment
    # ISR gave the notice: it sees both parties awaited; SYR only its own acknowledgement.
    assert "awaiting SYR, USA" in page(as_("isr.liaison"), "/wall/queue")


def test_the_wall_queue_obeys_the_matrix(client, db, population, cell):
    """The matrix over the wall's queue: one overdue incident per envelope state; only a released one can be
    overdue, and each member sees exactly those it may read."""
    states = envelope_states(cell)
    created = {}
    for state in states:
        incident = _incident(state.origin, state.status, state.releasable_to)
        incident.ack_parties = frozenset({"SYR", "ISR"}) - {state.origin}
        incident.ack_due_at = utcnow() - timedelta(minutes=1)
        db.add(incident)
        db.flush()
        created[str(incident.id)] = state
    db.commit()
    for member in population.members:
        expected = {
            i for i, s in created.items() if s.status == Status.RELEASED and member.party in expected_readers(s, cell)
        }
        for path in ("/wall/queue", "/wall"):  # the page renders the queue it then refreshes
            html = client.get(path, headers=bearer(member)).text
            assert set(re.findall(r'<li data-incident="([^"]+)"', html)) == expected, (member.username, path)


@pytest.mark.parametrize("path", ["/dashboard/deescalation", "/wall", "/wall/queue", "/notices"])
def test_strangers_are_sent_to_the_login_page(client, path):
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
