"""TAXII collections from the cell definition: one per audience, checked when the cell is loaded."""

import pytest

from fusioncell.cell.loader import CellDefinitionError, default_cell, default_cell_path, load_cell_text
from fusioncell.intel.collections import collection_of_readers, collections_of

DEFAULT_TEXT = default_cell_path().read_text(encoding="utf-8")


def test_the_default_cell_has_one_collection_per_audience_with_stable_ids():
    cell = default_cell()
    found = {c.code: c for c in collections_of(cell)}
    assert found["usa-isr"].parties == {"USA", "ISR"} and found["trilateral"].parties == {"USA", "ISR", "SYR"}
    assert found["usa-isr"].id == collections_of(default_cell())[0].id  # derived, never random
    assert len({c.id for c in found.values()}) == len(found)
    assert collection_of_readers(cell, frozenset({"ISR", "USA"})) == "usa-isr"
    assert collection_of_readers(cell, frozenset({"ISR", "USA", "UNDOF"})) is None


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("readers: [USA, SYR]", "readers: [USA, XYZ]", "unknown party 'XYZ'"),
        ("readers: [USA, SYR]", "readers: [ISR, SYR]", "the mediator USA reads every collection"),
        ("    - code: usa-syr\n      readers", "    - code: usa-isr\n      readers", "duplicate code 'usa-isr'"),
    ],
)
def test_a_bad_collection_is_refused_naming_it(old, new, problem):
    assert DEFAULT_TEXT.count(old) == 1
    with pytest.raises(CellDefinitionError) as caught:
        load_cell_text(DEFAULT_TEXT.replace(old, new), source="cell.yaml")
    assert any(problem in p for p in caught.value.problems), caught.value.problems
