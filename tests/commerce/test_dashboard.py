"""The targets dashboard counts each reader's portfolio only: a project released to USA alone counts on USA's
dashboard and not on SYR's, in the API and on the page; observers count what names them; drafts, releases
awaiting the mediator and retractions count for nobody. Then the whole matrix: every member x every envelope
state, each state's project carrying a distinct power of two so a sum says exactly which projects it holds; the
project pages and their forms under the matrix harness; strangers refused on every route of the pages and the
roll-ups."""

import re
from datetime import date

from fusioncell.commerce.models import Project
from fusioncell.commerce.sites import bounding_box
from fusioncell.db.base import Status
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_states, expected_readers
from tests.commerce.conftest import MISSING
from tests.commerce.conftest import make_project as probe_project
from tests.support import bearer
from tests.web.test_pages import HTML

SITE = {"type": "Point", "coordinates": [35.83, 33.2]}  # in the AOS, near Jubata al-Khashab
TARGETS = "/api/v1/projects/targets"
HISTORY = "/api/v1/projects/targets/history"


def make_project(session, *, origin="ISR", status=Status.RELEASED, to=("USA",), stage="operating", **figures):
    """A project stored as the service would leave it, in the envelope state given."""
    project = Project(
        name=f"probe {origin} {status} {sorted(to)}",
        sector="energy-wind",
        site=SITE,
        **bounding_box(SITE),
        stage=stage,
        stage_dates={stage: "2025-01-15"},
        history=[],
        sponsors=[],
        origin_party=origin,
        created_by="test",
        status=status,
        releasable_to=frozenset(to),
        **figures,
    )
    session.add(project)
    session.flush()
    return project


def figures(client, headers, metric="power_mw") -> dict:
    body = client.get(TARGETS, headers=headers).json()
    return next(m for m in body["metrics"] if m["metric"] == metric) | {"projects": body["projects"]}


def test_a_project_released_only_to_the_mediator_counts_on_its_dashboard_alone(client, db, as_):
    make_project(db, origin="ISR", to=("USA",), power_mw=120, jobs=4321)
    make_project(db, origin="ISR", to=("USA", "SYR"), stage="feasibility", power_mw=30)
    db.commit()
    usa, syr, isr = figures(client, as_("USA")), figures(client, as_("SYR")), figures(client, as_("ISR"))
    assert usa["totals"] == {"delivered": 120, "committed": 120, "proposed": 30, "expected": 120 + 30 * 0.15}
    assert usa["projects"] == 2 and isr["totals"] == usa["totals"]  # the origin counts its own releases
    assert syr["totals"] == {"delivered": 0, "committed": 0, "proposed": 30, "expected": 30 * 0.15}
    assert syr["projects"] == 1 and syr["contributing"]["delivered"] == 0
    assert usa["target"] == 800 and usa["shares"]["delivered"] == 120 / 800
    # The page shows the same: USA's jobs include the 4,321, SYR's do not.
    assert '<td data-bucket="delivered">4,321</td>' in client.get("/projects/dashboard", headers=as_("USA")).text
    syr_page = client.get("/projects/dashboard", headers=as_("SYR") | HTML).text
    assert "4,321" not in syr_page and '<td data-bucket="delivered">0</td>' in syr_page
    # And over time: the last point of SYR's series holds the feasibility project only.
    syr_power = next(m for m in client.get(HISTORY, headers=as_("SYR")).json()["metrics"] if m["metric"] == "power_mw")
    assert syr_power["delivered"][-1] == 0 and syr_power["proposed"][-1] == 30


def test_observers_count_what_names_them(client, db, as_):
    make_project(db, origin="USA", to=("UNDOF",), jobs=500)
    db.commit()
    assert figures(client, as_("UNDOF"), "jobs")["totals"]["delivered"] == 500
    assert figures(client, as_("FRA"), "jobs")["totals"]["delivered"] == 0


def test_drafts_pending_and_retracted_projects_count_for_nobody(client, db, as_):
    for status in (Status.DRAFT, Status.PENDING, Status.RETRACTED):
        make_project(db, origin="SYR", status=status, to=("USA", "ISR"), power_mw=50)
    db.commit()
    for party in ("SYR", "USA", "ISR"):
        mine = figures(client, as_(party))
        assert mine["projects"] == 0 and mine["totals"]["expected"] == 0, party


def test_the_figures_on_a_past_day_and_the_targets_marked_unverified(client, db, as_):
    make_project(db, origin="USA", to=(), power_mw=10)
    db.commit()
    assert figures(client, as_("USA"))["totals"]["delivered"] == 10
    before = client.get(f"{TARGETS}?on=2025-01-14", headers=as_("USA")).json()
    assert before["projects"] == 0 and before["on"] == "2025-01-14"
    now = client.get(TARGETS, headers=as_("USA")).json()
    assert now["targets"]["unverified"] is True and now["weights"]["feasibility"] == 0.15
    history = client.get(f"{HISTORY}?months=3", headers=as_("USA")).json()
    assert len(history["dates"]) == 3 and history["dates"][-1] == date.today().isoformat()
    page = client.get("/projects/dashboard", headers=as_("USA") | HTML).text
    assert 'data-testid="targets-unverified"' in page and "(unverified, as reported)" in page
    assert client.get(f"{HISTORY}?months=0", headers=as_("USA")).status_code == 422


def test_every_member_counts_exactly_the_released_projects_it_may_read(client, db, population, cell):
    states = envelope_states(cell)
    values = {}
    for i, state in enumerate(states):
        # Powers of two, split over two figures so each stays an exact float: a sum names its projects.
        figure = {"jobs": 2 ** (i % 27)} if i < 27 else {"power_mw": float(2 ** (i % 27))}
        make_project(db, origin=state.origin, status=state.status, to=tuple(state.releasable_to), **figure)
        values[i] = figure
    db.commit()
    for member in population.members:
        counted = [
            i
            for i, state in enumerate(states)
            if state.status == Status.RELEASED and member.party in expected_readers(state, cell)
        ]
        want = {
            "jobs": sum(values[i].get("jobs", 0) for i in counted),
            "power_mw": sum(values[i].get("power_mw", 0) for i in counted),
        }
        headers = bearer(member)
        now = client.get(TARGETS, headers=headers).json()
        got = {m["metric"]: m["totals"]["delivered"] for m in now["metrics"]}
        assert now["projects"] == len(counted), member.username
        assert (got["jobs"], got["power_mw"]) == (want["jobs"], want["power_mw"]), member.username
        series = {m["metric"]: m["delivered"][-1] for m in client.get(HISTORY, headers=headers).json()["metrics"]}
        assert (series["jobs"], series["power_mw"]) == (want["jobs"], want["power_mw"]), member.username
        assert client.get("/projects/dashboard", headers=headers | HTML).status_code == 200


PAGE_ACTIONS = [
    lambda i: ("POST", f"/projects/{i}/stage", None),
    lambda i: ("POST", f"/projects/{i}/release", None),
    lambda i: ("POST", f"/projects/{i}/retract", None),
]


def test_project_pages_and_their_forms_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="project pages",
        create=probe_project,
        detail_path=lambda i: f"/projects/{i}",
        missing_id=MISSING,
        actions=PAGE_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:  # the register holds exactly what the API lists
        headers = bearer(member)
        api = {p["id"] for p in client.get("/api/v1/projects?limit=200", headers=headers).json()["items"]}
        listed = set(re.findall(r'<tr data-project="([^"]+)"', client.get("/projects", headers=headers | HTML).text))
        assert listed == api, member.username


ROUTES = [
    ("GET", TARGETS),
    ("GET", HISTORY),
    ("GET", "/projects/dashboard"),
    ("GET", "/projects"),
    ("POST", "/projects"),
    ("POST", "/projects/import"),
    ("GET", "/projects/{i}"),
    ("POST", "/projects/{i}/stage"),
    ("POST", "/projects/{i}/release"),
    ("POST", "/projects/{i}/retract"),
]


def test_strangers_are_refused(client):
    for method, path in ROUTES:
        response = client.request(method, path.format(i=MISSING), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
