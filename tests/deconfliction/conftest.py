"""Calling the notices API as a member of any party, and notices to give."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from fusioncell.db.types import utcnow

HADER = (33.2794, 35.8303)  # a protected site (Druze), just east of Line Bravo
QUNEITRA = (33.1256, 35.8239)  # the old city, inside the Area of Separation
WEST_OF_ALPHA = (33.0, 35.70)  # in Israel's areas of limitation, about 14 km west of Line Alpha
FAR_WEST = (32.75, 35.35)  # in the area of interest, some 45 km from the lines


def circle(lat: float, lon: float, radius_km: float = 3.0) -> dict:
    return {"lat": lat, "lon": lon, "radius_km": radius_km}


def rectangle(west: float, south: float, east: float, north: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north]]]}


def notice_body(**overrides) -> dict:
    """An air-activity notice west of Line Alpha, from 30 to 34 hours ahead (well past any lead time)."""
    now = utcnow()
    body = {
        "activity": "air",
        "circle": circle(*WEST_OF_ALPHA),
        "starts_at": (now + timedelta(hours=30)).isoformat(),
        "ends_at": (now + timedelta(hours=34)).isoformat(),
        "description": "Training flights, two aircraft.",
    }
    if "polygon" in overrides:  # the area is given one way only
        del body["circle"]
    return body | overrides


@pytest.fixture
def give(client, as_) -> Callable[..., dict]:
    """POST a notice as `party`; the answer's JSON (asserting it was created)."""

    def post(party: str, **overrides) -> dict:
        response = client.post("/api/v1/notices", json=notice_body(**overrides), headers=as_(party))
        assert response.status_code == 201, response.text
        return response.json()

    return post
