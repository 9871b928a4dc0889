"""What the commitments tests share: a body the API accepts, recording through the API as a member, and a probe
commitment in any envelope state for the authorization matrix."""

from datetime import timedelta

import pytest

from fusioncell.db.types import utcnow
from fusioncell.diplomacy.commitments.models import Commitment
from tests.access.matrix import EnvelopeState, envelope_of, stored
from tests.support import bearer

MISSING = "01a217c0-0000-7000-8000-000000000000"


def commitment_body(**overrides) -> dict:
    now = utcnow()
    body = {
        "text": "Syria removes the checkpoint at Khan Arnabah.",
        "responsible_party": "SYR",
        "source_kind": "other",  # a statement or meeting must exist and be readable: see test_sources.py
        "made_at": (now - timedelta(days=2)).isoformat(),
        "due_at": (now + timedelta(days=5)).isoformat(),
        "state": "agreed",
    }
    return body | overrides


def liaison(population, party: str) -> dict[str, str]:
    return bearer(population.member(party, "liaison"))


@pytest.fixture
def browser(client):
    """`browser(username)`: a client with its own cookie jar, logged in through the form (as tests/web's)."""
    from fastapi.testclient import TestClient

    from tests.web.test_pages import browser_login

    def logged_in(username: str) -> TestClient:
        other = TestClient(client.app)
        assert browser_login(other, username).status_code == 303
        return other

    return logged_in


@pytest.fixture
def record(client, population):
    """`record(**overrides)`: a commitment recorded through the API by the mediator's liaison (or `by=`)."""

    def recorded(by: str = "USA", **overrides) -> dict:
        response = client.post(
            "/api/v1/commitments", json=commitment_body(**overrides), headers=liaison(population, by)
        )
        assert response.status_code == 201, response.text
        return response.json()

    return recorded


def make_commitment(session, state: EnvelopeState) -> str:
    """A probe commitment in an envelope state, responsible party its origin, already claimed done (so every
    action has something to act on)."""
    now = utcnow()
    history = [
        {
            "state": "agreed",
            "at": (now - timedelta(days=3)).isoformat(),
            "by": "test",
            "party": state.origin,
            "via": "record",
            "reason": None,
        },
        {
            "state": "done",
            "at": (now - timedelta(days=1)).isoformat(),
            "by": "test",
            "party": state.origin,
            "via": "claim",
            "reason": None,
        },
    ]
    commitment = Commitment(
        text=f"probe for {state.label}",
        responsible_party=state.origin,
        source_kind="other",
        made_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
        state="done",
        state_changed_at=now - timedelta(days=1),
        history=history,
        evidence=[],
        **envelope_of(state),
    )
    return stored(session, commitment)
