"""GET /api/v1/incidents/statistics (incidents/statistics.py): the figures count only what the caller may
read, for every member of every party against every envelope state; weekly buckets, time to acknowledge
(median and nearest-rank 90th percentile), counts by stage and overdue."""

from datetime import timedelta

from fusioncell.db.base import Status
from fusioncell.db.types import utcnow
from fusioncell.incidents.statistics import percentile, week_start
from tests.access.matrix import EnvelopeState, envelope_states, expected_readers
from tests.incidents.test_matrix import _incident, make_incident
from tests.support import bearer

URL = "/api/v1/incidents/statistics"


def figures(client, member, **params) -> dict:
    response = client.get(URL, params=params, headers=bearer(member))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_report_released_only_to_the_mediator_is_not_counted_for_the_other_party(client, db, population):
    make_incident(db, EnvelopeState("ISR released to USA", "ISR", Status.RELEASED, frozenset({"USA"})))
    db.commit()
    syr = figures(client, population.member("SYR", "liaison"))
    assert syr["total"] == 0 and syr["by_zone"] == [] and syr["by_type"] == [] and syr["overdue"] == 0
    assert sum(syr["by_stage"].values()) == 0
    for party in ("USA", "ISR"):
        seen = figures(client, population.member(party, "liaison"))
        assert seen["total"] == 1 and seen["by_stage"]["reported"] == 1
        assert [s["code"] for s in seen["by_zone"]] == ["aos"] and sum(seen["by_zone"][0]["counts"]) == 1


def test_every_member_counts_exactly_what_it_may_read(client, db, population, cell):
    """The matrix over the figures (and the dashboard's counts): one incident per envelope state, each occurred
    an hour ago."""
    states = envelope_states(cell)
    for state in states:
        make_incident(db, state)
    db.commit()
    for member in population.members:
        readable = [s for s in states if member.party in expected_readers(s, cell)]
        seen = figures(client, member)
        assert seen["total"] == len(readable), member.username
        counted = sum(sum(s["counts"]) for s in seen["by_type"])
        assert counted == len([s for s in readable if s.status != Status.DRAFT]), member.username
        released = len([s for s in readable if s.status == Status.RELEASED])
        assert sum(seen["by_stage"].values()) == released, member.username
        assert seen["by_status"] == {
            str(status): len([s for s in readable if s.status == status]) for status in Status
        }, member.username
        # The dashboard renders the same function's counts.
        dashboard = client.get("/dashboard/deescalation", headers=bearer(member)).text
        assert f'data-testid="count-total">{len(readable)}<' in dashboard, member.username


def test_time_to_acknowledge_and_overdue(client, db, population):
    now = utcnow()
    released = now - timedelta(hours=30)
    for hours in (1, 2, 3, 4, 10):
        incident = _incident("ISR", Status.RELEASED, frozenset({"SYR", "USA"}))
        incident.released_at = released
        incident.acknowledged_at = released + timedelta(hours=hours)
        incident.acknowledged_parties = frozenset({"SYR"})
        incident.stage = "acknowledged"
        db.add(incident)
    late = _incident("ISR", Status.RELEASED, frozenset({"SYR", "USA"}))
    late.released_at = released
    late.ack_due_at = now - timedelta(minutes=1)
    db.add(late)
    db.commit()
    seen = figures(client, population.member("USA", "liaison"), weeks=4)
    assert len(seen["weeks"]) == 4 and seen["weeks"][-1] == week_start(now).date().isoformat()
    slot = seen["weeks"].index(week_start(released).date().isoformat())
    times = seen["time_to_acknowledge"]
    assert times["counted"][slot] == 5 and times["median_hours"][slot] == 3 and times["p90_hours"][slot] == 10
    assert seen["by_stage"] == {"reported": 1, "acknowledged": 5, "under_investigation": 0, "finding": 0, "closed": 0}
    assert seen["overdue"] == 1 and seen["overdue_owed_by_you"] == 0
    syr = figures(client, population.member("SYR", "liaison"), weeks=4)
    assert syr["overdue"] == 1 and syr["overdue_owed_by_you"] == 1


def test_the_window_is_checked_and_strangers_are_refused(client, population):
    member = population.member("USA", "liaison")
    assert client.get(URL, params={"weeks": 0}, headers=bearer(member)).status_code == 422
    assert client.get(URL, params={"weeks": 105}, headers=bearer(member)).status_code == 422
    assert client.get(URL).status_code == 401


def test_percentile_is_a_value_that_occurred():
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 10.0], 0.9) == 10.0
    assert percentile([float(i) for i in range(1, 21)], 0.9) == 18.0
