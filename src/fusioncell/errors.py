"""The errors services raise; one handler in app.py renders them as {"error": {code, message, details}}."""

from typing import Any


class FusionError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(FusionError):
    # Also what an unreadable record answers: the two must be indistinguishable.
    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "No such record.", *, details: Any = None) -> None:
        super().__init__(message, details=details)


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
