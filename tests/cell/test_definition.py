"""The cell definition: the default Israel–Syria cell, and a clear, line-numbered error for each mistake."""

import pytest

from fusioncell.cell.definition import CellDefinition, PartyRole, Precedence, UnknownCodeError
from fusioncell.cell.loader import (
    CellDefinitionError,
    default_cell,
    default_cell_path,
    load_cell,
    load_cell_text,
)

DEFAULT_TEXT = default_cell_path().read_text(encoding="utf-8")
DRUZE = {"majdal-shams", "hader", "ein-qiniyye", "masade", "buqata", "suwayda", "jaramana", "sahnaya"}


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} found on lines {hits}"
    return hits[0]


def edited(old: str, new: str) -> str:
    assert DEFAULT_TEXT.count(old) == 1, f"{old!r} is not unique in default.yaml"
    return DEFAULT_TEXT.replace(old, new)


def problems_of(text: str, source: str = "cell.yaml") -> list[str]:
    with pytest.raises(CellDefinitionError) as caught:
        load_cell_text(text, source=source)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.problems and all(p in str(error) for p in error.problems)
    return error.problems


# -- the default cell -------------------------------------------------------------------------------


def test_default_cell_parties_and_roles():
    cell = default_cell()
    assert cell.schema_version == 1 and cell.code == "isr-syr"
    assert cell.log_origin == "fusioncell.cell/isr-syr" and cell.timezone == "Asia/Damascus"
    assert {p.code: p.role for p in cell.parties} == {
        "USA": PartyRole.MEDIATOR,
        "ISR": PartyRole.PRINCIPAL,
        "SYR": PartyRole.PRINCIPAL,
        "FRA": PartyRole.OBSERVER,
        "JOR": PartyRole.OBSERVER,
        "UNDOF": PartyRole.OBSERVER,
    }
    assert cell.mediator.code == "USA"
    assert [p.code for p in cell.principals] == ["ISR", "SYR"]
    assert [p.code for p in cell.observers] == ["FRA", "JOR", "UNDOF"]
    assert cell.party_codes == frozenset({"USA", "ISR", "SYR", "FRA", "JOR", "UNDOF"})
    assert cell.party("UNDOF").names.he == 'כוח האו"ם להשגחה על ההפרדה'
    assert cell.party("SYR").names.ar == "الجمهورية العربية السورية"
    assert default_cell() is cell  # cached


def test_default_cell_desks_channels_deadlines():
    cell = default_cell()
    assert [d.code for d in cell.desks] == ["intelligence", "deescalation", "diplomacy", "commerce"]
    members = {c.code: (c.kind.value, c.members) for c in cell.channels}
    assert members == {
        "plenary": ("plenary", ("USA", "ISR", "SYR")),
        "usa-isr": ("bilateral", ("USA", "ISR")),
        "usa-syr": ("bilateral", ("USA", "SYR")),
        "hotline": ("hotline", ("ISR", "SYR", "USA")),
        "observers": ("observers", ("USA", "FRA", "JOR", "UNDOF")),
    }
    assert cell.deadlines.acknowledgement_minutes == {
        Precedence.FLASH: 5,
        Precedence.IMMEDIATE: 15,
        Precedence.PRIORITY: 60,
        Precedence.ROUTINE: None,
    }
    assert cell.deadlines.deconfliction_lead_hours == {
        "air": 6,
        "ground-movement": 24,
        "exercise": 72,
        "demining": None,
        "humanitarian-convoy": 12,
    }
    where = cell.deadlines.deconfliction_lead_where
    assert where["air"].within_km_of_lines == 25
    assert where["ground-movement"].in_zone_kinds == ("area-of-limitation", "area-of-separation")


def test_default_cell_places():
    cell = default_cell()
    assert len(cell.places) == 17
    for place in cell.places:
        assert place.names.en and place.names.ar and place.names.he
    assert {p.code for p in cell.protected_places} == DRUZE
    assert cell.protected_site_radius_km == 5
    assert cell.place("quneitra").names.ar == "القنيطرة" and not cell.place("quneitra").approximate
    assert cell.place("amman").names.ar == "عمّان" and cell.place("amman").approximate
    assert cell.place("majdal-shams").names.he == "מג'דל שמס"
    assert cell.place("rafid").confidence == "low"
    assert (cell.place("paris").lat, cell.place("paris").lon) == (48.8566, 2.3522)


def test_default_cell_lines_zones_targets():
    cell = default_cell()
    alpha, bravo = cell.line("alpha"), cell.line("bravo")
    assert len(alpha.coordinates) == 10 and len(bravo.coordinates) == 12
    assert alpha.coordinates[0] == (33.335, 35.790) and alpha.coordinates[-1] == (32.720, 35.860)
    assert bravo.coordinates[0] == (33.420, 35.880) and bravo.coordinates[-1] == (32.720, 35.862)
    assert alpha.lon_lat[0] == (35.790, 33.335)
    assert all(z.schematic for z in cell.zones) and alpha.schematic and bravo.schematic
    assert cell.zone("aos").derived.from_lines == ("alpha", "bravo")
    assert cell.zone("economic-zone").derived.same_as == "aos"
    band = cell.zone("aol-bravo-10-20")
    assert band.applies_to == "SYR" and band.derived.side == "east"
    assert (band.derived.from_km, band.derived.km) == (10, 20)
    assert band.limits.unverified and band.limits.tanks == 450
    inner = cell.zone("aol-alpha-0-10").limits
    assert (inner.troops, inner.tanks, inner.artillery, inner.unverified) == (6000, 75, 36, False)
    assert cell.zone("aol-alpha-20-25").limits.missiles_allowed is False
    t = cell.targets
    figures = (t.gdp_usd_per_year, t.power_mw, t.jobs, t.pharma_import_reduction_percent)
    assert figures == (4e9, 800, 15000, 40)
    assert t.unverified


def test_round_trips_through_json():
    cell = default_cell()
    assert CellDefinition.model_validate_json(cell.model_dump_json()) == cell


def test_unknown_code_lookup_is_a_clear_key_error():
    with pytest.raises(KeyError) as caught:
        default_cell().party("EGY")
    assert isinstance(caught.value, UnknownCodeError)
    known = "USA, ISR, SYR, FRA, JOR, UNDOF"
    assert str(caught.value) == f"unknown party 'EGY' in cell 'isr-syr' (known: {known})"


# -- errors with line numbers -----------------------------------------------------------------------


def test_wrong_role():
    text = edited("role: observer      # host of", "role: watcher      # host of")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'role: watcher')}: parties[4].role: "
        "Input should be 'mediator', 'principal' or 'observer'"
    ]


def test_unknown_field():
    text = edited("  - code: ISR\n", "  - code: ISR\n    colour: blue\n")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'colour: blue')}: parties[1].colour: Extra inputs are not permitted"
    ]


def test_duplicate_key():
    text = edited("timezone: Asia/Damascus\n", "timezone: Asia/Damascus\ncode: other-cell\n")
    first, second = line_of(text, "code: isr-syr"), line_of(text, "code: other-cell")
    [problem] = problems_of(text)
    assert problem.startswith(f"cell.yaml line {second}: duplicate key 'code' (first on line {first})")


def test_missing_mediator():
    text = edited("role: mediator", "role: principal")
    [problem] = problems_of(text)
    line = line_of(text, "parties:")
    assert problem == f"cell.yaml line {line}: parties: no party has role 'mediator'; exactly one must"


def test_two_mediators():
    text = edited("role: observer      # diplomatic", "role: mediator      # diplomatic")
    [problem] = problems_of(text)
    line = line_of(text, "role: mediator      # diplomatic")
    assert problem.startswith(f"cell.yaml line {line}: parties[3].role: FRA would be a second mediator")


def test_channel_member_not_a_party():
    text = edited("members: [USA, ISR, SYR]", "members: [USA, ISR, SYX]")
    [problem] = problems_of(text)
    line = line_of(text, "SYX")
    assert problem.startswith(f"cell.yaml line {line}: channels[0].members[2]: unknown party 'SYX' (parties:")


def test_hotline_without_mediator_and_unknown_line_are_both_reported():
    text = edited("members: [ISR, SYR, USA]", "members: [ISR, SYR]")
    text = text.replace("from_lines: [alpha, bravo]", "from_lines: [alpha, charlie]")
    problems = problems_of(text)
    assert problems == [
        f"cell.yaml line {line_of(text, 'members: [ISR, SYR]')}: channels[3].members: "
        "the hotline must include the mediator USA",
        f"cell.yaml line {line_of(text, 'charlie')}: zones[0].derived.from_lines[1]: unknown line 'charlie'",
    ]


def test_yaml_syntax_error():
    text = edited("timezone: Asia/Damascus", "timezone: Asia: Damascus")
    [problem] = problems_of(text)
    line = line_of(text, "Asia: Damascus")
    assert problem.startswith(f"cell.yaml line {line}: YAML syntax error: mapping values are not allowed")


def test_bad_latitude():
    text = edited("lat: 33.1256", "lat: 133.1256")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, '133.1256')}: places[0].lat: Input should be less than or equal to 90"
    ]


def test_missing_field_points_at_its_mapping():
    text = edited("    names: {en: Jordan, ar: الأردن, he: ירדן}\n", "")
    [problem] = problems_of(text)
    assert problem == f"cell.yaml line {line_of(text, 'code: JOR')}: parties[4].names: Field required"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text):
    [problem] = problems_of(text)
    assert problem.startswith("cell.yaml line 1: the file is empty")


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "not a list"), ("\n\nhello\n", "not a single value")])
def test_top_level_not_a_mapping(text, kind):
    [problem] = problems_of(text)
    line = line_of(text, text.strip().splitlines()[0])
    assert problem.startswith(f"cell.yaml line {line}: the top level must be a mapping") and kind in problem


def test_several_problems_are_all_listed_in_line_order():
    text = edited("lat: 33.1256", "lat: 133.1256")
    text = text.replace("timezone: Asia/Damascus", "timezone: Mars/Olympus")
    problems = problems_of(text)
    assert [p.split(":")[0] for p in problems] == [
        f"cell.yaml line {line_of(text, 'Mars/Olympus')}",
        f"cell.yaml line {line_of(text, '133.1256')}",
    ]
    assert "unknown time zone 'Mars/Olympus'" in problems[0]
    assert str(CellDefinitionError(problems)).startswith("invalid cell definition (2 problems):")


def test_load_cell_from_a_file(tmp_path):
    good = tmp_path / "cell.yaml"
    good.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load_cell(good) == default_cell()
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited("role: mediator", "role: boss"), encoding="utf-8")
    with pytest.raises(CellDefinitionError, match=r"bad\.yaml line \d+: parties\[0\]\.role"):
        load_cell(bad)
    with pytest.raises(CellDefinitionError, match="cannot read the cell definition"):
        load_cell(tmp_path / "missing.yaml")
