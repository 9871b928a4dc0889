"""Intelligence reports under the authorization matrix: list, detail, every action, and the export, for
every party and role and every envelope state; what a party may not read answers exactly as what does not
exist, and its objects never leave in an export."""

import json
import uuid

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.intel.models import IntelObject, IntelReport
from tests.access.matrix import (
    EnvelopeState,
    MatrixCase,
    assert_matrix_holds,
    envelope_of,
    envelope_states,
    expected_readers,
)
from tests.support import bearer

MISSING = "01a217a2-0000-7000-8000-0000000000aa"


def make_report(session, state: EnvelopeState) -> str:
    report = IntelReport(title=f"probe for {state.label}", marking="TLP:AMBER", **envelope_of(state))
    session.add(report)
    session.flush()
    stix_id = f"indicator--{uuid.uuid4()}"
    body = {"type": "indicator", "spec_version": "2.1", "id": stix_id, "created": "2026-11-20T10:00:00.000Z",
            "modified": "2026-11-20T10:00:00.000Z", "pattern": "[ipv4-addr:value = '192.0.2.1']",
            "pattern_type": "stix", "valid_from": "2026-11-20T10:00:00Z", "name": state.label}  # fmt: skip
    session.add(
        IntelObject(
            report_id=report.id,
            stix_id=stix_id,
            stix_type="indicator",
            version="2026-11-20T10:00:00.000000Z",
            added_at=utcnow(),
            body=json.dumps(body),
            body_sha256="0" * 64,
            origin_party=state.origin,
            status=state.status,
            releasable_to=state.releasable_to,
        )
    )
    session.flush()
    return str(report.id)


def test_reports_obey_the_matrix_in_lists_details_and_actions(client, db, population, cell):
    sighting = {"first_seen": "2026-11-25T18:00:00Z"}
    tearline = {"title": "probe", "releasable_to": ["SYR", "ISR", "UNDOF"]}
    case = MatrixCase(
        name="intel reports",
        create=make_report,
        detail_path=lambda i: f"/api/v1/intel/reports/{i}",
        missing_id=MISSING,
        list_path="/api/v1/intel/reports?limit=200",
        actions=[
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/release", None),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/second-approval", None),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/approve", None),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/return", {"reason": "probe"}),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/retract", {"reason": "probe"}),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/tearlines", tearline),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/sightings", sighting),
            lambda i: ("POST", f"/api/v1/intel/reports/{i}/opinions", {"opinion": "agree"}),
            lambda i: ("GET", f"/api/v1/intel/reports/{i}/correlations", None),
        ],
    )
    assert_matrix_holds(client, db, population, cell, case)


def test_every_member_s_export_holds_exactly_the_objects_it_may_read(client, db, population, cell):
    made = {}
    for state in envelope_states(cell):
        report_id = make_report(db, state)
        made[state.label] = (state, report_id)
    db.commit()
    failures = []
    for member in population.members:
        exported = client.get("/api/v1/intel/export.json", headers=bearer(member)).json()["objects"]
        names = {o.get("name") for o in exported if o["type"] == "indicator"}
        for label, (state, _) in made.items():
            may = member.party in expected_readers(state, cell) and state.status != Status.RETRACTED
            if (label in names) != may:
                failures.append(f"{member.username} on {label}: exported={label in names}, may read={may}")
    assert not failures, "\n".join(failures[:20])
