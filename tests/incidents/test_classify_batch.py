"""derive_many gives, report for report, what derive gives: zones, side, protected sites, violations and
severity, rounded alike; areas and refused locations go through derive itself."""

import random

import pytest

from fusioncell.cell.loader import default_cell
from fusioncell.errors import Invalid
from fusioncell.incidents.classify_batch import derive_many
from fusioncell.incidents.derived import derive
from tests.incidents.conftest import HADER, QUNEITRA, point

PARTIES = ["ISR", "SYR", "USA", "UNDOF", None]


@pytest.fixture(scope="module")
def cell():
    return default_cell()


def square(lat: float, lon: float, half: float) -> dict:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def reports(cell, count: int, seed: int) -> tuple[list, list, list, list]:
    """Random reports over the Golan and beyond its lines (every type, party and severity), with the
    issue's places, a few areas and points given as integers among them."""
    rng = random.Random(seed)
    types = [t.code for t in cell.incident_types]
    locations = [point(rng.uniform(32.6, 33.5), rng.uniform(35.5, 36.2)) for _ in range(count)]
    locations[:4] = [point(*QUNEITRA), point(*HADER), {"type": "Point", "coordinates": [36, 33]}, square(*HADER, 0.01)]
    for i in rng.sample(range(4, count), count // 100):  # areas reaching across lines and zones
        locations[i] = square(rng.uniform(32.7, 33.4), rng.uniform(35.7, 36.0), rng.uniform(0.002, 0.05))
    kinds = [rng.choice(types) for _ in range(count)]
    parties = [rng.choice(PARTIES) for _ in range(count)]
    severities = [rng.randint(1, 5) for _ in range(count)]
    return locations, kinds, parties, severities


def test_many_reports_are_derived_as_each_one_is(cell):
    locations, kinds, parties, severities = reports(cell, 3000, seed=74)
    many = derive_many(cell, locations=locations, types=kinds, actor_parties=parties, severities=severities)
    assert len(many) == len(locations)
    for i, found in enumerate(many):
        one = derive(cell, location=locations[i], type=kinds[i], actor_party=parties[i], severity=severities[i])
        assert found == one, (i, locations[i], kinds[i], parties[i])
    # The sample exercises what it should: zones, sides, protected sites, violations that raise severity.
    assert many[0].side == "area-of-separation" and many[1].protected_sites[0]["place"] == "hader"
    assert {d.side for d in many} >= {"area-of-separation", "west-of-alpha", "east-of-bravo", None}
    assert sum(bool(d.violations) for d in many) > 100
    assert any(d.severity > s for d, s in zip(many, severities, strict=True))


def test_results_share_no_mutable_parts(cell):
    location = point(*HADER)
    many = derive_many(
        cell, locations=[location] * 2, types=["attack"] * 2, actor_parties=["SYR"] * 2, severities=[1, 1]
    )
    assert many[0].violations and many[0] == many[1]
    many[0].violations[0]["names"]["en"] = "changed"
    assert many[1].violations[0]["names"]["en"] != "changed"


def test_nothing_is_nothing(cell):
    assert derive_many(cell, locations=[], types=[], actor_parties=[], severities=[]) == []


def test_what_derive_refuses_is_refused(cell):
    good = point(*QUNEITRA)
    with pytest.raises(Invalid, match="unknown incident type"):
        derive_many(cell, locations=[good], types=["picnic"], actor_parties=["ISR"], severities=[1])
    with pytest.raises(Invalid, match="unknown party"):
        derive_many(cell, locations=[good], types=["attack"], actor_parties=["XXX"], severities=[1])
    bow_tie = {"type": "Polygon", "coordinates": [[[35.80, 33.10], [35.85, 33.15], [35.85, 33.10], [35.80, 33.15]]]}
    bow_tie["coordinates"][0].append(bow_tie["coordinates"][0][0])
    with pytest.raises(Invalid, match="not a valid shape"):
        derive_many(cell, locations=[good, bow_tie], types=["attack"] * 2, actor_parties=["ISR"] * 2, severities=[1, 1])
    with pytest.raises(ValueError, match="2 locations, 1 types"):
        derive_many(cell, locations=[good, good], types=["attack"], actor_parties=["ISR"], severities=[1])
