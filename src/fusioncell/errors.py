"""The errors services raise; one handler in app.py renders them as {"error": {code, message, details}}.

A message is written once, in English, as a catalog template marked with `N_` and its values apart:
`Invalid(N_("The channel {channel} is closed."), channel=code)`. `message` is the English text (logs, the CLI,
API clients that ask for no language); `in_language()` is the same sentence in the language being spoken
(fusioncell.i18n), which is how a page or an Arabic-speaking API client reads it.
"""

from typing import Any

from fusioncell.i18n import gettext


class FusionError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, **values: Any) -> None:
        self.template = message
        self.values = values
        self.message = message.format(**values) if values else message
        super().__init__(self.message)
        self.details = details

    def in_language(self) -> str:
        """The message in the language of the page or request being answered."""
        text = gettext(self.template)
        return text.format(**self.values) if self.values else text


class NotFound(FusionError):
    # Also what an unreadable record answers: the two must be indistinguishable.
    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "No such record.", *, details: Any = None, **values: Any) -> None:
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
