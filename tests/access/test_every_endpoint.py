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
LEDGER_MATRIX = "tests/ledger/test_endpoints.py::test_entries_obey_the_releasability_matrix"
MESSAGE_MATRIX = "tests/hotline/test_matrix.py::test_messages_obey_the_matrix_in_lists_details_and_actions"
ATTACHMENT_MATRIX = "tests/hotline/test_matrix.py::test_attachments_obey_the_matrix"
ESCALATION_MATRIX = "tests/hotline/test_matrix.py::test_escalations_obey_the_matrix"
MATRIX = {
    ("GET", "/api/v1/ledger/entries"): LEDGER_MATRIX,
    ("GET", "/api/v1/ledger/entries/{index}"): LEDGER_MATRIX,
    ("GET", "/api/v1/messages"): MESSAGE_MATRIX,
    ("GET", "/api/v1/messages/{message_id}"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/read"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/acknowledge"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/retract"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/approve"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/return"): MESSAGE_MATRIX,
    ("POST", "/api/v1/messages/{message_id}/relay"): MESSAGE_MATRIX,
    ("GET", "/api/v1/attachments/{attachment_id}"): ATTACHMENT_MATRIX,
    ("GET", "/api/v1/attachments/{attachment_id}/content"): ATTACHMENT_MATRIX,
    ("GET", "/api/v1/escalations"): ESCALATION_MATRIX,
    ("GET", "/api/v1/escalations/{escalation_id}"): ESCALATION_MATRIX,
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
    ("GET", "/api/v1/channels"),  # the cell definition's channels; membership, not records
    ("POST", "/api/v1/messages"),  # creates; posting rights tested in tests/hotline/test_messages.py
    ("POST", "/api/v1/attachments"),
    ("GET", "/api/v1/inbox"),  # built from the same readable() filters as the lists above
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
    """Every (method, path) the app answers, including those of included routers (FastAPI keeps
    those behind a lazy wrapper whose effective routes carry the full path)."""
    found = set()
    for route in app.routes:
        candidates = route.effective_candidates() if hasattr(route, "effective_candidates") else [route]
        for candidate in candidates:
            if isinstance(candidate, APIRoute) or hasattr(candidate, "methods") and hasattr(candidate, "path_format"):
                found |= {(method, candidate.path) for method in candidate.methods if method != "HEAD"}
    return found


def test_every_route_is_classified(runtime):
    app = create_app(runtime, background=False)
    found = routes(app)
    assert {("GET", "/api/v1/me"), ("GET", "/ledger"), ("GET", "/healthz")} <= found, "the route walk misses routes"
    unclassified = found - PUBLIC - MEMBER - MATRIX.keys()
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
