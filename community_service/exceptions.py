"""Domain errors raised by services; the API exception handler maps them to HTTP."""

from typing import Any


class DomainError(Exception):
    """Base class. `code` is stable and documented; `detail` is shown to the client."""

    status_code = 400
    code = "error"
    default_detail = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, code: str | None = None, **context: Any) -> None:
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.context = context
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    status_code = 400
    code = "invalid"
    default_detail = "Invalid input."

    def __init__(self, detail: str | None = None, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state."
