"""The side-by-side comparison of two versions of a statement, paragraph by paragraph (difflib)."""

from difflib import SequenceMatcher


def paragraphs(text: str) -> list[str]:
    """A statement's paragraphs: blocks separated by blank lines (comments are numbered by them, 1-based)."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def paragraph_diff(old: str, new: str) -> list[tuple[str, str, str]]:
    """(op, old paragraph, new paragraph) rows, op one of equal, changed, added, removed."""
    before, after = paragraphs(old), paragraphs(new)
    rows: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [("equal", a, b) for a, b in zip(before[i1:i2], after[j1:j2], strict=True)]
        elif tag == "delete":
            rows += [("removed", a, "") for a in before[i1:i2]]
        elif tag == "insert":
            rows += [("added", "", b) for b in after[j1:j2]]
        else:  # replace: pair what lines up, the rest is added or removed
            old_part, new_part = before[i1:i2], after[j1:j2]
            paired = min(len(old_part), len(new_part))
            rows += [("changed", a, b) for a, b in zip(old_part[:paired], new_part[:paired], strict=True)]
            rows += [("removed", a, "") for a in old_part[paired:]]
            rows += [("added", "", b) for b in new_part[paired:]]
    return rows
