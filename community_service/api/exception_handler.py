"""One place where errors become HTTP responses.

Bodies keep DRF's shapes and add a stable `code`:
- `{"detail": "...", "code": "not_found"}` for errors about the request as a whole;
- `{"<field>": ["..."], "detail": "...", "code": "invalid"}` for bad input, so a client can
  highlight the field and still show one message.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from community_service import exceptions as domain
from community_service.db.transactions import database_unavailable, transient_sqlstate

logger = logging.getLogger(__name__)


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _first_code(detail: Any) -> str:
    if isinstance(detail, dict):
        return _first_code(next(iter(detail.values()), "invalid"))
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def _from_domain_error(exc: domain.DomainError) -> exceptions.APIException:
    if exc.field:
        error: exceptions.APIException = exceptions.ValidationError(
            {exc.field: [exceptions.ErrorDetail(exc.detail, exc.code)]}
        )
    else:
        error = exceptions.APIException(exceptions.ErrorDetail(exc.detail, exc.code))
    error.status_code = exc.status_code
    # DRF's handler turns `wait` into Retry-After.
    retry_after = exc.context.get("retry_after") or getattr(exc, "retry_after", None)
    if retry_after:
        error.wait = retry_after  # type: ignore[attr-defined]  # DRF reads it from any APIException
    return error


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, domain.DomainError):
        exc = _from_domain_error(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DataError):
        # A value the database cannot store (out of range, malformed) is bad input, not a crash.
        logger.info("database rejected input", extra={"error": str(exc)})
        exc = exceptions.ValidationError({"non_field_errors": ["A value is out of range or malformed."]})
    elif isinstance(exc, OperationalError) and transient_sqlstate(exc):
        # A deadlock or serialization failure outside a retrying service (atomic_with_retry
        # turns its own into WriteContention): nothing was written, so the client may retry.
        logger.warning("write contention reached the API", extra={"sqlstate": transient_sqlstate(exc)})
        exc = _from_domain_error(domain.WriteContention())
    elif isinstance(exc, OperationalError | InterfaceError) and database_unavailable(exc):
        # PostgreSQL restarting or down: a clean refusal the client retries, never a 500.
        logger.warning("database unavailable", extra={"error": str(exc)})
        exc = _from_domain_error(domain.DatabaseUnavailable())
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.ValidationError):
        body = dict(detail) if isinstance(detail, dict) else {"non_field_errors": detail}
        body["detail"] = _first_message(detail)
        body["code"] = _first_code(detail)
    elif isinstance(detail, dict):
        body = {**detail, "code": detail.get("code") or getattr(exc, "default_code", "error")}
    else:
        body = {"detail": str(detail), "code": _first_code(detail)}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and body["code"] == "error":
        body["code"] = "not_authenticated"
    response.data = body
    return response
