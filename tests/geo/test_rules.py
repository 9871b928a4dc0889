"""The incident taxonomy and rules of the definition: what ships, and line-numbered errors for mistakes."""

from fusioncell.cell.loader import default_cell
from tests.cell.test_definition import edited, line_of, problems_of

RULES = [rule.code for rule in default_cell().incident_rules]
MISSILE_RULE = RULES.index("missile-within-25km")
HARM_RULE = RULES.index("harm-near-protected-site")


def covered(rule_code: str) -> set[str]:
    cell = default_cell()
    rule = cell.incident_rule(rule_code)
    return {kind.code for kind in cell.incident_types if rule.covers(kind)}


def test_the_taxonomy_has_acled_and_the_1974_types():
    cell = default_cell()
    event_types = {t.code for t in cell.incident_types if t.parent is None}
    assert event_types == {
        "battles",
        "explosions-remote-violence",
        "violence-against-civilians",
        "protests",
        "riots",
        "strategic-developments",
        "disengagement-1974",
    }
    agreement = {t.code for t in cell.incident_types if t.parent == "disengagement-1974"}
    assert agreement == {
        "aos-incursion",
        "crossing-of-the-line",
        "firing-into-the-aos",
        "aol-over-limit",
        "missile-within-25km",
    }
    assert cell.incident_type("air-drone-strike").acled == "Air/drone strike"
    assert cell.incident_type("shelling-artillery-missile-attack").parent == "explosions-remote-violence"
    for kind in cell.incident_types:
        assert kind.names.en and kind.names.ar and kind.names.he


def test_the_rules_cover_the_types_they_should():
    assert {"armed-clash", "aos-incursion", "headquarters-or-base-established"} <= covered("military-activity-in-aos")
    assert not {"peaceful-protest", "arrests", "air-drone-strike"} & covered("military-activity-in-aos")
    assert {"air-drone-strike", "shelling-artillery-missile-attack", "firing-into-the-aos"} <= covered(
        "firing-into-aos"
    )
    assert covered("missile-within-25km") == {"missile-within-25km"}
    # An event type named by a rule covers its sub-types.
    assert {"attack", "sexual-violence", "grenade", "mob-violence"} <= covered("harm-near-protected-site")
    assert "peaceful-protest" not in covered("harm-near-protected-site")


def test_a_rule_naming_an_unknown_incident_type():
    text = edited("    flags: [missile]\n", "    flags: [missile]\n    types: [missile-launch]\n")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'missile-launch')}: incident_rules[{MISSILE_RULE}].types[0]: "
        "unknown incident type 'missile-launch'"
    ]


def test_a_rule_naming_an_unknown_zone_or_zone_kind():
    text = edited("{in_zone_kinds: [area-of-separation, area-of-limitation]}", "{in_zones: [aos, aol-charlie-0-10]}")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'aol-charlie')}: incident_rules[{MISSILE_RULE}].when.in_zones[1]: "
        "unknown zone 'aol-charlie-0-10'"
    ]
    text = edited("[area-of-separation, area-of-limitation]", "[area-of-separation, area-of-limits]")
    [problem] = problems_of(text)
    assert problem.startswith(
        f"cell.yaml line {line_of(text, 'area-of-limits')}: incident_rules[{MISSILE_RULE}].when.in_zone_kinds[1]: "
        "no zone has kind 'area-of-limits'"
    )


def test_a_rule_with_an_unknown_flag_or_condition():
    text = edited("    flags: [missile]\n", "    flags: [rocket]\n")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'flags: [rocket]')}: incident_rules[{MISSILE_RULE}].flags[0]: "
        "Input should be 'military', 'firing' or 'missile'"
    ]
    text = edited("when: {near_protected_site: true}", "when: {near_protected_site: true, near_site: true}")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'near_site: true}')}: incident_rules[{HARM_RULE}].when.near_site: "
        "Extra inputs are not permitted"
    ]
    text = edited("when: {near_protected_site: true}", "when: {}")
    [problem] = problems_of(text)
    assert problem.startswith(f"cell.yaml line {line_of(text, 'when: {}')}: incident_rules[{HARM_RULE}].when: give at")


def test_a_rule_covering_nothing():
    text = edited("    flags: [missile]\n", "")
    [problem] = problems_of(text)
    line = line_of(text, "- code: missile-within-25km")
    assert problem == (
        f"cell.yaml line {line}: incident_rules[{MISSILE_RULE}]: "
        "give the incident types the rule covers: types, flags or both"
    )


def test_a_sub_type_of_an_unknown_parent():
    text = edited("parent: battles, acled: Armed clash", "parent: battle, acled: Armed clash")
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, 'parent: battle,')}: incident_types[1].parent: unknown incident type 'battle'"
    ]


def test_crossing_rules_need_a_line_that_holds_forces():
    text = edited("    forces: {party: ISR, stay: west}   # Israeli forces stay west of it\n", "")
    text = text.replace("    forces: {party: SYR, stay: east}   # Syrian forces stay east of it\n", "")
    problems = problems_of(text)
    assert len(problems) == 2 and all("no line holds a party's forces back" in p for p in problems)


def test_line_forces_name_a_party_and_west_or_east():
    text = edited("forces: {party: ISR, stay: west}", "forces: {party: IDF, stay: west}")
    [problem] = problems_of(text)
    assert problem.startswith(
        f"cell.yaml line {line_of(text, 'party: IDF')}: lines[0].forces.party: unknown party 'IDF'"
    )
    text = edited("forces: {party: ISR, stay: west}", "forces: {party: ISR, stay: north}")
    [problem] = problems_of(text)
    assert problem.startswith(f"cell.yaml line {line_of(text, 'stay: north')}: lines[0].forces.stay: lines run north")


def test_a_line_must_run_north_to_south():
    text = edited("      - [33.335, 35.790]\n", "      - [32.500, 35.790]\n")
    [problem] = problems_of(text)
    line = line_of(text, "[32.500, 35.790]") - 1  # the `coordinates:` key above the list
    assert problem.startswith(f"cell.yaml line {line}: lines[0].coordinates: lines run north to south")


def test_lines_must_lie_in_the_area_of_interest():
    text = edited(
        "area_of_interest: {south: 31.5, west: 34.8, north: 34.0",
        "area_of_interest: {south: 31.5, west: 34.8, north: 33.4",
    )
    assert problems_of(text) == [
        f"cell.yaml line {line_of(text, '[33.420, 35.880]')}: lines[1].coordinates[0]: "
        "the point lies outside area_of_interest"
    ]
    text = edited("{south: 31.5, west: 34.8, north: 34.0", "{south: 34.5, west: 34.8, north: 34.0")
    [problem] = problems_of(text)
    assert "area_of_interest: south must be less than north" in problem


def test_duplicate_rule_codes():
    text = edited("  - code: firing-across-the-line\n", "  - code: firing-into-aos\n")
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if line == "  - code: firing-into-aos"]
    assert problems_of(text) == [
        f"cell.yaml line {second}: incident_rules[{RULES.index('firing-across-the-line')}].code: "
        f"duplicate code 'firing-into-aos' (also incident_rules[{RULES.index('firing-into-aos')}])"
    ]
