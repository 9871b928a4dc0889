"""The shapes built from the shipped (schematic) cell: the AOS, the one-sided bands, the side regions."""

import itertools

import pytest
from shapely.geometry import LineString, Point

from fusioncell.cell.definition import Side
from fusioncell.cell.loader import default_cell
from fusioncell.geo.geometry import CellGeometryError, area_between, side_region
from fusioncell.geo.service import geography_for

BANDS = [f"aol-{line}-{band}" for line in ("alpha", "bravo") for band in ("0-10", "10-20", "20-25")]
SQUARE_METRE = 1.0  # overlaps smaller than this are floating-point noise along shared edges


@pytest.fixture(scope="module")
def geography():
    return geography_for(default_cell())


def test_the_aos_is_about_the_size_the_agreement_gives(geography):
    # Reporting gives about 235 km². The lines are hand-drawn schematics, so the figure cannot be exact;
    # the range is wide enough for that and narrow enough to catch what would really be wrong: area
    # computed in degrees (≈0.02) or without the km conversion (≈2e8), or lines that cross (a bow tie).
    area_km2 = geography.zones["aos"].area / 1e6
    assert 120 < area_km2 < 400


def test_the_economic_zone_is_the_aos_by_default(geography):
    assert geography.zones["economic-zone"].equals(geography.zones["aos"])


@pytest.mark.parametrize("code", BANDS)
def test_each_band_lies_on_its_own_side_of_its_line(geography, code):
    derived = default_cell().zone(code).derived
    line = geography.lines[derived.buffer_line]
    band = geography.zones[code]
    # The side, checked against the line's own coordinates rather than the side regions bands are cut by.
    west_of_line = band.centroid.x < line.interpolate(line.project(band.centroid)).x
    assert west_of_line is (derived.side is Side.WEST)
    assert band.area > 0
    # Buffers round bends with chords, which cut inside the true arc by up to 1.5 m (geometry.QUAD_SEGS).
    assert band.distance(line) == pytest.approx(derived.from_km * 1000, abs=2)
    assert band.hausdorff_distance(line) <= derived.km * 1000 + 2


def test_bands_overlap_neither_each_other_nor_the_aos(geography):
    for first, second in itertools.combinations([*BANDS, "aos"], 2):
        overlap = geography.zones[first].intersection(geography.zones[second]).area
        assert overlap < SQUARE_METRE, f"{first} and {second} overlap by {overlap:.0f} m²"


def test_side_regions_end_at_the_lines_ends(geography):
    alpha = geography.lines["alpha"]
    (x, north), (_, south) = alpha.coords[0], alpha.coords[-1]
    west = side_region(alpha, Side.WEST)
    assert west.contains(Point(x - 1000, (north + south) / 2))
    assert not west.contains(Point(x - 1000, north + 1000))  # beyond the northern end: neither side
    assert not side_region(alpha, Side.EAST).contains(Point(x - 1000, (north + south) / 2))


def test_crossing_lines_enclose_no_area():
    first = LineString([(0, 10), (0, 0)])
    second = LineString([(1, 10), (-1, 5), (1, 0)])  # crosses the first twice
    with pytest.raises(CellGeometryError, match="zone 'aos'.*cross"):
        area_between(first, second, what="aos")
