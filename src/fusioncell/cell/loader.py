"""Load a cell definition from YAML; every mistake becomes a `CellDefinitionError` naming its line.

Line numbers come from the YAML node tree: each mapping key and sequence item's start mark is recorded
under its path (("parties", 3, "role") -> 42), and each Pydantic error `loc` is matched to the longest
recorded prefix, so even a missing field points at the mapping that lacks it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from fusioncell.cell.definition import (
    CROSS_REFERENCE_ERROR,
    LOG_ORIGIN_PATTERN,
    PARTY_CODE_PATTERN,
    SLUG_PATTERN,
    CellDefinition,
)

Loc = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"

# Say what a valid value looks like instead of showing the regular expression.
_PATTERN_HINTS = {
    SLUG_PATTERN: "use lower-case letters, digits and hyphens, starting with a letter (like 'isr-syr')",
    PARTY_CODE_PATTERN: "use 2 to 10 capital letters or digits, starting with a letter (like 'ISR')",
    LOG_ORIGIN_PATTERN: "the log origin may contain no spaces and no '+' (like 'fusioncell.cell/isr-syr')",
}


class CellDefinitionError(ValueError):
    """A cell definition that cannot be used; `problems` holds one readable line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"invalid cell definition ({count} problem{'s' if count != 1 else ''}):"
        return "\n  ".join([head, *self.problems])


class _CellYamlLoader(yaml.SafeLoader):
    """A SafeLoader that records duplicate keys (plain PyYAML silently keeps the last value)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, int, Any]] = []  # (line, line of the first occurrence, key)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:  # `<<: *anchor` may legitimately be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in first:
                    self.duplicates.append((line, first[key], key))
                first.setdefault(key, line)
            except TypeError:  # an unhashable key: the base constructor reports it with its mark
                pass
        return super().construct_mapping(node, deep=deep)


def _line_map(root: yaml.Node) -> dict[Loc, int]:
    """Map each path in the document to the 1-based line where its key or item starts."""
    lines: dict[Loc, int] = {(): root.start_mark.line + 1}
    active: set[int] = set()  # guards against recursive aliases (&a [*a])

    def walk(node: yaml.Node, path: Loc) -> None:
        if id(node) in active:
            return
        active.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = [(k.value, k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            children = [(i, item, item) for i, item in enumerate(node.value)]
        else:
            children = []
        for step, mark_node, child in children:
            lines.setdefault((*path, step), mark_node.start_mark.line + 1)
            walk(child, (*path, step))
        active.discard(id(node))

    walk(root, ())
    return lines


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _path_text(loc: Loc) -> str:
    """("parties", 3, "role") -> "parties[3].role"."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text


def _message(err: Any) -> str:
    value = err.get("input")
    if err["type"] == "string_pattern_mismatch" and err["ctx"]["pattern"] in _PATTERN_HINTS:
        return f"{value!r} is not valid: {_PATTERN_HINTS[err['ctx']['pattern']]}"
    if err["type"] == "string_type" and isinstance(value, bool):  # YAML 1.1 reads NO, yes, off... as booleans
        got = str(value).lower()
        return f"expected text, got {got}: put the value in quotes (YAML reads yes/no/on/off as true/false)"
    return err["msg"].removeprefix("Value error, ")


def _validation_problems(error: ValidationError, lines: dict[Loc, int], source: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for err in error.errors():
        loc = tuple(err["loc"])
        if err["type"] == CROSS_REFERENCE_ERROR:
            items = [((*loc, *path), message) for path, message in err["ctx"]["problems"]]
        else:
            items = [(loc, _message(err))]
        for item_loc, message in items:
            line = _line_of(item_loc, lines)
            shown = item_loc
            if item_loc[-1:] == ("[key]",):  # a bad mapping key: name it rather than show "[key]"
                shown, message = item_loc[:-2], f"key {item_loc[-2]!r}: {message}"
            where = f"{_path_text(shown)}: " if shown else ""
            found.append((line, f"{source} line {line}: {where}{message}"))
    found.sort(key=lambda pair: pair[0])  # stable: same-line problems keep Pydantic's order
    return [text for _, text in found]


def _yaml_problem(error: yaml.YAMLError, source: str) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        context = ""
        if error.context and error.problem and error.context_mark is not None:
            context = f" ({error.context} on line {error.context_mark.line + 1})"
        line = mark.line + 1 if mark is not None else 1
        kind = "YAML error" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error"
        return f"{source} line {line}: {kind}: {problem}{context}"
    return f"{source}: YAML error: {error}"


def load_cell_text(text: str, source: str = "<cell>") -> CellDefinition:
    """Parse and validate a cell definition given as YAML text; `source` names it in errors."""
    loader = _CellYamlLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise CellDefinitionError([_yaml_problem(exc, source)]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise CellDefinitionError(
            [
                f"{source} line {line}: duplicate key {key!r} (first on line {first}); "
                "YAML would silently keep only the last value"
                for line, first, key in loader.duplicates
            ]
        )
    if root is None:
        raise CellDefinitionError(
            [
                f"{source} line 1: the file is empty; expected a cell definition "
                "(a mapping with schema_version, code, names, parties, ...)"
            ]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
        raise CellDefinitionError(
            [
                f"{source} line {root.start_mark.line + 1}: the top level must be a mapping of keys to values "
                f"(schema_version: 1, code: ..., ...), not {kind}"
            ]
        )
    try:
        return CellDefinition.model_validate(data)
    except ValidationError as exc:
        raise CellDefinitionError(_validation_problems(exc, _line_map(root), source)) from None


def load_cell(path: str | Path) -> CellDefinition:
    """Read and validate the cell definition file at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: tolerate a byte-order mark from editors
    except UnicodeDecodeError as exc:
        raise CellDefinitionError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except OSError as exc:
        problem = f"{path}: cannot read the cell definition: {exc.strerror or exc}"
        raise CellDefinitionError([problem]) from None
    return load_cell_text(text, source=str(path))


def default_cell_path() -> Path:
    """The Israel–Syria cell shipped with fusioncell (SCENARIO.md)."""
    return Path(__file__).with_name("default.yaml")


@functools.cache
def default_cell() -> CellDefinition:
    """The default cell, loaded once (models are frozen, so sharing it is safe)."""
    return load_cell(default_cell_path())


__all__ = ["CellDefinitionError", "default_cell", "default_cell_path", "load_cell", "load_cell_text"]
