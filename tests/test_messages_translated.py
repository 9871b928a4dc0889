"""Every error a person may read is a catalog template: no FusionError is raised with words the catalogs miss.

A FusionError (or any subclass, found by walking the source for classes deriving from the family) must be given
its message as `N_("... {name} ...")` with keyword values, or as a variable holding such a template: never as a
str literal, an f-string, or a literal glued with `+`, `%` or `.format()`, which no catalog can hold.
"""

import ast
from pathlib import Path

import fusioncell
from fusioncell.i18n import N_

SOURCE = Path(fusioncell.__file__).parent
ROOTS = frozenset({"FusionError"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def error_family(trees: list[ast.Module], roots: frozenset[str] = ROOTS) -> set[str]:
    """The names of FusionError and every class deriving from it (directly or not) in the trees."""
    family = set(roots)
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for cls in classes:
            if cls.name not in family and any(_name(base) in family for base in cls.bases):
                family.add(cls.name)
                grown = True
    return family


def _untranslatable(node: ast.expr | None) -> bool:
    """Words a catalog cannot hold: a str literal, an f-string, or one glued or formatted into a sentence."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _untranslatable(node.left) or _untranslatable(node.right)
    if isinstance(node, ast.IfExp):
        return _untranslatable(node.body) or _untranslatable(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _untranslatable(node.func.value)
    return False


def _message_argument(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return next((kw.value for kw in call.keywords if kw.arg == "message"), None)


def offences(tree: ast.Module, family: set[str], where: str = "<source>") -> list[str]:
    """`where:line: text` for each construction of a family member (or a family class's super().__init__)
    with an untranslatable message."""
    found = []

    def visit(node: ast.AST, in_family_class: bool) -> None:
        if isinstance(node, ast.ClassDef):
            in_family_class = node.name in family
        if isinstance(node, ast.Call):
            func = node.func
            constructs = _name(func) in family
            super_init = (
                in_family_class
                and isinstance(func, ast.Attribute)
                and func.attr == "__init__"
                and isinstance(func.value, ast.Call)
                and _name(func.value.func) == "super"
            )
            if (constructs or super_init) and _untranslatable(_message_argument(node)):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)[:120]}")
        for child in ast.iter_child_nodes(node):
            visit(child, in_family_class)

    visit(tree, False)
    return found


def _source_trees() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(SOURCE.parent)): ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(SOURCE.rglob("*.py"))
    }


def test_the_family_is_discovered_from_the_source():
    family = error_family(list(_source_trees().values()))
    assert {"FusionError", "NotFound", "Invalid", "Conflict", "Forbidden", "BadRequest", "LoginRequired"} <= family


def test_no_error_message_escapes_the_catalogs():
    trees = _source_trees()
    family = error_family(list(trees.values()))
    found = [line for where, tree in trees.items() for line in offences(tree, family, where)]
    assert not found, "errors constructed with words no catalog holds (use N_(...) and keyword values):\n" + "\n".join(
        found
    )


CHECKED = """
from fusioncell.errors import FusionError, Invalid
from fusioncell.i18n import N_

class Refused(Invalid):
    def __init__(self, why):
        super().__init__("refused: " + why)

def bad(y):
    raise Invalid("x")

def bad_fstring(y):
    raise Invalid(f"x {y}")

def bad_glued(y):
    raise Refused("x " + y)

def bad_formatted(y):
    raise Invalid("x {y}".format(y=y))

def bad_percent(y):
    raise Invalid(message="x %s" % y)

def good(y):
    raise Invalid(N_("x {y}"), y=1)

def good_variable(template):
    raise Invalid(template, details={"y": "a literal in details is data"})
"""


def test_the_checker_catches_literals_and_passes_templates():
    tree = ast.parse(CHECKED)
    family = error_family([tree, *_source_trees().values()])
    assert {"FusionError", "Invalid", "Refused"} <= family
    found = offences(tree, family)
    lines = sorted(int(line.split(":")[1]) for line in found)
    assert lines == [7, 10, 13, 16, 19, 22]
    assert any("Invalid('x')" in line for line in found)
    assert any("Invalid(f'x {y}')" in line for line in found)
    assert not any("N_(" in line for line in found)
    assert N_("x {y}") == "x {y}"  # N_ only marks: the English template is what the error carries
