"""Domain errors raised by services; the API exception handler maps them to HTTP."""

from typing import Any


class DomainError(Exception):
    """Base class. `code` is stable and documented; `detail` is shown to the client.

    `field`, when given, names the input field at fault: the response then lists the
    message under that field, like a serializer error.
    """

    status_code = 400
    code = "error"
    default_detail = "The request could not be completed."

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, field: str | None = None, **context: Any
    ) -> None:
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.field = field
        self.context = context
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    status_code = 400
    code = "invalid"
    default_detail = "Invalid input."


class UnknownReference(ValidationFailed):
    """A field of the request names an object that does not exist, or one the caller may not
    see (the same answer, so it reveals nothing): a 400 on that field. 404 is for the path."""

    code = "does_not_exist"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found."


class Unauthenticated(DomainError):
    """No credentials, or credentials that name no active user."""

    status_code = 401
    code = "not_authenticated"
    default_detail = "Authentication credentials were not provided."


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class Conflict(DomainError):
    """Well-formed input that clashes with current state (a taken slug, a duplicate)."""

    status_code = 409
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"
    default_detail = "The upload is too large."


class PaymentRequired(DomainError):
    """The payment provider declined the charge (a business answer, kept for idempotent replays)."""

    status_code = 402
    code = "payment_declined"
    default_detail = "The payment was declined."


class ServiceUnavailable(DomainError):
    """A dependency is down (e.g. the payment provider's breaker is open). `retry_after` seconds."""

    status_code = 503
    code = "unavailable"
    default_detail = "Temporarily unavailable; retry later."


class DatabaseUnavailable(ServiceUnavailable):
    """PostgreSQL could not be reached or dropped the connection (a restart, a failover). An
    open transaction rolled back; one that had committed just before the connection dropped
    stays (its write is whole either way). Send the request again after `retry_after` seconds:
    a write that did commit answers the retry by its state (409 already_member, an
    Idempotency-Key's replay)."""

    status_code = 503
    code = "database_unavailable"
    default_detail = "The database is unavailable for a moment; retry shortly."
    retry_after = 2


class WriteContention(ServiceUnavailable):
    """Concurrent writes to the same rows kept aborting this one (deadlock or serialization
    failure), even after bounded retries. Nothing was written: the same request can be sent
    again after `retry_after` seconds (the Retry-After header)."""

    status_code = 503
    code = "write_contention"
    default_detail = "Too many concurrent changes to the same data; nothing was saved. Retry shortly."
    retry_after = 1
