"""One place where errors become gRPC statuses (the twin of community_service/api/exception_handler.py).

Each refusal is a google.rpc.Status carrying ErrorInfo (reason: the same stable code the
REST API returns, e.g. `banned`, `invalid_transition`), RequestInfo (the request id) and,
for bad input, BadRequest with one FieldViolation per field at fault.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from rest_framework import exceptions as drf

from community_service import exceptions as domain

logger = logging.getLogger("community_service.grpc")

# HTTP statuses of domain and DRF errors → gRPC codes (409 is split by code below).
BY_HTTP_STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.FAILED_PRECONDITION,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    503: grpc.StatusCode.UNAVAILABLE,
}
# Conflicts that mean "it is there already"; every other conflict is a state that does
# not allow the change now (FAILED_PRECONDITION), or a lost race to retry (ABORTED).
ALREADY_EXISTS_CODES = frozenset({"unique", "already_member", "already_pending", "already_reported", "already_owner"})
ABORTED_CODES = frozenset({"stale"})
# PostgreSQL: statement_timeout fired (the call's deadline); deadlock / serialization failure.
QUERY_CANCELED = "57014"
RETRY_TRANSACTION = frozenset({"40001", "40P01"})


@dataclass
class RpcError:
    code: grpc.StatusCode
    message: str
    reason: str
    fields: list[tuple[str, str]] = field(default_factory=list)


def _violations(detail: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(field path, message, code) for every message in a DRF error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _violations(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            yield from _violations(item, f"{path}.{index}" if nested and path else path)
    else:
        yield path or "non_field_errors", str(detail), getattr(detail, "code", None) or "invalid"


def _invalid(detail: Any) -> RpcError:
    violations = list(_violations(detail))
    name, message, code = violations[0] if violations else ("", "Invalid input.", "invalid")
    summary = message if name in ("", "non_field_errors") else f"{name}: {message}"
    return RpcError(grpc.StatusCode.INVALID_ARGUMENT, summary, code, [(f, m) for f, m, _ in violations])


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(exc.__cause__, "sqlstate", None)


def rpc_error_for(exc: BaseException, *, deadline_passed: bool = False) -> RpcError:
    """The status for an exception raised by a servicer (or the services it called)."""
    if isinstance(exc, domain.DomainError):
        code = BY_HTTP_STATUS.get(exc.status_code, grpc.StatusCode.UNKNOWN)
        if isinstance(exc, domain.Conflict):
            if exc.code in ALREADY_EXISTS_CODES:
                code = grpc.StatusCode.ALREADY_EXISTS
            elif exc.code in ABORTED_CODES:
                code = grpc.StatusCode.ABORTED
        if exc.field:
            return RpcError(code, f"{exc.field}: {exc.detail}", exc.code, [(exc.field, exc.detail)])
        return RpcError(code, exc.detail, exc.code)
    if isinstance(exc, drf.ValidationError):
        return _invalid(exc.detail)
    if isinstance(exc, DjangoValidationError):
        return _invalid(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    if isinstance(exc, drf.APIException):
        code = BY_HTTP_STATUS.get(exc.status_code, grpc.StatusCode.UNKNOWN)
        return RpcError(code, str(exc.detail), getattr(exc.detail, "code", None) or exc.default_code)
    if isinstance(exc, Http404):
        return RpcError(grpc.StatusCode.NOT_FOUND, "Not found.", "not_found")
    if isinstance(exc, DjangoPermissionDenied):
        return RpcError(grpc.StatusCode.PERMISSION_DENIED, domain.PermissionDenied.default_detail, "permission_denied")
    if isinstance(exc, DataError):
        # A value the database cannot store (out of range, malformed) is bad input, not a crash.
        return RpcError(grpc.StatusCode.INVALID_ARGUMENT, "A value is out of range or malformed.", "invalid")
    if isinstance(exc, OperationalError) and _sqlstate(exc) == QUERY_CANCELED and deadline_passed:
        return RpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "The call's deadline passed.", "deadline_exceeded")
    if isinstance(exc, OperationalError) and _sqlstate(exc) in RETRY_TRANSACTION:
        logger.warning("transaction lost a race", extra={"error": str(exc)})
        return RpcError(grpc.StatusCode.ABORTED, "The change collided with another one; retry.", "retry")
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable", extra={"error": str(exc)})
        return RpcError(grpc.StatusCode.UNAVAILABLE, "The service is unavailable; retry shortly.", "unavailable")
    logger.exception("unhandled error in a gRPC call", exc_info=exc)
    return RpcError(grpc.StatusCode.INTERNAL, "Internal error.", "server_error")


def _packed(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def grpc_status(error: RpcError, *, request_id: str | None) -> grpc.Status:
    """The error as a grpc.Status whose trailing metadata carries the google.rpc details."""
    details = [
        _packed(error_details_pb2.ErrorInfo(reason=error.reason, domain=settings.APP_NAME)),
        _packed(error_details_pb2.RequestInfo(request_id=request_id or "")),
    ]
    if error.fields:
        violations = [error_details_pb2.BadRequest.FieldViolation(field=f, description=m) for f, m in error.fields]
        details.append(_packed(error_details_pb2.BadRequest(field_violations=violations)))
    return rpc_status.to_status(status_pb2.Status(code=error.code.value[0], message=error.message, details=details))
