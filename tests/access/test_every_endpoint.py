"""Every route is classified, and every route that is not public refuses a stranger.

A new endpoint fails this test until it is listed here; one that serves enveloped records must also
join the authorization matrix (tests/access/matrix.py), named in MATRIX below.
"""

import re

import pytest
from fastapi.routing import APIRoute

from fusioncell.app import create_app

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/docs"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/ledger/key"),
}
# Enveloped records: each entry names the test that runs the matrix over it.
MATRIX = {
    ("GET", "/api/v1/ledger/entries"): "tests/ledger/test_endpoints.py::test_entries_obey_the_releasability_matrix",
    (
        "GET",
        "/api/v1/ledger/entries/{index}",
    ): "tests/ledger/test_endpoints.py::test_entries_obey_the_releasability_matrix",
}
# Members only, and about the caller's own account or the public tree (leaves are blinded).
MEMBER = {
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{token_id}/revoke"),
    ("GET", "/api/v1/ledger/checkpoint"),
    ("GET", "/api/v1/ledger/status"),
    ("GET", "/api/v1/ledger/leaves"),
    ("GET", "/api/v1/ledger/proof/inclusion"),
    ("GET", "/api/v1/ledger/proof/consistency"),
    ("POST", "/logout"),
    ("GET", "/"),
    ("GET", "/desks/{desk}"),
    ("GET", "/hotline"),
    ("GET", "/map"),
    ("GET", "/inbox"),
    ("GET", "/ledger"),
    ("GET", "/ledger/panel"),
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
}


def routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return found


def test_every_route_is_classified(runtime):
    app = create_app(runtime, background=False)
    unclassified = routes(app) - PUBLIC - MEMBER - MATRIX.keys()
    assert not unclassified, f"classify these routes (and put record endpoints in the matrix): {unclassified}"


def sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "01a2179d-0000-7000-8000-000000000000", path.replace("{index}", "1"))


@pytest.mark.parametrize(("method", "path"), sorted(MEMBER | MATRIX.keys()))
def test_strangers_are_refused_everywhere_but_public_routes(client, method, path):
    response = client.request(method, sample_path(path), follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
