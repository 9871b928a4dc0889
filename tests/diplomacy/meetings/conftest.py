"""Meetings to schedule through the API, and how to count what a refused request must leave unchanged."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fusioncell.db.types import utcnow
from fusioncell.diplomacy.meetings.models import Meeting
from fusioncell.ledger.models import LedgerEntry
from tests.web.conftest import browser  # noqa: F401  (a logged-in browser per member, for the page tests)


def meeting_body(**overrides) -> dict:
    """A plenary of the mediator and both principals at Quneitra, held yesterday (so minutes may be drafted)."""
    now = utcnow()
    body = {
        "title": "Plenary on the Quneitra crossing",
        "place": "quneitra",
        "starts_at": (now - timedelta(days=1, hours=3)).isoformat(),
        "ends_at": (now - timedelta(days=1)).isoformat(),
        "participants": [
            {"party": "USA", "delegates": ["Chair"]},
            {"party": "ISR", "delegates": ["Col. A"]},
            {"party": "SYR", "delegates": ["Brig. B", "Mr C"]},
        ],
        "agenda": ["Crossing hours", "Medical evacuations"],
    }
    if "venue" in overrides:
        del body["place"]
    return body | overrides


@pytest.fixture
def schedule(client, as_) -> Callable[..., dict]:
    """POST a meeting as the mediator's liaison; the answer's JSON (asserting it was created)."""

    def post(**overrides) -> dict:
        response = client.post("/api/v1/meetings", json=meeting_body(**overrides), headers=as_("USA", "liaison"))
        assert response.status_code == 201, response.text
        return response.json()

    return post


def counts(db) -> tuple[int, int, int]:
    """Meetings, their total of versions, ledger entries: what a refused request must leave as it found."""
    db.expire_all()
    return (
        db.execute(select(func.count()).select_from(Meeting)).scalar_one(),
        db.execute(select(func.coalesce(func.sum(Meeting.version), 0))).scalar_one(),
        db.execute(select(func.count()).select_from(LedgerEntry)).scalar_one(),
    )
