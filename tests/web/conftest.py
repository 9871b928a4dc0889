"""What the page tests share: a browser of its own for each member, logged in through the login form."""

import pytest
from fastapi.testclient import TestClient

from tests.web.test_pages import browser_login


@pytest.fixture
def browser(client):
    """`browser(username)`: a client with its own cookie jar, logged in as that member through the form."""

    def logged_in(username: str) -> TestClient:
        other = TestClient(client.app)
        assert browser_login(other, username).status_code == 303
        return other

    return logged_in
