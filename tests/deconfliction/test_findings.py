"""What the server finds about a notice, against the shipped geometry, and who is told of overlaps."""

import json
from datetime import timedelta

from fusioncell.db.types import utcnow
from tests.deconfliction.conftest import FAR_WEST, HADER, QUNEITRA, WEST_OF_ALPHA, circle, rectangle


def codes(notice: dict) -> list[str]:
    return [f["code"] for f in notice["findings"]]


def window(start_h: float, end_h: float) -> dict:
    now = utcnow()
    return {
        "starts_at": (now + timedelta(hours=start_h)).isoformat(),
        "ends_at": (now + timedelta(hours=end_h)).isoformat(),
    }


def test_air_activity_near_the_lines_notified_two_hours_ahead_falls_short_of_six(give):
    notice = give("ISR", activity="air", circle=circle(*WEST_OF_ALPHA), **window(2, 4))
    [lead] = [f for f in notice["findings"] if f["code"] == "lead-time-short"]
    assert lead["severity"] == "warning" and lead["related_id"] is None
    assert lead["details"]["required_hours"] == 6 and 1.9 < lead["details"]["given_hours"] <= 2
    assert "6 h" in lead["message"]


def test_the_lead_time_applies_only_where_the_cell_says(give):
    # Air activity some 45 km from the lines asks no notice; a convoy asks 12 h wherever it goes.
    far = give("ISR", activity="air", circle=circle(*FAR_WEST), **window(2, 4))
    assert "lead-time-short" not in codes(far)
    enough = give("ISR", activity="air", circle=circle(*WEST_OF_ALPHA), **window(7, 9))
    assert "lead-time-short" not in codes(enough)
    convoy = give("SYR", activity="humanitarian-convoy", circle=circle(*FAR_WEST), **window(2, 4))
    assert "lead-time-short" in codes(convoy)
    demining = give("SYR", activity="demining", circle=circle(*QUNEITRA, 0.5), **window(0.5, 4))
    assert "lead-time-short" not in codes(demining)  # the cell asks no lead time for demining


def test_a_circle_covering_hader_flags_the_protected_site(give):
    notice = give("SYR", activity="ground-movement", circle=circle(*HADER, 1.0))
    sites = [f for f in notice["findings"] if f["code"] == "protected-site"]
    site = sites[0]  # nearest first: Majdal Shams, some 5 km west, may follow
    assert site["details"]["place"] == "hader" and site["details"]["distance_km"] == 0
    assert site["details"]["names"]["en"] == "Hader" and "Hader" in site["message"]
    nearby = give("SYR", activity="ground-movement", circle=circle(HADER[0], HADER[1] + 0.06, 1.0))
    [near] = [f for f in nearby["findings"] if f["code"] == "protected-site" and f["details"]["place"] == "hader"]
    assert 3 < near["details"]["distance_km"] < 5  # 0.06° of longitude is 5.6 km here, less the radius


def test_a_polygon_across_the_area_of_separation_is_flagged(give):
    across = rectangle(35.75, 33.04, 35.95, 33.06)  # from west of Alpha to east of Bravo
    ground = give("ISR", activity="ground-movement", polygon=across)
    [aos] = [f for f in ground["findings"] if f["code"] == "area-of-separation"]
    assert aos["severity"] == "conflict" and aos["details"]["zone"] == "aos"
    convoy = give("SYR", activity="humanitarian-convoy", polygon=across)
    [civil] = [f for f in convoy["findings"] if f["code"] == "area-of-separation"]
    assert civil["severity"] == "warning"  # not military activity: coordinated, not forbidden
    clear = give("ISR", activity="ground-movement", circle=circle(*FAR_WEST))
    assert "area-of-separation" not in codes(clear)


def test_the_area_is_stored_as_a_polygon_with_the_circle_it_was_given_as(give):
    notice = give("ISR", circle=circle(*QUNEITRA, 2.0))
    assert notice["area"]["type"] == "Polygon" and notice["circle"] == {
        "lat": 33.1256,
        "lon": 35.8239,
        "radius_km": 2.0,
    }
    ring = notice["area"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) > 32
    assert "area-of-separation" in codes(notice)


def _overlapping_pair(give, *, isr_to: list[str] | None = None, syr_to: list[str] | None = None):
    when = window(30, 34)
    isr = give("ISR", activity="air", circle=circle(*WEST_OF_ALPHA, 5.0), releasable_to=isr_to, **when)
    syr = give(
        "SYR", activity="ground-movement", circle=circle(33.0, 35.74, 2.0), releasable_to=syr_to, **window(31, 33)
    )
    return isr, syr


def _overlaps(client, headers, notice_id: str) -> list[dict]:
    notice = client.get(f"/api/v1/notices/{notice_id}", headers=headers).json()
    return [f for f in notice["findings"] if f["code"] == "overlap"]


def test_overlapping_notices_are_reported_to_every_party_that_may_read_both(client, give, as_):
    isr, syr = _overlapping_pair(give, isr_to=["USA", "SYR", "FRA"], syr_to=["USA", "ISR", "FRA"])
    # The second notice's own answer already tells its giver of the first.
    assert [f["related_id"] for f in syr["findings"] if f["code"] == "overlap"] == [isr["id"]]
    for party in ("ISR", "SYR", "USA", "FRA"):
        [on_isr] = _overlaps(client, as_(party), isr["id"])
        [on_syr] = _overlaps(client, as_(party), syr["id"])
        assert on_isr["related_id"] == syr["id"] and on_syr["related_id"] == isr["id"]
        assert on_isr["severity"] == "conflict" and "unaware" not in on_isr["details"]
    # JOR may read neither: both answer as missing.
    assert client.get(f"/api/v1/notices/{isr['id']}", headers=as_("JOR")).status_code == 404


def test_an_overlap_with_a_notice_a_party_may_not_read_is_told_to_the_mediator_only(client, give, as_):
    isr, syr = _overlapping_pair(give, isr_to=["USA"])  # ISR's notice: for the mediator alone
    everything_syr_sees = [
        syr,
        client.get(f"/api/v1/notices/{syr['id']}", headers=as_("SYR")).json(),
        client.get("/api/v1/notices?limit=200", headers=as_("SYR")).json(),
        client.get("/api/v1/notices?when=upcoming", headers=as_("SYR")).json(),
    ]
    for answer in everything_syr_sees:
        text = json.dumps(answer)
        assert isr["id"] not in text and '"overlap"' not in text and "Overlaps" not in text
    assert client.get(f"/api/v1/notices/{isr['id']}", headers=as_("SYR")).status_code == 404
    # The mediator sees the overlap from both sides, and that SYR does not know of it.
    [seen_from_syr] = _overlaps(client, as_("USA"), syr["id"])
    assert seen_from_syr["related_id"] == isr["id"] and seen_from_syr["details"]["unaware"] == ["SYR"]
    [seen_from_isr] = _overlaps(client, as_("USA"), isr["id"])
    assert seen_from_isr["related_id"] == syr["id"] and seen_from_isr["details"]["unaware"] == ["SYR"]
    # ISR may read SYR's notice, so ISR is told, without the mediator's note.
    [told_isr] = _overlaps(client, as_("ISR"), isr["id"])
    assert told_isr["related_id"] == syr["id"] and "unaware" not in told_isr["details"]


def test_no_overlap_apart_in_time_altitude_or_ground_or_within_one_party(client, give, as_):
    when = window(30, 34)
    base = give(
        "ISR", activity="air", circle=circle(*WEST_OF_ALPHA, 5.0), altitude={"min_m": 3000, "max_m": 5000}, **when
    )
    give("SYR", activity="air", circle=circle(*WEST_OF_ALPHA, 5.0), **window(34, 36))  # starts as it ends
    give("SYR", activity="air", circle=circle(*WEST_OF_ALPHA, 5.0), altitude={"min_m": 100, "max_m": 2999}, **when)
    give("SYR", activity="air", circle=circle(*FAR_WEST, 5.0), **when)
    give("ISR", activity="exercise", circle=circle(*WEST_OF_ALPHA, 5.0), **when)  # its own party's
    assert _overlaps(client, as_("USA"), base["id"]) == []
    touching = give(
        "SYR", activity="air", circle=circle(*WEST_OF_ALPHA, 1.0), altitude={"min_m": 5000, "max_m": 6000}, **when
    )
    assert [f["related_id"] for f in _overlaps(client, as_("USA"), base["id"])] == [touching["id"]]


def test_a_retracted_notice_overlaps_nothing_and_shows_no_findings(client, give, as_):
    isr, syr = _overlapping_pair(give)
    retracted = client.post(f"/api/v1/notices/{isr['id']}/retract", json={"reason": "cancelled"}, headers=as_("ISR"))
    assert retracted.status_code == 200 and retracted.json()["findings"] == []
    assert _overlaps(client, as_("SYR"), syr["id"]) == []
    assert _overlaps(client, as_("USA"), syr["id"]) == []
