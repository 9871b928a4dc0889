"""Helpers for the incident tests: calling the API as a member, a valid report to vary, the issue's places."""

from datetime import timedelta

from fusioncell.cell.definition import CellDefinition
from fusioncell.db.types import utcnow

QUNEITRA = (33.1256, 35.8239)  # the old city, inside the AOS
HADER = (33.2794, 35.8303)  # Druze, just outside the AOS: a protected site
MISSING = "01a217a2-0000-7000-8000-000000000000"


def point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def report_body(**fields) -> dict:
    """A valid report at Quneitra of an armed clash an hour ago; `fields` replace its own."""
    return {
        "occurred_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "time_precision": "hour",
        "location": point(*QUNEITRA),
        "geo_precision": "near",
        "type": "armed-clash",
        "severity": 3,
        "description": "Exchange of fire near the old city.",
        "sources": ["patrol report"],
    } | fields


def report(client, headers, **fields):
    return client.post("/api/v1/incidents", json=report_body(**fields), headers=headers)


def supervised(cell: CellDefinition) -> CellDefinition:
    """The cell with its de-escalation desk set for supervised delivery: reports wait for the mediator."""
    data = cell.model_dump(mode="json")
    for desk in data["desks"]:
        if desk["code"] == "deescalation":
            desk["supervised_delivery"] = True
    return CellDefinition.model_validate(data)
