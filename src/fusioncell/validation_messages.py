"""What a refused request body reads like, in the reader's language: pydantic's problems as catalog sentences.

Pydantic writes its problems in English only. The API (http.py's request-validation handler), the page forms
(web/forms.py) and the services that check a body themselves all describe a problem with a `Phrase`: English
as a str (so the JSON, logs and tests read as before), translated when the answer is written in the request's
language. A problem's "type" stays pydantic's code. Our own validators raise `ValueError(N_("..."))`: their
text arrives as "Value error, <text>" and is looked up in the catalogs as it is.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from fusioncell.errors import Invalid, Phrase
from fusioncell.i18n import N_

# type -> template; the values come from the problem's ctx (pydantic's names).
SENTENCES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "multiple_of": N_("Input should be a multiple of {multiple_of}"),
    "finite_number": N_("Input should be a finite number"),
    "int_parsing": N_("Input should be a valid integer"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": N_("Input should be a valid number"),
    "float_type": N_("Input should be a valid number"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "decimal_type": N_("Input should be a valid decimal"),
    "bool_parsing": N_("Input should be a valid boolean"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "string_unicode": N_("Input should be a valid string"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "list_type": N_("Input should be a valid list"),
    "set_type": N_("Input should be a valid set"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or object"),
    "model_attributes_type": N_("Input should be a valid dictionary or object"),
    "uuid_parsing": N_("Input should be a valid UUID"),
    "uuid_type": N_("Input should be a valid UUID"),
    "uuid_version": N_("Input should be a valid UUID"),
    "datetime_parsing": N_("Input should be a valid datetime"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date"),
    "date_parsing": N_("Input should be a valid date"),
    "date_type": N_("Input should be a valid date"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime"),
    "date_from_datetime_inexact": N_("Datetimes provided to dates should have zero time"),
    "time_parsing": N_("Input should be a valid time"),
    "time_type": N_("Input should be a valid time"),
    "timezone_aware": N_("Input should have timezone info"),
    "timezone_naive": N_("Input should not have timezone info"),
    "url_parsing": N_("Input should be a valid URL"),
    "url_type": N_("URL input should be a string or URL"),
    "url_scheme": N_("URL scheme should be {expected_schemes}"),
    "url_too_long": N_("URL should have at most {max_length} characters"),
    "json_invalid": N_("Invalid JSON: {error}"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
    "none_required": N_("Input should be None"),
    "bytes_too_long": N_("Data should have at most {max_length} bytes"),
    "union_tag_invalid": N_("Input tag '{tag}' does not match any of the expected tags: {expected_tags}"),
}
# The sentences whose number decides the wording (English says "1 character", never "1 characters").
NOT_EMPTY = N_("The value should not be empty")
STRING_TOO_SHORT = N_("String should have at least {min_length} characters")
LIST_TOO_SHORT = N_("List should have at least {min_length} items after validation, not {actual_length}")
LIST_TOO_LONG = N_("List should have at most {max_length} items after validation, not {actual_length}")
LIST_TOO_LONG_ONE = N_("List should have at most one item after validation, not {actual_length}")
ONE_CHOICE = N_("Input should be {expected}")
CHOICES = N_("Input should be {choices} or {last}")
_OWN_TEXT = re.compile(r"^(Value error|Assertion failed), ")
_QUOTED = re.compile(r"'[^']*'")


def _shown(value: Any) -> Any:
    """A ctx value as pydantic writes it: 0.0 as 0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def problem(error: Mapping[str, Any]) -> Phrase:
    """One of pydantic's errors (an item of `.errors()`) as a sentence in the catalogs."""
    kind = error.get("type", "")
    ctx = {key: _shown(value) for key, value in (error.get("ctx") or {}).items()}
    message = str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        raised = ctx.get("error")
        if isinstance(raised, Exception) and raised.args and isinstance(raised.args[0], Phrase):
            return raised.args[0]  # ValueError(Phrase(N_("..."), ...)): its template and values
        return Phrase(_OWN_TEXT.sub("", message))  # ValueError(N_("...")): the text is the catalog's msgid
    if kind in ("enum", "literal_error"):
        choices = _QUOTED.findall(str(ctx.get("expected", "")))
        if len(choices) > 1:
            return Phrase(CHOICES, choices=", ".join(choices[:-1]), last=choices[-1])
        return Phrase(ONE_CHOICE, expected=ctx.get("expected", ""))
    if kind == "string_too_short":
        return Phrase(NOT_EMPTY) if ctx.get("min_length") == 1 else Phrase(STRING_TOO_SHORT, **ctx)
    if kind == "too_short" and "min_length" in ctx:
        return Phrase(LIST_TOO_SHORT, min_length=ctx["min_length"], actual_length=ctx.get("actual_length", ""))
    if kind == "too_long" and "max_length" in ctx:
        template = LIST_TOO_LONG_ONE if ctx["max_length"] == 1 else LIST_TOO_LONG
        return Phrase(template, max_length=ctx["max_length"], actual_length=ctx.get("actual_length", ""))
    template = SENTENCES.get(kind)
    if template is None:
        return Phrase(message)  # a problem this table does not know: pydantic's English
    try:
        return Phrase(template, **ctx) if "{" in template else Phrase(template)
    except (KeyError, IndexError, ValueError):
        return Phrase(message)


def details_of(errors: Iterable[Mapping[str, Any]], *, prefix: str = "", empty: str = "") -> list[dict]:
    """The error shape's details: each problem at its field (`prefix` + the dotted location), its sentence and
    pydantic's type code."""
    return [
        {
            "field": prefix + (".".join(str(part) for part in error.get("loc", ())) or empty),
            "problem": problem(error),
            "type": error.get("type"),
        }
        for error in errors
    ]


def summary_of(details: list[dict], *, limit: int | None = None) -> Phrase:
    """ "field: problem; field: problem", each problem read in the language of its reader."""
    shown = details if limit is None else details[:limit]
    return Phrase.joined(
        "; ", [Phrase("{field}: {problem}", field=d["field"], problem=as_phrase(d["problem"])) for d in shown]
    )


def as_phrase(text: Any) -> Phrase:
    """A problem text as a Phrase: a Phrase stays one; a plain str is looked up in the catalogs as it is."""
    return text if isinstance(text, Phrase) else Phrase(str(text))  # no values: its braces are not formatted


def invalid_details(details: list[dict], *, limit: int | None = None) -> Invalid:
    """The one 422 for a body that failed its checks: "The request is not valid: <summary>", with details."""
    return Invalid(N_("The request is not valid: {summary}"), details=details, summary=summary_of(details, limit=limit))


def invalid(problems: Mapping[str, Any], *, prefix: str = "body.", kind: str = "value_error") -> Invalid:
    """A service's own checks of a body: each problem (a Phrase, or a marked str) at its field."""
    details = [{"field": prefix + name, "problem": as_phrase(text), "type": kind} for name, text in problems.items()]
    return invalid_details(details)


def invalid_errors(errors: Iterable[Mapping[str, Any]], *, prefix: str = "", empty: str = "") -> Invalid:
    """pydantic's errors as the one 422."""
    return invalid_details(details_of(errors, prefix=prefix, empty=empty))
