"""Helpers for the verification tests: calling the API as a member, valid bodies to vary, counting what is
stored."""

from datetime import timedelta

from sqlalchemy import func, select

from fusioncell.db.types import utcnow
from fusioncell.ledger.service import tree_size
from fusioncell.verification.models import Inspection, Position, PostureDeclaration

MISSING = "01a217a2-0000-7000-8000-000000000000"
WEST_OF_ALPHA = (33.0, 35.75)  # in Israel's 0–10 km band, about 8 km west of Line Alpha
HERMON = (33.416, 35.857)  # Mount Hermon's Syrian summit, north of the lines' ends
IN_AOS = (33.05, 35.85)  # between the lines


def point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def posture_body(**fields) -> dict:
    """ISR's 0–10 km band west of Line Alpha, within every limit, as of yesterday."""
    return {
        "zone": "aol-alpha-0-10",
        "as_of": (utcnow() - timedelta(days=1)).isoformat(),
        "troops": 5200,
        "tanks": 60,
        "artillery": 30,
    } | fields


def inspection_body(**fields) -> dict:
    """UNDOF's inspection of Syria's 0–10 km band: compliant."""
    return {
        "zones": ["aol-bravo-0-10"],
        "inspected_at": (utcnow() - timedelta(hours=3)).isoformat(),
        "findings": [
            {"zone": "aol-bravo-0-10", "observed": {"troops": 4000, "tanks": 40}, "compliant": True, "remark": "ok"}
        ],
        "result": "compliant",
        "summary": "Fortnightly inspection of the 0–10 km band east of Line Bravo.",
    } | fields


def position_body(**fields) -> dict:
    return {"name": "Hermon summit post", "location": point(*HERMON), "description": "Taken December 2024."} | fields


def stored(db) -> tuple[int, int, int, int]:
    """How many declarations, inspections and positions are stored, and the ledger's size."""
    counts = tuple(db.execute(select(func.count()).select_from(m)).scalar_one() for m in _MODELS)
    return (*counts, tree_size(db))


_MODELS = (PostureDeclaration, Inspection, Position)
