"""The issue's facts against the shipped geometry, and the one-point and many-point paths agreeing."""

import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from fusioncell.cell.loader import default_cell
from fusioncell.errors import Invalid
from fusioncell.geo.geometry import to_wgs84, utm_xy
from fusioncell.geo.service import Geography, geography_for

QUNEITRA = (33.1256, 35.8239)
HADER = (33.2794, 35.8303)


@pytest.fixture(scope="module")
def geography() -> Geography:
    return geography_for(default_cell())


def moved(lat_lon, *, east_km):
    """A point `east_km` east (negative: west) of `lat_lon` along the UTM grid, as (lat, lon)."""
    x, y = utm_xy([lat_lon[1]], [lat_lon[0]])
    point = to_wgs84(Point(float(x[0]) + east_km * 1000, float(y[0])))
    return point.y, point.x


def on_line(geography, code, fraction=0.5):
    """A point on a line, `fraction` of the way from its northern end, as (lat, lon)."""
    point = to_wgs84(geography.lines[code].interpolate(fraction, normalized=True))
    return point.y, point.x


def test_quneitra_old_city_is_in_the_aos_and_military_activity_there_is_a_violation(geography):
    placement = geography.place_point(lat=QUNEITRA[0], lon=QUNEITRA[1])
    assert "aos" in placement.zones and placement.side == "area-of-separation"
    assert not any(code.startswith("aol-") for code in placement.zones)
    rules = {v.rule for v in geography.violations(placement, kind="armed-clash", party="SYR")}
    assert "military-activity-in-aos" in rules
    # A Syrian clash in the AOS is west of Bravo, so past Syria's own line too.
    assert rules == {"military-activity-in-aos", "crossing-the-line"}
    assert geography.violations(placement, kind="peaceful-protest", party="SYR") == []


def test_three_km_west_of_alpha_is_the_israeli_inner_band(geography):
    lat, lon = moved(on_line(geography, "alpha"), east_km=-3)
    placement = geography.place_point(lat=lat, lon=lon)
    assert placement.zones == ("aol-alpha-0-10",)
    assert placement.side == "west-of-alpha"
    assert placement.line_sides == {"alpha": ("west",), "bravo": ("west",)}
    assert 2 < placement.distance_to_lines_km["alpha"] <= 3.001  # due west is at most 3 km from the line
    # Israeli military activity there is allowed by place; Syrian activity there is past Bravo.
    assert geography.violations(placement, kind="armed-clash", party="ISR") == []
    assert [v.rule for v in geography.violations(placement, kind="armed-clash", party="SYR")] == ["crossing-the-line"]


def test_fifteen_km_east_of_bravo_is_the_syrian_middle_band(geography):
    lat, lon = moved(on_line(geography, "bravo"), east_km=15)
    placement = geography.place_point(lat=lat, lon=lon)
    assert placement.zones == ("aol-bravo-10-20",)
    assert placement.side == "east-of-bravo"
    assert 10 < placement.distance_to_lines_km["bravo"] < 20
    violations = geography.violations(placement, kind="missile-within-25km", party="SYR")
    assert [v.rule for v in violations] == ["missile-within-25km"]


def test_within_five_km_of_hader_flags_the_protected_site_and_eight_km_does_not(geography):
    lat, lon = moved(HADER, east_km=3)
    near = geography.place_point(lat=lat, lon=lon)
    assert [site.place for site in near.protected_sites] == ["hader"]
    assert near.protected_sites[0].distance_km == pytest.approx(3, abs=0.01)
    [violation] = geography.violations(near, kind="attack", party="SYR")  # on Syria's own side of Bravo
    assert (violation.rule, violation.severity) == ("harm-near-protected-site", 5)

    lat, lon = moved(HADER, east_km=8)
    far = geography.place_point(lat=lat, lon=lon)
    assert far.protected_sites == ()
    assert geography.violations(far, kind="attack", party="SYR") == []


def test_beyond_the_lines_ends_a_point_is_on_no_side(geography):
    placement = geography.place_point(lat=31.954, lon=35.911)  # Amman, far south of both lines
    assert placement.zones == () and placement.side is None
    assert placement.line_sides == {"alpha": (), "bravo": ()}
    assert geography.violations(placement, kind="armed-clash", party="ISR") == []


def test_an_area_counts_where_it_reaches(geography):
    # A box from about 4 km west of Alpha to the middle of the AOS at Quneitra's latitude.
    west_lat, west_lon = moved(QUNEITRA, east_km=-5)
    area = Polygon([(west_lon, 33.12), (QUNEITRA[1], 33.12), (QUNEITRA[1], 33.13), (west_lon, 33.13)])
    placement = geography.place(area)
    assert {"aos", "aol-alpha-0-10"} <= set(placement.zones)
    assert placement.side == "area-of-separation"  # the AOS wins when an area reaches into it
    assert placement.line_sides["alpha"] == ("west", "east")
    assert placement.distance_to_lines_km["alpha"] == 0
    rules = {v.rule for v in geography.violations(placement, kind="firing-into-the-aos", party="ISR")}
    assert rules == {"firing-into-aos", "firing-across-the-line"}


def test_a_self_intersecting_area_is_refused(geography):
    bow_tie = Polygon([(35.80, 33.10), (35.85, 33.15), (35.85, 33.10), (35.80, 33.15)])
    with pytest.raises(Invalid, match="not a valid shape: Self-intersection"):
        geography.place(bow_tie)


def test_many_points_are_placed_as_one_point_is(geography):
    rng = np.random.default_rng(4)
    lats, lons = rng.uniform(32.6, 33.5, 400), rng.uniform(35.5, 36.2, 400)
    lats[:2], lons[:2] = (QUNEITRA[0], HADER[0]), (QUNEITRA[1], HADER[1])
    placements = geography.place_points(lats, lons)
    assert len(placements) == 400
    kinds = ["armed-clash", "attack", "shelling-artillery-missile-attack", "missile-within-25km"] * 100
    parties = ["ISR", "SYR", None, "UNDOF"] * 100
    bulk = geography.point_violations(placements, kinds=kinds, parties=parties)
    for i, (placement, lat, lon) in enumerate(zip(placements, lats, lons, strict=True)):
        one = geography.place_point(lat=lat, lon=lon)
        assert placement == placements[i]
        assert (placement.zones, placement.side, placement.line_sides) == (one.zones, one.side, one.line_sides)
        assert [s.place for s in placement.protected_sites] == [s.place for s in one.protected_sites]
        for line, km in one.distance_to_lines_km.items():
            assert placement.distance_to_lines_km[line] == pytest.approx(km, abs=1e-6)
        assert list(bulk[i]) == geography.violations(one, kind=kinds[i], party=parties[i])
    assert placements[0].side == "area-of-separation" and placements[1].protected_sites[0].place == "hader"
    assert any(bulk), "the sample should break some rule"


def test_no_points_is_no_placements(geography):
    placements = geography.place_points([], [])
    assert len(placements) == 0 and list(placements) == []
    assert geography.point_violations(placements, kinds=[], parties=[]) == []


def test_unknown_codes_are_refused(geography):
    placement = geography.place_point(lat=QUNEITRA[0], lon=QUNEITRA[1])
    with pytest.raises(Invalid, match="unknown incident type 'dogfight'"):
        geography.violations(placement, kind="dogfight", party="ISR")
    with pytest.raises(Invalid, match="unknown party 'EGY'"):
        geography.violations(placement, kind="armed-clash", party="EGY")


def test_protected_circles_have_the_cells_radius(geography):
    circles = geography.protected_circles()
    assert set(circles) == {p.code for p in default_cell().protected_places}
    hader = geography.place(circles["hader"].exterior)  # the rim is 5 km from the centre
    assert [s.distance_km for s in hader.protected_sites if s.place == "hader"] == [pytest.approx(5, abs=0.01)]


def test_the_geography_is_built_once_per_definition():
    cell = default_cell()
    assert geography_for(cell) is geography_for(cell)
    copy = cell.model_copy()
    assert geography_for(copy) is not geography_for(cell)
