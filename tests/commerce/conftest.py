"""What the commerce tests share: a project body the API accepts, creating through the API or the service as a
member, probe projects and incidents in any envelope state for the authorization matrix."""

from datetime import date, timedelta

import pytest

from fusioncell.access.service import subject_for, user_by_name
from fusioncell.cell.commerce import SiteRule
from fusioncell.commerce.models import Project
from fusioncell.db.types import utcnow
from fusioncell.incidents.models import Incident
from tests.access.matrix import EnvelopeState, envelope_of, stored
from tests.support import bearer

MISSING = "01a217d0-0000-7000-8000-000000000000"
QUNEITRA = (33.1256, 35.8239)  # inside the AOS, so inside the default economic zone
DAMASCUS = (33.513, 36.292)  # far outside it


def point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lat: float, lon: float, half: float = 0.004) -> dict:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def project_body(**overrides) -> dict:
    """A wind farm at Quneitra, at feasibility since a month ago; `overrides` replace its fields."""
    month_ago = date.today() - timedelta(days=30)
    body = {
        "name": "Quneitra wind farm",
        "sector": "energy-wind",
        "description": "Twelve turbines on the plateau.",
        "site": point(*QUNEITRA),
        "stage": "feasibility",
        "stage_dates": {"concept": (month_ago - timedelta(days=30)).isoformat(), "feasibility": month_ago.isoformat()},
        "sponsors": [{"name": "Golan Wind Co", "role": "sponsor"}],
        "capital_cost_usd": 180_000_000,
        "gdp_usd_per_year": 40_000_000,
        "power_mw": 120,
        "jobs": 300,
    }
    return body | overrides


def liaison(population, party: str) -> dict[str, str]:
    """The party's liaison officer; an observer party's observer (observers have no liaison officers)."""
    role = "observer" if party in ("FRA", "JOR", "UNDOF") else "liaison"
    return bearer(population.member(party, role))


@pytest.fixture
def create(client, population):
    """`create(by="ISR", **overrides)`: a project created through the API by the party's liaison officer."""

    def created(by: str = "ISR", **overrides) -> dict:
        response = client.post("/api/v1/projects", json=project_body(**overrides), headers=liaison(population, by))
        assert response.status_code == 201, response.text
        return response.json()

    return created


@pytest.fixture
def subject(db, cell):
    """`subject(username)`: the service's subject of a member, e.g. subject("isr.liaison")."""
    return lambda username: subject_for(user_by_name(db, username), cell)


def rule(cell, site_rule: SiteRule):
    """The cell with its site rule set: reject or flag a site outside the economic zone."""
    return cell.model_copy(update={"commerce": cell.commerce.model_copy(update={"site_outside_zone": site_rule})})


def make_project(session, state: EnvelopeState, *, site: dict | None = None) -> str:
    """A probe project in an envelope state, at Quneitra unless told."""
    site = site or point(*QUNEITRA)
    lon, lat = site["coordinates"] if site["type"] == "Point" else site["coordinates"][0][0]
    project = Project(
        name=f"probe for {state.label}",
        sector="energy-wind",
        site=site,
        site_min_lat=lat,
        site_max_lat=lat,
        site_min_lon=lon,
        site_max_lon=lon,
        stage="concept",
        stage_dates={"concept": "2026-01-10"},
        history=[],
        sponsors=[],
        **envelope_of(state),
    )
    return stored(session, project)


def make_incident(session, state: EnvelopeState, *, at: tuple[float, float] = QUNEITRA, type: str = "armed-clash"):
    """A probe incident (military by default) in an envelope state."""
    lat, lon = at
    incident = Incident(
        occurred_at=utcnow() - timedelta(hours=1),
        time_precision="hour",
        location=point(lat, lon),
        geo_precision="exact",
        type=type,
        reported_severity=3,
        severity=3,
        description="probe",
        lat=lat,
        lon=lon,
        zones=frozenset({"aos"}),
        **envelope_of(state),
    )
    return stored(session, incident)
