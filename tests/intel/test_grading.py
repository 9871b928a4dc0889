"""The Admiralty code and STIX 2.1 confidence, both ways, as the specification's Appendix A states them."""

import pytest

from fusioncell.intel.grading import (
    Credibility,
    SourceReliability,
    admiralty_code,
    confidence_of,
    credibility_of,
    parse_admiralty_code,
)

# STIX 2.1, Appendix A "Admiralty Credibility": grade, the confidence it is written as, the range read back.
APPENDIX_A = [
    ("1", 90, range(80, 101)),
    ("2", 70, range(60, 80)),
    ("3", 50, range(40, 60)),
    ("4", 30, range(20, 40)),
    ("5", 10, range(0, 20)),
]


@pytest.mark.parametrize(("grade", "confidence", "band"), APPENDIX_A)
def test_each_credibility_grade_maps_to_its_confidence_and_its_band_maps_back(grade, confidence, band):
    assert confidence_of(Credibility(grade)) == confidence
    assert {credibility_of(value) for value in band} == {Credibility(grade)}


def test_truth_that_cannot_be_judged_has_no_confidence_and_no_confidence_is_that_grade():
    assert confidence_of(Credibility.CANNOT_BE_JUDGED) is None
    assert credibility_of(None) == Credibility.CANNOT_BE_JUDGED


def test_every_grade_survives_the_round_trip():
    for grade in Credibility:
        assert credibility_of(confidence_of(grade)) == grade


@pytest.mark.parametrize("bad", [-1, 101, 50.5, "50", True])
def test_a_confidence_out_of_the_scale_is_refused(bad):
    with pytest.raises(ValueError, match="0 to 100"):
        credibility_of(bad)


def test_codes_are_written_and_read_as_analysts_write_them():
    assert admiralty_code(SourceReliability.B, Credibility.PROBABLY_TRUE) == "B2"
    assert parse_admiralty_code(" b2 ") == (SourceReliability.B, Credibility.PROBABLY_TRUE)
    assert parse_admiralty_code("F6") == (SourceReliability.F, Credibility.CANNOT_BE_JUDGED)
    for bad in ("G1", "A7", "A", "2B", "AB2", "", None):
        with pytest.raises(ValueError, match="letter A–F then a digit 1–6"):
            parse_admiralty_code(bad)
