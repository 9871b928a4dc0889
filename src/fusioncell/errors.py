"""The errors services raise; one handler in app.py renders them as {"error": {code, message, details}}.

A message is written once, in English, as a catalog template marked with `N_` and its values apart:
`Invalid(N_("The channel {channel} is closed."), channel=code)`. `message` is the English text (logs, the CLI,
API clients that ask for no language); `in_language()` is the same sentence in the language being spoken
(fusioncell.i18n), which is how a page or an Arabic-speaking API client reads it.
"""

from typing import Any

from fusioncell.i18n import N_, SOURCE_LANGUAGE, gettext, speaking


class Phrase(str):
    """A sentence that is English as a str (JSON, logs, tests) and keeps its catalog template and values, so it
    can be read again in another language: a validation problem in an error's details, a value of a message.
    Values may be Phrases themselves."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> "Phrase":
        with speaking(SOURCE_LANGUAGE):
            english = template.format(**values) if values else template
        phrase = super().__new__(cls, english)
        phrase.template = template
        phrase.values = values
        return phrase

    @classmethod
    def joined(cls, separator: str, parts: list[Any]) -> "Phrase":
        """Parts (Phrases or plain values) in a row, each read in the language of its reader."""
        names = [f"part{i}" for i in range(len(parts))]
        template = separator.replace("{", "{{").replace("}", "}}").join("{" + name + "}" for name in names)
        return cls(template, **dict(zip(names, parts, strict=True)))

    def in_language(self) -> str:
        text = gettext(self.template)
        return text.format(**in_language(self.values)) if self.values else text


def in_language(value: Any) -> Any:
    """A value as the current language reads it: Phrases translated, lists and dicts walked, the rest as is."""
    if isinstance(value, Phrase):
        return value.in_language()
    if isinstance(value, dict):
        return {key: in_language(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(in_language(item) for item in value)
    return value


class FusionError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, /, *, details: Any = None, **values: Any) -> None:
        self.template = message
        self.values = values
        with speaking(SOURCE_LANGUAGE):
            self.message = message.format(**values) if values else message
        super().__init__(self.message)
        self.details = details

    def in_language(self) -> str:
        """The message in the language of the page or request being answered."""
        text = gettext(self.template)
        return text.format(**in_language(self.values)) if self.values else text

    def details_in_language(self) -> Any:
        """The details with every Phrase in them (a validation problem) in the current language."""
        return in_language(self.details)


class NotFound(FusionError):
    # Also what an unreadable record answers: the two must be indistinguishable.
    status_code = 404
    code = "not_found"

    def __init__(self, message: str = N_("No such record."), /, *, details: Any = None, **values: Any) -> None:
        super().__init__(message, details=details, **values)


class Invalid(FusionError):
    status_code = 422
    code = "invalid"


class Conflict(FusionError):
    status_code = 409
    code = "conflict"


class Unauthenticated(FusionError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(FusionError):
    status_code = 403
    code = "forbidden"


class Throttled(FusionError):
    status_code = 429
    code = "throttled"


class PayloadTooLarge(FusionError):
    status_code = 413
    code = "payload_too_large"


class StorageUnavailable(FusionError):
    status_code = 507
    code = "storage_unavailable"
