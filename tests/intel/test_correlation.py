"""Correlation links reports across parties, but only to what the reader may read: the mediator sees every
overlap, a party only overlaps with reports it could open anyway, and no count ever includes the others."""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fusioncell.app import create_app
from fusioncell.cell.intel import CorrelationLimits
from fusioncell.config import Settings
from fusioncell.db.base import Status
from fusioncell.intel.correlation import haversine_km
from fusioncell.intel.models import IntelKey, IntelReport, KeyKind, ReportKind
from fusioncell.runtime import Runtime
from tests.access.matrix import (
    EnvelopeState,
    MatrixCase,
    assert_matrix_holds,
    envelope_of,
    envelope_states,
    expected_readers,
    stored,
)
from tests.conftest import BoundDatabase
from tests.support import bearer

QUNEITRA = {"lat": 33.125, "lon": 35.824, "name": "Quneitra"}
T0 = "2026-11-20T18:00:00Z"


def _only(*, address: str | None = None, actor: str | None = None, place: dict | None = None, at: str = T0) -> dict:
    """A report's content naming only what the test shares."""
    observables = [] if address is None else [{"type": "ipv4-addr", "value": address}]
    return {
        "observables": observables,
        "threat_actors": [] if actor is None else [actor],
        "place": place,
        "observed_at": at,
    }


def _correlations(client, as_, report_id, party: str) -> dict:
    response = client.get(f"/api/v1/intel/reports/{report_id}/correlations", headers=as_(party))
    assert response.status_code == 200, response.text
    return response.json()


def _linked(client, as_, report_id, party: str) -> dict[str, list[str]]:
    return {link["report_id"]: link["shared"] for link in _correlations(client, as_, report_id, party)["links"]}


def _approve(client, as_, report_id) -> None:
    response = client.post(f"/api/v1/intel/reports/{report_id}/approve", headers=as_("USA"))
    assert response.status_code == 200, response.text


def test_the_mediator_links_both_sides_and_neither_side_learns_of_the_other(client, as_, write):
    shared = _only(address="198.51.100.20")
    isr = write("ISR", **shared, title="ISR: controller address")
    syr = write("SYR", **shared, title="SYR: controller address")
    address = ["ipv4-addr:198.51.100.20"]
    assert _linked(client, as_, isr["id"], "USA") == {syr["id"]: address}
    assert _linked(client, as_, syr["id"], "USA") == {isr["id"]: address}
    [link] = _correlations(client, as_, isr["id"], "USA")["links"]
    assert link | {"shared": None} == {
        "report_id": syr["id"],
        "title": "SYR: controller address",
        "origin_party": "SYR",
        "kind": "report",
        "status": "released",
        "shared": None,
    }
    # Each side reads only its own report: no link, and no count of a match it cannot read.
    assert _correlations(client, as_, isr["id"], "ISR") == {"links": [], "common": []}
    assert _correlations(client, as_, syr["id"], "SYR") == {"links": [], "common": []}

    # SYR releases a report on the same address to ISR: ISR sees it once the mediator approves, never before.
    to_isr = write("SYR", **shared, releasable_to=["ISR"], title="SYR to ISR")
    assert to_isr["status"] == "pending"
    assert _linked(client, as_, isr["id"], "ISR") == {}
    assert set(_linked(client, as_, isr["id"], "USA")) == {syr["id"], to_isr["id"]}  # the mediator sees it pending
    _approve(client, as_, to_isr["id"])
    assert _linked(client, as_, isr["id"], "ISR") == {to_isr["id"]: address}
    assert _linked(client, as_, to_isr["id"], "ISR") == {isr["id"]: address}
    assert _linked(client, as_, to_isr["id"], "SYR") == {syr["id"]: address}  # SYR's own two, not ISR's

    # Retracted, it stays listed to its readers, saying so.
    path = f"/api/v1/intel/reports/{to_isr['id']}/retract"
    assert client.post(path, json={"reason": "Wrong address."}, headers=as_("SYR")).status_code == 200
    [link] = _correlations(client, as_, isr["id"], "ISR")["links"]
    assert link["report_id"] == to_isr["id"] and link["status"] == "retracted"


def test_drafts_are_their_party_s_alone_even_to_the_mediator(client, as_, write):
    isr = write("ISR", **_only(address="198.51.100.21"))
    draft = write("SYR", **_only(address="198.51.100.21"), draft=True)
    assert _linked(client, as_, isr["id"], "USA") == {}
    assert _correlations(client, as_, draft["id"], "SYR") == {"links": [], "common": []}


def test_threat_actors_meet_whatever_their_case_and_spacing(client, as_, write):
    isr = write("ISR", **_only(actor="Liwa  al-Test"))
    syr = write("SYR", **_only(actor=" liwa AL-TEST "))
    other = write("SYR", **_only(actor="Liwa al-Other"))
    assert _linked(client, as_, isr["id"], "USA") == {syr["id"]: ["actor: liwa al-test"]}
    assert other["id"] not in _linked(client, as_, syr["id"], "USA")


def test_places_meet_within_the_distance_and_the_time_window(client, as_, write):
    near = {"lat": 33.14, "lon": 35.84, "name": "Quneitra north"}
    isr = write("ISR", **_only(place=QUNEITRA))
    syr = write("SYR", **_only(place=near, at="2026-11-20T23:00:00Z"))  # 5 h later, about 2 km away
    write("SYR", **_only(place=QUNEITRA, at="2026-11-23T18:00:00Z"))  # 72 h later: outside the window
    write("SYR", **_only(place={"lat": 33.3, "lon": 35.824}))  # same time, about 19 km north
    write("SYR", **_only(place={"lat": 33.125, "lon": 35.9}))  # same time, about 7 km east
    km = haversine_km(QUNEITRA["lat"], QUNEITRA["lon"], near["lat"], near["lon"])
    assert 1 < km < 5
    assert _linked(client, as_, isr["id"], "USA") == {syr["id"]: [f"place: {km:.1f} km, 5 h apart"]}
    assert _linked(client, as_, isr["id"], "ISR") == {}


def test_places_meet_across_the_antimeridian_and_near_a_pole(client, as_, write):
    east = write("ISR", **_only(place={"lat": -16.8, "lon": 179.99}))
    west = write("SYR", **_only(place={"lat": -16.8, "lon": -179.99}))
    north = write("ISR", **_only(place={"lat": 89.99, "lon": 10.0}))
    across = write("SYR", **_only(place={"lat": 89.99, "lon": -170.0}))  # over the pole, about 2.2 km
    assert set(_linked(client, as_, east["id"], "USA")) == {west["id"]}
    assert set(_linked(client, as_, north["id"], "USA")) == {across["id"]}


def test_links_are_ordered_by_how_much_they_share_then_newest(client, as_, write):
    isr = write("ISR", **_only(address="198.51.100.22", actor="Liwa al-Order"))
    older = write("SYR", **_only(address="198.51.100.22"))
    newer = write("SYR", **_only(address="198.51.100.22"))
    both = write("SYR", **_only(address="198.51.100.22", actor="liwa al-order"))
    links = _correlations(client, as_, isr["id"], "USA")["links"]
    assert [link["report_id"] for link in links] == [both["id"], newer["id"], older["id"]]
    assert links[0]["shared"] == ["ipv4-addr:198.51.100.22", "actor: liwa al-order"]


def test_answers_and_tearline_links_are_not_correlated(client, as_, write, db):
    isr = write("ISR", **_only(address="198.51.100.23"), releasable_to=["SYR"])
    _approve(client, as_, isr["id"])
    body = {"first_seen": "2026-11-25T18:00:00Z", "note": "Seen here too."}
    sighting = client.post(f"/api/v1/intel/reports/{isr['id']}/sightings", json=body, headers=as_("SYR")).json()
    _approve(client, as_, sighting["id"])
    # Even should an answer carry the value, it is shown with what it answers, not as a correlation.
    db.add(IntelKey(report_id=uuid.UUID(sighting["id"]), kind=KeyKind.VALUE, key="ipv4-addr:198.51.100.23"))
    db.commit()
    assert _linked(client, as_, isr["id"], "USA") == {}
    assert _linked(client, as_, isr["id"], "SYR") == {}


# --- over-correlation ---


@pytest.fixture
def tight_client(connection, cell, signer, tmp_path) -> Iterator[TestClient]:
    """The API under a cell whose correlation cap is 3 reports per value."""
    limits = CorrelationLimits(cap_per_value=3)
    tight = cell.model_copy(update={"intel": cell.intel.model_copy(update={"correlation": limits})})
    runtime = Runtime(
        settings=Settings(var_dir=tmp_path), database=BoundDatabase(connection), cell=tight, signer=signer
    )
    with TestClient(create_app(runtime, background=False)) as test_client:
        yield test_client


def test_an_over_correlating_value_is_flagged_with_what_the_reader_may_count(tight_client, as_, write):
    common = "198.51.100.53"  # say, a public resolver
    first = write("ISR", **_only(address=common, actor="Liwa al-Cap"))
    for _ in range(3):
        write("ISR", **_only(address=common))
    syr = [write("SYR", **_only(address=common)) for _ in range(2)]
    rare = write("ISR", **_only(actor="liwa al-cap"))

    # The common value is flagged and links nothing; the rare actor beside it still links.
    flagged = {"kind": "value", "key": f"ipv4-addr:{common}"}
    actor_link = {rare["id"]: ["actor: liwa al-cap"]}
    usa = _correlations(tight_client, as_, first["id"], "USA")
    assert usa["common"] == [flagged | {"reports": 6}]  # every report that is not a draft
    assert _linked(tight_client, as_, first["id"], "USA") == actor_link
    isr_view = _correlations(tight_client, as_, first["id"], "ISR")
    assert isr_view["common"] == [flagged | {"reports": 4}]  # ISR's own four: SYR's are not counted
    assert _linked(tight_client, as_, first["id"], "ISR") == actor_link
    # SYR reads its own two, which the cap allows: a link, no flag, nothing of ISR's.
    syr_view = _correlations(tight_client, as_, syr[0]["id"], "SYR")
    assert syr_view["common"] == [] and [link["report_id"] for link in syr_view["links"]] == [syr[1]["id"]]


def test_a_value_at_the_cap_still_links(tight_client, as_, write):
    reports = [write("ISR", **_only(address="198.51.100.25")) for _ in range(3)]
    found = _correlations(tight_client, as_, reports[0]["id"], "ISR")
    assert found["common"] == [] and {link["report_id"] for link in found["links"]} == {r["id"] for r in reports[1:]}


def test_a_busy_place_is_flagged_rather_than_linked(tight_client, as_, write):
    reports = [write("SYR", **_only(place=QUNEITRA)) for _ in range(4)]
    found = _correlations(tight_client, as_, reports[0]["id"], "SYR")
    assert found == {"links": [], "common": [{"kind": "place", "key": "Quneitra", "reports": 4}]}


# --- the authorization matrix ---

PROBE_KEY = "ipv4-addr:192.0.2.77"


def _probe(session, state) -> str:
    """A report in the envelope state carrying the probe address."""
    report_id = stored(session, IntelReport(**envelope_of(state), kind=ReportKind.REPORT, title=f"probe {state.label}"))
    session.add(IntelKey(report_id=uuid.UUID(report_id), kind=KeyKind.VALUE, key=PROBE_KEY))
    return report_id


def test_correlations_obey_the_matrix(client, db, population, cell):
    """Every member × every envelope state: 200 where the rule lets it read the report, else the 404 of a
    missing one. Then, from a report everybody reads, each member's links and counts cover exactly the
    probes it may read (the oracle is tests/access/matrix.py's, not the rule under test)."""
    created: list[tuple] = []

    def create(session, state) -> str:
        report_id = _probe(session, state)
        created.append((state, report_id))
        return report_id

    case = MatrixCase(
        name="intel correlations",
        create=create,
        detail_path=lambda report_id: f"/api/v1/intel/reports/{report_id}/correlations",
        missing_id=str(uuid.UUID(int=0)),
    )
    assert_matrix_holds(client, db, population, cell, case)
    assert len(created) == len(envelope_states(cell))

    everyone = frozenset(cell.party_codes) - {cell.mediator.code}
    anchor_id = _probe(db, EnvelopeState("anchor", cell.mediator.code, Status.RELEASED, everyone))
    db.commit()
    cap, flagged = cell.intel.correlation.cap_per_value, set()
    for member in population.members:
        readable = {rid for state, rid in created if member.party in expected_readers(state, cell)}
        response = client.get(f"/api/v1/intel/reports/{anchor_id}/correlations", headers=bearer(member))
        assert response.status_code == 200
        found, who = response.json(), member.username
        if len(readable) + 1 > cap:
            flagged.add(member.party)
            assert found == {"links": [], "common": [{"kind": "value", "key": PROBE_KEY, "reports": len(readable) + 1}]}
        else:
            assert found["common"] == [], who
            assert {link["report_id"] for link in found["links"]} == readable, who
    assert flagged == {cell.mediator.code}  # both ways were checked: the mediator's count, the parties' links
