"""The glossary's tests: an app with the glossary's routers (added here until app.py includes them), a browser
of its own for each member, and the members as service subjects."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.app import create_app
from fusioncell.glossary import endpoints, pages
from tests.web.test_pages import browser_login


@pytest.fixture
def client(runtime) -> Iterator[TestClient]:
    app = create_app(runtime, background=False)
    if not any(getattr(route, "path", "") == "/api/v1/glossary" for route in app.routes):
        app.include_router(endpoints.router)
        app.include_router(pages.router)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def browser(client):
    """`browser(username)`: a client with its own cookie jar, logged in as that member through the form."""

    def logged_in(username: str) -> TestClient:
        other = TestClient(client.app)
        assert browser_login(other, username).status_code == 303
        return other

    return logged_in


@pytest.fixture
def subject(db, cell):
    """`subject("usa.liaison")`: the member as the services see it."""
    return lambda username: subject_for(user_by_name(db, username), cell)
