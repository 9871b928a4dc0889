"""Commitments under the authorization matrix, in the API and on the pages: every party and role, every envelope
state; what a party may not read answers exactly as what does not exist, behind every action too. The board
and the chart hold exactly what the API lists to each member."""

import re

from tests.access.matrix import MatrixCase, assert_matrix_holds
from tests.diplomacy.commitments.conftest import MISSING, make_commitment
from tests.support import bearer

CONTEST = "01a217c2-0000-7000-8000-000000000000"
API_ACTIONS = [
    lambda i: ("POST", f"/api/v1/commitments/{i}/agree", None),
    lambda i: ("POST", f"/api/v1/commitments/{i}/notes", {"body": "probe"}),
    lambda i: ("POST", f"/api/v1/commitments/{i}/claim", {"state": "done", "note": "probe"}),
    lambda i: ("POST", f"/api/v1/commitments/{i}/evidence", {"kind": "notice", "id": MISSING}),
    lambda i: ("POST", f"/api/v1/commitments/{i}/contests", {"reasons": "probe"}),
    lambda i: ("POST", f"/api/v1/commitments/{i}/contests/{CONTEST}/ruling", {"outcome": "upheld", "reason": "p"}),
    lambda i: ("POST", f"/api/v1/commitments/{i}/mark", {"state": "withdrawn", "reason": "probe"}),
]
PAGE_ACTIONS = [
    lambda i: ("POST", f"/commitments/{i}/agree", None),
    lambda i: ("POST", f"/commitments/{i}/notes", None),
    lambda i: ("POST", f"/commitments/{i}/claim", None),
    lambda i: ("POST", f"/commitments/{i}/evidence", None),
    lambda i: ("POST", f"/commitments/{i}/contests", None),
    lambda i: ("POST", f"/commitments/{i}/contests/{CONTEST}/ruling", None),
    lambda i: ("POST", f"/commitments/{i}/mark", None),
]


def test_commitments_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="commitments",
        create=make_commitment,
        detail_path=lambda i: f"/api/v1/commitments/{i}",
        missing_id=MISSING,
        list_path="/api/v1/commitments?limit=200",
        actions=API_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_commitment_pages_and_their_buttons_obey_the_matrix(client, db, population, cell):
    case = MatrixCase(
        name="commitment pages",
        create=make_commitment,
        detail_path=lambda i: f"/commitments/{i}",
        missing_id=MISSING,
        actions=PAGE_ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)
    for member in population.members:
        headers = bearer(member)
        api = {c["id"] for c in client.get("/api/v1/commitments?limit=200", headers=headers).json()["items"]}
        board = set(re.findall(r'<tr data-commitment="([^"]+)"', client.get("/commitments", headers=headers).text))
        assert board == api, member.username
        # The chart counts the same commitments: this week, each stands in exactly one state.
        progress = client.get("/api/v1/commitments/progress?weeks=2", headers=headers).json()
        assert sum(s["counts"][-1] for s in progress["series"]) == len(api), member.username


ROUTES = [
    ("GET", "/api/v1/commitments"),
    ("GET", "/api/v1/commitments/progress"),
    ("POST", "/api/v1/commitments"),
    ("GET", "/api/v1/commitments/{i}"),
    *(("POST", f"/api/v1/commitments/{{i}}/{action}") for action in ("agree", "notes", "claim", "evidence", "mark")),
    ("POST", "/api/v1/commitments/{i}/contests"),
    ("POST", "/api/v1/commitments/{i}/contests/{c}/ruling"),
    ("GET", "/commitments"),
    ("POST", "/commitments"),
    ("GET", "/commitments/{i}"),
    *(("POST", f"/commitments/{{i}}/{action}") for action in ("agree", "notes", "claim", "evidence", "mark")),
    ("POST", "/commitments/{i}/contests"),
    ("POST", "/commitments/{i}/contests/{c}/ruling"),
]


def test_strangers_are_refused_on_every_route(client):
    for method, path in ROUTES:
        response = client.request(method, path.format(i=MISSING, c=CONTEST), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, path)
