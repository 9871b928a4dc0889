"""The fast STIX edge check against the real stix2-validator and stix2-patterns, which serve as oracles.

allow_custom=False is compared with the validator in strict mode limited to the custom-content checks (unknown
types, custom properties without x_); allow_custom=True with the validator's defaults.
"""

import random

import pytest
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions, validate_instance
from stix2validator.v21.enums import OBSERVABLE_TYPES

from fusioncell.intel.stix_patterns import _fast_pattern_facts
from fusioncell.intel.validation import (
    MAX_BUNDLE_OBJECTS,
    check_bundle,
    check_objects,
    pattern_problem,
)

# The validator itself catches a jsonschema exception that jsonschema has deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.exceptions.RefResolutionError:DeprecationWarning")

STRICT = ValidationOptions(version="2.1", strict=True, strict_types=True, enabled="custom-prefix-lax")
LENIENT = ValidationOptions(version="2.1")

T0, T1 = "2024-05-01T12:00:00.000Z", "2024-05-02T08:30:00.000Z"
IDENTITY = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
INDICATOR = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
THREAT_ACTOR = "threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500"
LOCATION = "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64"


def validator_errors(obj: dict, options: ValidationOptions) -> list[str]:
    """The validator's errors; where it crashes (it does on some bad input), the crash is its refusal."""
    try:
        return [str(e) for e in validate_instance(obj, options).errors]
    except Exception as e:
        return [f"validator crashed: {e!r}"]


def parser_errors(pattern: str) -> list[str]:
    try:
        return run_validator(pattern, stix_version="2.1")
    except Exception as e:  # e.g. UnboundLocalError on an empty pattern
        return [f"parser crashed: {e!r}"]


def strict_errors(obj: dict) -> list[str]:
    """The validator's errors in strict mode, less its refusal of top-level SCOs (it knows only SDO type names)."""
    sco_refusal = f"Object type '{obj.get('type')}' is not one of those defined in the specification."
    errors = validator_errors(obj, STRICT)
    return [e for e in errors if not (e.endswith(sco_refusal) and obj.get("type") in OBSERVABLE_TYPES)]


def sdo(type_name: str, uuid: str, **props) -> dict:
    return {
        "type": type_name,
        "spec_version": "2.1",
        "id": f"{type_name}--{uuid}",
        "created": T0,
        "modified": T0,
        "created_by_ref": IDENTITY,
        "object_marking_refs": [GREEN],
        **props,
    }


def tlp2(uuid: str, level: str) -> dict:
    # The OASIS TLP 2.0 definitions (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid}",
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.upper()}",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": level,
            }
        },
    }


INDICATOR_OBJ = sdo(
    "indicator",
    "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    name="C2 address",
    indicator_types=["malicious-activity"],
    pattern="[ipv4-addr:value = '198.51.100.7']",
    pattern_type="stix",
    valid_from="2024-05-01T12:00:00Z",
    confidence=70,
)
VALID = {
    "identity": sdo(
        "identity",
        "f431f809-377b-45e0-aa1c-6a4751cae5ff",
        name="US supervisor",
        identity_class="organization",
        lang="en",
        object_marking_refs=[GREEN],
    ),
    "indicator": INDICATOR_OBJ,
    "indicator-hash": {
        **INDICATOR_OBJ,
        "pattern": "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
    },
    "indicator-complex": {
        **INDICATOR_OBJ,
        "valid_until": "2024-06-01T00:00:00Z",
        "kill_chain_phases": [{"kill_chain_name": "lockheed", "phase_name": "c2"}],
        "pattern": "([domain-name:value = 'a.example'] FOLLOWEDBY [url:value LIKE 'http%']) WITHIN 600 SECONDS",
    },
    "indicator-sigma": {**INDICATOR_OBJ, "pattern_type": "sigma", "pattern": "title: anything goes"},
    "report": sdo(
        "report",
        "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        name="Incident near the line",
        published=T1,
        report_types=["threat-report"],
        object_refs=[INDICATOR, THREAT_ACTOR],
        lang="ar",
        external_references=[
            {"source_name": "cve", "external_id": "CVE-2024-3094"},
            {"source_name": "liaison log", "url": "https://example.org/log/7"},
        ],
    ),
    "sighting": sdo(
        "sighting",
        "ee3a1e4e-47d1-4a46-9c4c-3e1b8ae2a4f1",
        sighting_of_ref=INDICATOR,
        count=3,
        first_seen=T0,
        last_seen=T1,
        where_sighted_refs=[IDENTITY, LOCATION],
        summary=False,
    ),
    "threat-actor": sdo(
        "threat-actor",
        "56f3f0db-b5d5-431c-ae56-c18f02caf500",
        name="Unit X",
        aliases=["X"],
        threat_actor_types=["nation-state"],
        first_seen=T0,
        x_fusioncell_grade="B2",
    ),
    "location-coords": sdo(
        "location",
        "a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
        latitude=33.1,
        longitude=35.8,
        precision=500.0,
        name="Quneitra crossing",
    ),
    "location-country": sdo("location", "a6e9345f-5a15-4c29-8bb3-7dcc5d168d64", country="SY", region="western-asia"),
    "note": sdo(
        "note",
        "0c7b5b88-8ff7-4a4d-aa9c-feb398cd0061",
        content="Confirmed by the second source.",
        object_refs=[INDICATOR],
        authors=["desk"],
    ),
    "opinion": sdo(
        "opinion",
        "b01efc25-77b4-4003-b18b-f6e24b5cd9f7",
        opinion="agree",
        object_refs=[INDICATOR],
        explanation="Seen too.",
    ),
    "grouping": sdo(
        "grouping",
        "84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb4",
        context="suspicious-activity",
        object_refs=[INDICATOR, LOCATION],
        name="Tuesday",
    ),
    "relationship": sdo(
        "relationship",
        "44298a74-ba52-4f0c-87a3-1824e67d7fad",
        relationship_type="indicates",
        source_ref=INDICATOR,
        target_ref=THREAT_ACTOR,
        start_time=T0,
        stop_time=T1,
    ),
    "granular": sdo(
        "note",
        "0c7b5b88-8ff7-4a4d-aa9c-feb398cd0061",
        content="c",
        object_refs=[INDICATOR],
        granular_markings=[{"selectors": ["content", "object_refs.[0]"], "marking_ref": GREEN}],
    ),
    "statement-marking": {
        "type": "marking-definition",
        "spec_version": "2.1",
        "created": T0,
        "created_by_ref": IDENTITY,
        "id": "marking-definition--6b35d6ff-ba9e-4b86-b2fb-6f5bb2f1e5c1",
        "name": "Cell only",
        "definition_type": "statement",
        "definition": {"statement": "Not for release."},
    },
    "tlp1-green": {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "created": "2017-01-20T00:00:00.000Z",
        "name": "TLP:GREEN",
        "definition_type": "tlp",
        "definition": {"tlp": "green"},
    },
    "tlp2-clear": tlp2("94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    "tlp2-green": tlp2("bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    "tlp2-amber": tlp2("55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    "tlp2-amber-strict": tlp2("939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    "tlp2-red": tlp2("e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
    "ipv4-addr": {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.0/24",
    },
    "domain-name": {
        "type": "domain-name",
        "id": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5",
        "value": "evil.example",
        "resolves_to_refs": ["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"],
    },
    "url": {
        "type": "url",
        "spec_version": "2.1",
        "id": "url--c1477287-23ac-5971-a010-5c287877fa60",
        "value": "https://evil.example/path?q=1",
        "object_marking_refs": [GREEN],
    },
    "file": {
        "type": "file",
        "spec_version": "2.1",
        "id": "file--e277603e-1060-5ad4-9937-c26c97f1ca68",
        "name": "dropper.exe",
        "size": 25536,
        "hashes": {
            "SHA-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "MD5": "d41d8cd98f00b204e9800998ecf8427e",
        },
    },
    "uuid-v1-id": {**INDICATOR_OBJ, "id": "indicator--1621d4d4-b67d-11e3-9670-f01faf20d111"},
    "uppercase-uuid": {**INDICATOR_OBJ, "id": "indicator--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F"},
    "x-property": {**INDICATOR_OBJ, "x_cell_source": {"party": "A"}},
    "integral-float-confidence": {**INDICATOR_OBJ, "confidence": 70.0},
}


def _change(base: dict, **changes) -> dict:
    obj = {**base, **changes}
    return {k: v for k, v in obj.items() if v is not DROP}


DROP = object()
IND = INDICATOR_OBJ
# name -> (object, the field a problem must name)
INVALID = {
    "id-not-uuid": (_change(IND, id="indicator--1234"), "id"),
    "id-uuid-version-0": (_change(IND, id="indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"), "id"),
    "id-uuid-variant-c": (_change(IND, id="indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"), "id"),
    "id-wrong-type": (_change(IND, id="malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"), "id"),
    "no-id": (_change(IND, id=DROP), "id"),
    "created-no-millis": (_change(IND, created="2024-05-01T12:00:00Z", modified=T1), "created"),
    "created-offset": (_change(IND, created="2024-05-01T12:00:00.000+00:00"), "created"),
    "created-no-z": (_change(IND, created="2024-05-01T12:00:00.000"), "created"),
    "created-feb-30": (_change(IND, created="2024-02-30T12:00:00.000Z"), "created"),
    "valid-from-leap-second": (_change(IND, valid_from="2024-05-01T12:00:60Z"), "valid_from"),
    "modified-before-created": (_change(IND, modified="2024-04-30T12:00:00.000Z"), "modified"),
    "valid-until-equals-from": (_change(IND, valid_until="2024-05-01T12:00:00Z"), "valid_until"),
    "no-pattern": (_change(IND, pattern=DROP), "pattern"),
    "no-valid-from": (_change(IND, valid_from=DROP), "valid_from"),
    "no-spec-version": (_change(IND, spec_version=DROP), "spec_version"),
    "pattern-unparsable": (_change(IND, pattern="[ipv4-addr:value = '1.2.3.4'"), "pattern"),
    "pattern-bad-op": (_change(IND, pattern="[ipv4-addr:value ~ '1.2.3.4']"), "pattern"),
    "pattern-bad-hash": (_change(IND, pattern="[file:hashes.MD5 = 'abc']"), "pattern"),
    "pattern-unknown-sco": (_change(IND, pattern="[x-thing:value = 'a']"), "pattern"),
    "pattern-bad-type-name": (_change(IND, pattern="[x_thing:value = 'a']"), "pattern"),
    "confidence-101": (_change(IND, confidence=101), "confidence"),
    "confidence-string": (_change(IND, confidence="70"), "confidence"),
    "empty-labels": (_change(IND, labels=[]), "labels"),
    "null-name": (_change(IND, name=None), "name"),
    "custom-property": (_change(IND, cell_source="A"), "cell_source"),
    "bad-property-name": (_change(IND, X_cell="A"), "X_cell"),
    "reserved-property": (_change(IND, severity="high"), "severity"),
    "unknown-type": (
        {**IND, "type": "x-cell-thing", "id": "x-cell-thing--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
        "type",
    ),
    "bad-created-by-ref": (_change(IND, created_by_ref="identity--nope"), "created_by_ref"),
    "bad-marking-ref": (_change(IND, object_marking_refs=["marking-definition--xyz"]), "object_marking_refs"),
    "lang-unknown": (_change(IND, lang="xx-YY"), "lang"),
    "bad-kill-chain": (_change(IND, kill_chain_phases=[{"kill_chain_name": "k"}]), "kill_chain_phases"),
    "report-no-refs": (_change(VALID["report"], object_refs=DROP), "object_refs"),
    "report-bad-ref": (_change(VALID["report"], object_refs=["indicator"]), "object_refs"),
    "report-no-published": (_change(VALID["report"], published=DROP), "published"),
    "cve-bad-id": (
        _change(VALID["report"], external_references=[{"source_name": "cve", "external_id": "x"}]),
        "external_references",
    ),
    "extref-bare": (_change(VALID["report"], external_references=[{"source_name": "x"}]), "external_references"),
    "sighting-of-relationship": (
        _change(VALID["sighting"], sighting_of_ref="relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"),
        "sighting_of_ref",
    ),
    "sighting-where-indicator": (_change(VALID["sighting"], where_sighted_refs=[INDICATOR]), "where_sighted_refs"),
    "sighting-negative-count": (_change(VALID["sighting"], count=-1), "count"),
    "sighting-last-before-first": (_change(VALID["sighting"], last_seen="2024-04-01T00:00:00.000Z"), "last_seen"),
    "relationship-type-caps": (_change(VALID["relationship"], relationship_type="Indicates"), "relationship_type"),
    "relationship-no-target": (_change(VALID["relationship"], target_ref=DROP), "target_ref"),
    "relationship-stop-equals-start": (_change(VALID["relationship"], stop_time=T0), "stop_time"),
    "opinion-unknown": (_change(VALID["opinion"], opinion="maybe"), "opinion"),
    "note-no-content": (_change(VALID["note"], content=DROP), "content"),
    "grouping-no-context": (_change(VALID["grouping"], context=DROP), "context"),
    "identity-no-name": (_change(VALID["identity"], name=DROP), "name"),
    "threat-actor-no-name": (_change(VALID["threat-actor"], name=DROP), "name"),
    "location-empty": (_change(VALID["location-country"], country=DROP, region=DROP), None),
    "location-latitude-only": (_change(VALID["location-coords"], longitude=DROP), "longitude"),
    "location-latitude-range": (_change(VALID["location-coords"], latitude=91), "latitude"),
    "selector-missing": (
        _change(VALID["granular"], granular_markings=[{"selectors": ["description"], "marking_ref": GREEN}]),
        "granular_markings",
    ),
    "statement-no-definition": (_change(VALID["statement-marking"], definition=DROP), "definition"),
    "tlp1-forged": (_change(VALID["tlp1-green"], definition={"tlp": "white"}, name="TLP:WHITE"), "definition_type"),
    "tlp2-bad-extension-key": (_change(VALID["tlp2-red"], extensions={"tlp-ext": {"tlp_2_0": "red"}}), "extensions"),
    "tlp2-no-extension-type": (
        _change(
            VALID["tlp2-red"],
            extensions={"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"tlp_2_0": "red"}},
        ),
        "extensions",
    ),
    "marking-marks-itself": (
        _change(VALID["statement-marking"], object_marking_refs=[VALID["statement-marking"]["id"]]),
        "object_marking_refs",
    ),
    "ipv4-bad": (_change(VALID["ipv4-addr"], value="300.1.1.1"), "value"),
    "domain-bad": (_change(VALID["domain-name"], value="bad_name.example"), "value"),
    "url-no-scheme": (_change(VALID["url"], value="evil.example/path with space"), "value"),
    "file-bad-md5": (_change(VALID["file"], hashes={"MD5": "xyz"}), "hashes"),
    "file-no-name-or-hashes": (_change(VALID["file"], name=DROP, hashes=DROP), "hashes"),
    "file-negative-size": (_change(VALID["file"], size=-1), "size"),
    "sco-bad-id": (_change(VALID["url"], id="url--c1477287"), "id"),
}
# What the specification requires and stix2-validator lets through: we refuse, knowingly.
STRICTER = {
    "spec-version-2.0": (_change(IND, spec_version="2.0"), "spec_version"),
    "created-by-not-identity": (_change(IND, created_by_ref=THREAT_ACTOR), "created_by_ref"),
    "marking-ref-not-marking": (_change(IND, object_marking_refs=[IDENTITY]), "object_marking_refs"),
    "sco-ref-not-identifier": (_change(VALID["domain-name"], resolves_to_refs=["198.51.100.7"]), "resolves_to_refs"),
    "sco-custom-property": (_change(VALID["url"], note="x"), "note"),
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_objects_pass_both(name):
    obj = VALID[name]
    assert strict_errors(obj) == []
    assert check_objects([obj]) == []
    assert check_objects([obj], allow_custom=True) == []


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_objects_are_refused_by_both(name):
    obj, field = INVALID[name]
    errors = strict_errors(obj)
    assert errors
    problems = check_objects([obj])
    assert problems, f"the validator refuses it: {errors}"
    assert field in {p.field for p in problems}, problems
    assert all(p.index == 0 and p.problem and (p.field or field is None) for p in problems), problems


@pytest.mark.parametrize("name", sorted(INVALID))
def test_lenient_mode_agrees_with_the_default_validator(name):
    obj = INVALID[name][0]
    assert (check_objects([obj], allow_custom=True) == []) == (not validator_errors(obj, LENIENT))


@pytest.mark.parametrize("name", sorted(STRICTER))
def test_stricter_than_the_validator_where_the_spec_says_so(name):
    obj, field = STRICTER[name]
    assert not validator_errors(obj, LENIENT)
    assert field in {p.field for p in check_objects([obj], allow_custom=name.startswith("sco-ref"))}


CUSTOM_UUID = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
CUSTOM = {  # allow_custom=True: the validator's defaults are the oracle
    "custom-sdo": (
        {
            "type": "x-cell-liaison",
            "id": f"x-cell-liaison--{CUSTOM_UUID}",
            "spec_version": "2.1",
            "created": T0,
            "modified": T0,
            "party": "A",
        },
        True,
    ),
    "custom-sco": ({"type": "x-cell-radio", "id": f"x-cell-radio--{CUSTOM_UUID}", "frequency": 145}, True),
    "custom-property-no-prefix": (_change(IND, cell_source="A"), True),
    "custom-pattern-type": (_change(IND, pattern="[x-cell-radio:frequency = '145']"), True),
    "custom-type-bad-name": ({"type": "X_Bad", "id": f"x-bad--{CUSTOM_UUID}"}, False),
    "custom-type-short": ({"type": "xy", "id": f"xy--{CUSTOM_UUID}"}, False),
    "custom-sdo-no-millis": (
        {
            "type": "x-cell-liaison",
            "id": f"x-cell-liaison--{CUSTOM_UUID}",
            "spec_version": "2.1",
            "created": "2024-05-01T12:00:00Z",
            "modified": T0,
        },
        False,
    ),
    "custom-null-value": ({"type": "x-cell-radio", "id": f"x-cell-radio--{CUSTOM_UUID}", "frequency": None}, False),
}


@pytest.mark.parametrize("name", sorted(CUSTOM))
def test_custom_content_with_allow_custom(name):
    obj, acceptable = CUSTOM[name]
    assert (not validator_errors(obj, LENIENT)) is acceptable
    problems = check_objects([obj], allow_custom=True)
    assert (problems == []) is acceptable, problems
    assert all(p.field for p in problems)
    if acceptable and name != "custom-property-no-prefix" and name != "custom-pattern-type":
        assert check_objects([obj]) and strict_errors(obj)


def _mutants(count: int) -> list[tuple[str, dict]]:
    rng = random.Random(3)
    values = [None, [], "x", 5, True, {}, ["x"], T1, "2024-05-01T12:00:00Z", [INDICATOR], INDICATOR, -1, 1.5]
    mutants = []
    for name, obj in VALID.items():
        for key in obj:
            mutants.append((f"{name} without {key}", {k: v for k, v in obj.items() if k != key}))
            mutants += [(f"{name} with {key}={v!r}", {**obj, key: v}) for v in values]
        mutants += [(f"{name} with {extra}", {**obj, extra: "AAAA"}) for extra in ("x_a", "abc", "AB", "note_bin")]
    return rng.sample(mutants, count)


# Fields where STRICTER_THAN_VALIDATOR lets us refuse what the validator takes.
STRICTER_FIELDS = {"created_by_ref", "object_marking_refs", "spec_version", "resolves_to_refs", "belongs_to_refs"}


@pytest.mark.parametrize("allow_custom", [False, True])
def test_mutants_of_the_valid_corpus_agree_with_the_validator(allow_custom):
    for label, obj in _mutants(150):
        ours = check_objects([obj], allow_custom=allow_custom)
        theirs = validator_errors(obj, LENIENT) if allow_custom else strict_errors(obj)
        if ours and not theirs:
            assert {p.field for p in ours} <= STRICTER_FIELDS, (label, ours)
        else:
            assert bool(ours) == bool(theirs), (label, ours, theirs)


def test_every_problem_of_every_object_is_reported():
    bad = _change(IND, confidence=101, valid_from="yesterday", labels=[])
    problems = check_objects([VALID["note"], bad, 42])
    assert {(p.index, p.field) for p in problems} == {(1, "confidence"), (1, "valid_from"), (1, "labels"), (2, None)}
    assert all(p.id == IND["id"] for p in problems if p.index == 1)


# --- Patterns: the fast path against the parser --------------------------------------------------------------
TRICKY_PATTERNS = [
    "[ipv4-addr:value = '198.51.100.7']",
    "[ipv4-addr:value='198.51.100.7']",
    "[ ipv4-addr:value = 'a' ]",
    "[ipv4-addr:value = 'a'] AND [domain-name:value = 'b']",
    "[ipv4-addr:value = 'a' OR ipv4-addr:value = 'b']",
    "[file:name = 'it\\'s']",
    "[file:name = 'back\\\\slash']",
    "[file:name = 'bad\\escape']",
    "[file:name = 'x'y']",
    "[ipv4-addr:value IN ('a', 'b')]",
    "[ipv4-addr:value NOT = 'a']",
    "[ipv4-addr:value = 'a'",
    "ipv4-addr:value = 'a']",
    "[[ipv4-addr:value = 'a']]",
    "([ipv4-addr:value = 'a'])",
    "[ipv4-addr:value === 'a']",
    "[ipv4-addr:value = 'a'] WITHIN 5 SECONDS",
    "[ipv4-addr:value = 'a'] REPEATS 2 TIMES",
    "[ipv4-addr:value = 'a'] START t'2024-01-01T00:00:00Z' STOP t'2024-01-02T00:00:00Z'",
    "[ipv4-addr:value = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427']",
    "[file:hashes.'SHA-1' = 'zz']",
    "[file:size > 10]",
    "[file:hashes.sha256 = 'abc']",
    "[x:AND = 'a']",
    "[true:value = 'a']",
    "[file:name = 'a'] and [file:name = 'b']",
    "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']",
    "[file:name LIKE 'a%']",
    "[file:name MATCHES '^a(']",
    "[file:name LIKE'a']",
    "[file:name = 'a'] OR",
    "",
    " ",
    "[]",
    "[file:name]",
    "[file:name = ]",
    "[file:parent_directory_ref.path = 'C:\\\\x']",
    "[file:extensions.'archive-ext'.comment = 'a']",
    "[network-traffic:dst_ref.value = '10.0.0.1']",
    "[file:name = 'a']\n",
    "\t[file:name = 'a']",
    "[file:name = 'a'  AND file:size = 'b']",
    "[Ipv4-addr:value = 'a']",
    "[ipv4-addr:Value = 'a']",
]


def _generated_patterns(count: int) -> list[str]:
    rng = random.Random(7)
    types = ["ipv4-addr", "domain-name", "url", "file", "x-cell-radio", "email-addr", "a", "ipv4_addr", "9x"]
    paths = [
        "value",
        "name",
        "hashes.MD5",
        "hashes.'SHA-256'",
        "hashes.SHA256",
        "size",
        "x_note",
        "hashes.'SHA-1'",
        "parent_directory_ref.path",
        "names[0]",
        "values[*].name",
        "or",
        "like",
    ]
    ops = ["=", "!=", ">", "<", ">=", "<=", " LIKE ", " MATCHES ", "==", "=~", " like ", "<>", " IN ", " EXISTS "]
    literals = [
        "'198.51.100.7'",
        "'evil.example'",
        "'d41d8cd98f00b204e9800998ecf8427e'",
        "''",
        "'it\\'s'",
        "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
        "'unterminated",
        "42",
        "-1",
        "3.5",
        "true",
        "t'2024-01-01T00:00:00Z'",
        "h'ff'",
        "b'AAAA'",
        "('a', 'b')",
        "'da39a3ee5e6b4b0d3255bfef95601890afd80709'",
    ]
    qualifiers = [
        "",
        "",
        "",
        " WITHIN 5 SECONDS",
        " REPEATS 3 TIMES",
        " START t'2024-01-01T00:00:00Z' STOP t'2024-01-02T00:00:00Z'",
        " WITHIN -1 SECONDS",
    ]
    patterns = []
    for _ in range(count):
        observations = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            comparisons = [
                f"{rng.choice(types)}:{rng.choice(paths)}{rng.choice(ops)}{rng.choice(literals)}"
                for _ in range(rng.choice([1, 1, 2]))
            ]
            inner = rng.choice([" AND ", " OR ", " and "]).join(comparisons)
            observations.append(rng.choice(["[{}]", "[ {} ]", "[{}", "{}]"]).format(inner) + rng.choice(qualifiers))
        patterns.append(rng.choice([" AND ", " OR ", " FOLLOWEDBY ", " XOR "]).join(observations))
    return patterns


def _simple_patterns(count: int) -> list[str]:
    """Mostly what the fast path takes: plain comparisons, some with digests of the wrong length."""
    rng = random.Random(11)
    comparisons = [
        "ipv4-addr:value = '198.51.100.7'",
        "domain-name:value = 'evil.example'",
        "url:value LIKE '%x%'",
        "file:name MATCHES '^a.*'",
        "file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'",
        "file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427'",
        "file:hashes.'SHA-1' != 'abc'",
        "file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
        "file:hashes.SHA256 = 'e3b0'",
        "x-cell-radio:x_band >= 'vhf'",
        "email-addr:value <= 'a@b'",
        "network-traffic:dst_ref.value = '10.0.0.1'",
        "file:hashes.'SSDEEP' = 'a b'",
        "ipv6-addr:value > ''",
    ]
    return [
        rng.choice([" AND ", " OR "]).join(
            "[" + rng.choice([" AND ", " OR "]).join(rng.sample(comparisons, rng.choice([1, 1, 2]))) + "]"
            for _ in range(rng.choice([1, 1, 2]))
        )
        for _ in range(count)
    ]


PATTERNS = TRICKY_PATTERNS + _generated_patterns(400) + _simple_patterns(200)


def test_pattern_fast_path_agrees_with_the_parser():
    fast = 0
    for pattern in PATTERNS:
        errors = parser_errors(pattern)
        assert (pattern_problem(pattern) is None) == (not errors), (pattern, errors)
        if _fast_pattern_facts(pattern) is not None:
            fast += 1
    assert fast >= 150  # the fast path is not dead code


def test_pattern_problem_gives_the_parsers_message():
    assert "FAIL" in pattern_problem("[ipv4-addr:value = 'a'")
    assert "not a valid MD5 hash" in pattern_problem("[file:hashes.MD5 = 'abc']")


# --- Bundles ------------------------------------------------------------------------------------------------
BUNDLE_ID = "bundle--dcf8154d-27b3-4856-94eb-29fbda777116"


@pytest.mark.parametrize(
    ("bundle", "field"),
    [
        ([], "type"),
        ({"type": "report", "id": BUNDLE_ID}, "type"),
        ({"type": "bundle", "id": "bundle--123"}, "id"),
        ({"type": "bundle", "id": IND["id"]}, "id"),
        ({"type": "bundle", "id": BUNDLE_ID, "objects": {"a": IND}}, "objects"),
        ({"type": "bundle", "id": BUNDLE_ID, "objects": [IND] * (MAX_BUNDLE_OBJECTS + 1)}, "objects"),
    ],
)
def test_malformed_bundles_are_refused(bundle, field):
    objects, problems = check_bundle(bundle)
    assert objects == [] and [p.field for p in problems] == [field] and problems[0].index == -1


def test_a_bundle_reports_only_its_bad_object():
    good = [VALID[n] for n in ("identity", "indicator", "report", "ipv4-addr", "tlp2-amber")]
    bundle = {"type": "bundle", "id": BUNDLE_ID, "objects": [*good[:2], INVALID["no-pattern"][0], *good[2:]]}
    objects, problems = check_bundle(bundle)
    assert objects == bundle["objects"]
    assert {p.index for p in problems} == {2} and problems[0].field == "pattern"
    assert check_bundle({"type": "bundle", "id": BUNDLE_ID}) == ([], [])
    assert check_bundle({"type": "bundle", "id": BUNDLE_ID, "objects": good}) == (good, [])
