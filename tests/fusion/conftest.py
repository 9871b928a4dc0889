"""Two parties' reports of one shelling, ten minutes and 800 m apart: the issue's case, and helpers."""

from datetime import timedelta

import pytest

from fusioncell.db.types import utcnow
from tests.incidents.conftest import point, report_body

KHAN_ARNABAH = (33.175, 35.90)
NORTH_800_M = 0.8 / 111.32  # degrees of latitude
SHELLING = "shelling-artillery-missile-attack"


def shelling(minutes_ago: float, lat: float, lon: float, **fields) -> dict:
    return report_body(
        **{
            "occurred_at": (utcnow() - timedelta(minutes=minutes_ago)).isoformat(),
            "time_precision": "exact",
            "geo_precision": "exact",
            "location": point(lat, lon),
            "type": SHELLING,
            "severity": 3,
        }
        | fields
    )


@pytest.fixture
def two_reports(client, as_):
    """ISR and SYR each report the shelling, each to the mediator alone."""
    isr = client.post(
        "/api/v1/incidents",
        json=shelling(60, *KHAN_ARNABAH, releasable_to=["USA"], description="ISR: shells landed east of the road."),
        headers=as_("ISR"),
    )
    syr = client.post(
        "/api/v1/incidents",
        json=shelling(
            50,
            KHAN_ARNABAH[0] + NORTH_800_M,
            KHAN_ARNABAH[1],
            releasable_to=["USA"],
            description="SYR: artillery fire hit the village outskirts.",
        ),
        headers=as_("SYR"),
    )
    assert isr.status_code == 201, isr.text
    assert syr.status_code == 201, syr.text
    return isr.json(), syr.json()
