"""Fused incidents under the authorization matrix (tests/access/matrix.py): in the list, the detail and
every action, for every member of every party and every envelope state of the fusion; then the source
reports inside a fusion every party may read, each shown only to whom its own envelope allows."""

from datetime import timedelta

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.fusion.models import Fusion, FusionMember, FusionStage, MemberState
from tests.access.matrix import MatrixCase, assert_matrix_holds, envelope_of, envelope_states, expected_readers, stored
from tests.incidents.conftest import MISSING
from tests.incidents.test_matrix import _incident
from tests.support import bearer

ACTIONS = [
    lambda i: ("POST", f"/api/v1/fusions/{i}/confirm", {}),
    lambda i: ("POST", f"/api/v1/fusions/{i}/split", {"incident_ids": [MISSING], "reason": "probe"}),
    lambda i: ("POST", f"/api/v1/fusions/{i}/dismiss", {"reason": "probe"}),
]


def _fusion(session, envelope: dict, members) -> Fusion:
    now = utcnow()
    fusion = Fusion(
        stage=str(FusionStage.MERGED),
        occurred_at=now - timedelta(hours=1),
        lat=33.175,
        lon=35.9,
        type="shelling-artillery-missile-attack",
        severity=3,
        score=0.9,
        **envelope,
    )
    for incident in members:
        session.add(incident)
        session.flush()
        fusion.members.append(
            FusionMember(
                incident_id=incident.id,
                origin_party=incident.origin_party,
                state=str(MemberState.CONFIRMED),
                added_at=now,
            )
        )
    return fusion


def make_fusion(session, state) -> str:
    carriers = [_incident(p, Status.RELEASED, frozenset({"USA"})) for p in ("ISR", "SYR")]
    return stored(session, _fusion(session, envelope_of(state), carriers))


def test_fusions_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    case = MatrixCase(
        name="fusions",
        create=make_fusion,
        detail_path=lambda i: f"/api/v1/fusions/{i}",
        missing_id=MISSING,
        list_path="/api/v1/fusions?limit=200",
        actions=ACTIONS,
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_each_source_report_in_a_fusion_is_shown_only_to_whom_its_own_envelope_allows(client, db, population, cell):
    """One fusion every party may read, holding a report in every envelope state but drafts (a draft is
    never fused): each reader sees a report's details exactly where the rule lets it read that report."""
    states = [s for s in envelope_states(cell) if s.status != Status.DRAFT]
    reports = [_incident(s.origin, s.status, s.releasable_to) for s in states]
    everyone = {
        "origin_party": "USA",
        "created_by": "test",
        "status": Status.RELEASED,
        "releasable_to": frozenset(cell.party_codes) - {"USA"},
    }
    fusion_id = stored(db, _fusion(db, everyone, reports))
    db.commit()
    checks = 0
    for member in population.members:
        page = client.get(f"/api/v1/fusions/{fusion_id}", headers=bearer(member))
        assert page.status_code == 200, (member.username, page.text)
        shown = {m["incident_id"]: m["incident"] is not None for m in page.json()["members"]}
        for state, incident in zip(states, reports, strict=True):
            may = member.party in expected_readers(state, cell)
            assert shown[str(incident.id)] == may, f"{member.username} on {state.label}: shown={not may}"
            checks += 1
        listed = client.get("/api/v1/fusions?limit=200", headers=bearer(member)).json()["items"]
        [same] = [f for f in listed if f["id"] == fusion_id]
        assert {m["incident_id"]: m["incident"] is not None for m in same["members"]} == shown
    assert checks == len(population.members) * len(states)
