"""What every gRPC call goes through, the twin of RequestContextMiddleware + the exception handler.

- who is calling (`authorization: Bearer <secret>`): a service's credential
  (credentials.py: an unknown one is UNAUTHENTICATED, a method it was not granted
  PERMISSION_DENIED `method_not_granted`), or a member's API key (`cs_live_…`, checked in the
  call by settings.GRPC_KEY_AUTHENTICATOR, members' code, on our own methods only); health
  needs nothing. The identity is put in identity.call_identity for the servicers, and
  every log line and the `grpc_calls_total` metric name the calling service;
- the request id (`x-request-id`, kept if sane, else new), sent back as initial metadata
  and put in the context that logs and outbox events read;
- the deadline: a call whose deadline has passed is not started, and while it runs, each
  PostgreSQL statement is bounded by the time left (statement_timeout), so a call the
  client gave up on stops instead of committing late;
- Django's connection hygiene (as request_started/finished do for HTTP);
- errors mapped once (errors.py) and one log line per call.
"""

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import grpc
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.module_loading import import_string

from community_service import exceptions as domain
from community_service.grpc_api.credentials import CredentialsFileError, CredentialStore
from community_service.grpc_api.errors import RpcError, grpc_status, rpc_error_for
from community_service.grpc_api.identity import API_KEY_SERVICE, CallIdentity, call_identity
from community_service.observability.metrics import GRPC_CALLS
from community_service.observability.request_context import request_id_from, request_id_var, user_id_var

logger = logging.getLogger("community_service.grpc")

# Probes (the container healthcheck, load balancers) carry no secret.
OPEN_METHODS_PREFIX = "/grpc.health.v1.Health/"
# Our own services: unary calls that touch the database.
OWN_METHODS_PREFIX = "/community.v1."
# A member's personal API key (members.services.api_keys.KEY_PREFIX).
API_KEY_PREFIX = "cs_live_"
# grpc reports "no deadline" as a deadline far in the future.
NO_DEADLINE_SECONDS = 86400.0


class _DeadlinePassed(Exception):
    """The call arrived with no time left."""


def call_metadata(pairs: Any) -> dict[str, str]:
    """Invocation metadata as a dict of text values (keys are lower case on the wire)."""
    return {key: value for key, value in (pairs or ()) if isinstance(value, str)}


@contextmanager
def statement_deadline(remaining: float | None) -> Iterator[None]:
    """Bound every statement of the call by the time left before its deadline."""
    if remaining is None:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{max(1, int(remaining * 1000))}ms"])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            connection.close()  # a broken connection must not serve the next call with our timeout


def _refusal(handler: grpc.RpcMethodHandler, status: grpc.Status) -> grpc.RpcMethodHandler:
    """A handler of the same kind as `handler` that refuses the call."""

    def refuse(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort_with_status(status)

    def refuse_stream(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        context.abort_with_status(status)
        yield  # never reached: abort raises

    kinds = {
        "unary_unary": (grpc.unary_unary_rpc_method_handler, refuse),
        "unary_stream": (grpc.unary_stream_rpc_method_handler, refuse_stream),
        "stream_unary": (grpc.stream_unary_rpc_method_handler, refuse),
        "stream_stream": (grpc.stream_stream_rpc_method_handler, refuse_stream),
    }
    for kind, (make, behaviour) in kinds.items():
        if getattr(handler, kind):
            return make(behaviour, request_deserializer=handler.request_deserializer,
                        response_serializer=handler.response_serializer)
    raise ValueError("handler without a behaviour")


class CallInterceptor(grpc.ServerInterceptor):
    """Authenticates every call and runs our unary methods inside the call context.

    Runs on the server's polling thread, so nothing here touches the database: a service's
    credential is read from the credentials file; an API key is checked in the call."""

    def __init__(self, *, credentials: CredentialStore | None = None) -> None:
        self._credentials = credentials or CredentialStore(settings.GRPC_CREDENTIALS_FILE)

    def _identify(self, method: str, metadata: Mapping[str, str]) -> CallIdentity | str | domain.DomainError:
        """The service calling, the API key to check in the call (str), or the refusal."""
        scheme, _, credential = metadata.get("authorization", "").partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            return domain.Unauthenticated("Send `authorization: Bearer <service credential or API key>` metadata.")
        if credential.startswith(API_KEY_PREFIX):
            if not method.startswith(OWN_METHODS_PREFIX):
                return domain.PermissionDenied("API keys call the community.v1 services only.",
                                               code="method_not_granted")
            return credential
        try:
            service = self._credentials.find(credential)
        except CredentialsFileError:
            logger.exception("grpc credentials unreadable")
            service = None
        if service is None:
            return domain.Unauthenticated("Unknown service credential.")
        if not service.allows(method):
            return domain.PermissionDenied(f"The service {service.name} was not granted {method}.",
                                           code="method_not_granted", service=service.name)
        return CallIdentity(service=service.name, acts_for_users=service.acts_for_users)

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(OPEN_METHODS_PREFIX):
            return handler
        metadata = call_metadata(handler_call_details.invocation_metadata)
        identity = self._identify(method, metadata)
        if isinstance(identity, domain.DomainError):
            request_id = request_id_from(metadata.get("x-request-id"))
            error = rpc_error_for(identity)
            service = identity.context.get("service", "")
            logger.info("rpc refused", extra={"method": method, "grpc_code": error.code.name,
                                              "request_id": request_id, "calling_service": service})
            GRPC_CALLS.labels(service=service or "unknown", method=method, code=error.code.name).inc()
            return _refusal(handler, grpc_status(error, request_id=request_id))
        if handler.unary_unary and method.startswith(OWN_METHODS_PREFIX):
            return grpc.unary_unary_rpc_method_handler(
                self._in_call_context(handler.unary_unary, method, metadata, identity),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        assert isinstance(identity, CallIdentity), "API keys reach our unary methods only"
        GRPC_CALLS.labels(service=identity.service, method=method, code="OK").inc()
        return handler

    def _in_call_context(
        self, behaviour: Callable[[Any, grpc.ServicerContext], Any], method: str, metadata: Mapping[str, str],
        identity: CallIdentity | str,
    ) -> Callable[[Any, grpc.ServicerContext], Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.monotonic()
            request_id = request_id_from(metadata.get("x-request-id"))
            request_token, user_token = request_id_var.set(request_id), user_id_var.set(None)
            identity_token = call_identity.set(None)
            service = identity.service if isinstance(identity, CallIdentity) else API_KEY_SERVICE
            code = grpc.StatusCode.OK
            try:
                context.send_initial_metadata((("x-request-id", request_id),))
                remaining = context.time_remaining()
                if remaining is not None and remaining >= NO_DEADLINE_SECONDS:
                    remaining = None
                error: RpcError | None = None
                close_old_connections()
                try:
                    if remaining is not None and remaining <= 0:
                        raise _DeadlinePassed
                    with statement_deadline(remaining):
                        # An API key is checked here, on a worker thread with its own connection.
                        resolved = identity if isinstance(identity, CallIdentity) else \
                            import_string(settings.GRPC_KEY_AUTHENTICATOR)(identity, method)
                        call_identity.set(resolved)
                        return behaviour(request, context)
                except _DeadlinePassed:
                    error = RpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "The call's deadline passed.",
                                     "deadline_exceeded")
                except Exception as exc:  # the boundary: every error becomes a status
                    passed = remaining is not None and time.monotonic() - started >= remaining * 0.99
                    error = rpc_error_for(exc, deadline_passed=passed)
                code = error.code
                context.abort_with_status(grpc_status(error, request_id=request_id))
            finally:
                close_old_connections()
                logger.info("rpc finished", extra={
                    "method": method, "grpc_code": code.name, "calling_service": service,
                    "duration_ms": round((time.monotonic() - started) * 1000, 2),
                })
                GRPC_CALLS.labels(service=service, method=method, code=code.name).inc()
                request_id_var.reset(request_token)
                user_id_var.reset(user_token)
                call_identity.reset(identity_token)

        return handle
