"""The matching test itself: thresholds, allowances for imprecise reports, and the index agreeing with a
comparison of every pair."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from fusioncell.cell.fusion import FusionThresholds
from fusioncell.fusion.matching import SightingIndex, km_between, proximity, sighting

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
RULES = FusionThresholds()


def seen(
    key,
    *,
    minutes=0.0,
    lat=33.175,
    lon=35.9,
    type="shelling",
    event="explosions",
    author=None,
    time_precision="exact",
    geo_precision="exact",
    until_minutes=None,
):
    return sighting(
        RULES,
        key=key,
        author=author or (f"P{key}", f"u{key}"),
        occurred_at=T0 + timedelta(minutes=minutes),
        occurred_until=None if until_minutes is None else T0 + timedelta(minutes=until_minutes),
        time_precision=time_precision,
        lat=lat,
        lon=lon,
        geo_precision=geo_precision,
        type=type,
        event_type=event,
    )


def test_the_distance_is_right_to_a_metre_at_this_scale():
    assert abs(km_between(33.175, 35.9, 33.175 + 0.8 / 111.32, 35.9) - 0.8) < 0.002
    assert abs(km_between(33.0, 35.0, 33.0, 36.0) - 93.3) < 0.3  # a degree of longitude at 33°N


def test_the_thresholds_hold_at_their_edges():
    a = seen(1)
    assert proximity(a, seen(2, minutes=30), RULES).minutes_apart == 30
    assert proximity(a, seen(2, minutes=30.5), RULES) is None
    assert proximity(a, seen(2, lat=33.175 + 1.99 / 111.32), RULES) is not None
    assert proximity(a, seen(2, lat=33.175 + 2.01 / 111.32), RULES) is None


def test_types_must_agree_or_share_an_event_type_where_the_cell_allows():
    a = seen(1)
    assert proximity(a, seen(2, type="air-strike"), RULES).score < proximity(a, seen(2), RULES).score
    assert proximity(a, seen(2, type="protest", event="protests"), RULES) is None
    strict = FusionThresholds(across_sub_types=False)
    assert proximity(a, seen(2, type="air-strike"), strict) is None


def test_one_author_never_duplicates_itself():
    assert proximity(seen(1, author=("ISR", "a")), seen(2, author=("ISR", "a")), RULES) is None
    assert proximity(seen(1, author=("ISR", "a")), seen(2, author=("ISR", "b")), RULES) is not None


def test_imprecise_reports_get_their_allowance_and_vague_ones_are_not_proposed():
    a = seen(1)
    assert proximity(a, seen(2, minutes=80), RULES) is None
    assert proximity(a, seen(2, minutes=80, time_precision="hour"), RULES) is not None
    assert proximity(a, seen(2, lat=33.175 + 3.5 / 111.32, geo_precision="near"), RULES) is not None
    assert seen(2, time_precision="day") is None
    assert seen(2, geo_precision="region") is None
    assert seen(2, until_minutes=31) is None  # a window longer than the fusion window
    windowed = seen(2, minutes=-20, until_minutes=10)
    assert proximity(seen(1, minutes=35), windowed, RULES).minutes_apart == 25  # from the window's end


@pytest.mark.parametrize("rules", [RULES, FusionThresholds(across_sub_types=False)])
def test_the_index_finds_exactly_the_pairs_a_comparison_of_every_pair_finds(rules):
    rng = random.Random(1974)
    events = {"shelling": "explosions", "air-strike": "explosions", "protest": "protests"}
    kinds = [rng.choice(sorted(events)) for _ in range(800)]
    reports = [
        seen(
            i,
            minutes=rng.uniform(0, 600),
            lat=rng.uniform(33.1, 33.2),
            lon=rng.uniform(35.8, 35.95),
            type=kinds[i],
            event=events[kinds[i]],
            author=(rng.choice(["ISR", "SYR"]), f"u{i % 7}"),
            time_precision=rng.choice(["exact", "hour"]),
            geo_precision=rng.choice(["exact", "near"]),
        )
        for i in range(800)
    ]
    index = SightingIndex(rules)
    by_index = set()
    for s in reports:
        by_index |= {frozenset((s.key, other.key)) for other, _ in index.add(s)}
    by_pairs = {
        frozenset((a.key, b.key))
        for i, a in enumerate(reports)
        for b in reports[:i]
        if proximity(a, b, rules) is not None
    }
    assert by_pairs and by_index == by_pairs
