"""Grading by the NATO Admiralty code, and its meeting with STIX 2.1 `confidence`.

Analysts grade twice, and separately: the **source** (reliability A–F) and the **information**
(credibility 1–6), written together as "B2". Only the information's credibility is what STIX calls
confidence; the STIX 2.1 specification (Appendix A, "Admiralty Credibility") maps it both ways, and so do
we: 1 → 90, 2 → 70, 3 → 50, 4 → 30, 5 → 10, and 6 ("cannot be judged") → no confidence at all. Back from
a confidence, each band of twenty (0–19, 20–39, ... 80–100) is one grade. A source's reliability has no
STIX confidence: it stays with the source.
"""

import re
from enum import StrEnum


class SourceReliability(StrEnum):
    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged


class Credibility(StrEnum):
    CONFIRMED = "1"  # confirmed by other sources
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_BE_JUDGED = "6"


RELIABILITY_NAMES = {
    SourceReliability.A: "completely reliable",
    SourceReliability.B: "usually reliable",
    SourceReliability.C: "fairly reliable",
    SourceReliability.D: "not usually reliable",
    SourceReliability.E: "unreliable",
    SourceReliability.F: "reliability cannot be judged",
}
CREDIBILITY_NAMES = {
    Credibility.CONFIRMED: "confirmed by other sources",
    Credibility.PROBABLY_TRUE: "probably true",
    Credibility.POSSIBLY_TRUE: "possibly true",
    Credibility.DOUBTFUL: "doubtful",
    Credibility.IMPROBABLE: "improbable",
    Credibility.CANNOT_BE_JUDGED: "truth cannot be judged",
}
# STIX 2.1 Appendix A: the confidence a credibility grade is written as.
_CONFIDENCE = {
    Credibility.CONFIRMED: 90,
    Credibility.PROBABLY_TRUE: 70,
    Credibility.POSSIBLY_TRUE: 50,
    Credibility.DOUBTFUL: 30,
    Credibility.IMPROBABLE: 10,
}
_CODE = re.compile(r"([A-F])([1-6])")


def confidence_of(credibility: Credibility) -> int | None:
    """The STIX `confidence` for a credibility grade; None (leave `confidence` out) for "cannot be judged"."""
    return _CONFIDENCE.get(credibility)


def credibility_of(confidence: int | None) -> Credibility:
    """The credibility grade a STIX `confidence` (0–100, or absent) stands for."""
    if confidence is None:
        return Credibility.CANNOT_BE_JUDGED
    if isinstance(confidence, bool) or not isinstance(confidence, int) or not 0 <= confidence <= 100:
        raise ValueError(f"a STIX confidence is an integer from 0 to 100, not {confidence!r}")
    return [
        Credibility.IMPROBABLE,
        Credibility.DOUBTFUL,
        Credibility.POSSIBLY_TRUE,
        Credibility.PROBABLY_TRUE,
        Credibility.CONFIRMED,
    ][min(confidence // 20, 4)]


def admiralty_code(reliability: SourceReliability, credibility: Credibility) -> str:
    """The grade as analysts write it: "B2"."""
    return f"{reliability}{credibility}"


def parse_admiralty_code(code: str) -> tuple[SourceReliability, Credibility]:
    """ "B2" → (B, 2); anything else is refused with what a code looks like."""
    match = _CODE.fullmatch(code.strip().upper()) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"an Admiralty code is a letter A–F then a digit 1–6, like B2; not {code!r}")
    return SourceReliability(match.group(1)), Credibility(match.group(2))


def grade_of_objects(objects: list[dict]) -> tuple[SourceReliability, Credibility]:
    """The grade an uploaded bundle carries, read back the way the desk writes it: the report's
    `x_admiralty_*` properties if present, else the credibility its `confidence` stands for (STIX 2.1
    Appendix A); a source nobody graded is F, "cannot be judged"."""
    report = next((o for o in objects if o.get("type") == "report"), None)
    graded = report or next((o for o in objects if isinstance(o.get("confidence"), int)), None) or {}
    reliability = graded.get("x_admiralty_source_reliability")
    credibility = graded.get("x_admiralty_credibility")
    try:
        found_reliability = SourceReliability(reliability) if reliability else SourceReliability.F
    except ValueError:
        found_reliability = SourceReliability.F
    try:
        found_credibility = Credibility(credibility) if credibility else credibility_of(graded.get("confidence"))
    except ValueError:
        found_credibility = Credibility.CANNOT_BE_JUDGED
    return found_reliability, found_credibility
