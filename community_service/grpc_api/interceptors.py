"""What every gRPC call goes through, the twin of RequestContextMiddleware + the exception handler.

- the service token (`authorization: Bearer <GRPC_SERVICE_TOKEN>`): without it, every
  method but health answers UNAUTHENTICATED;
- the request id (`x-request-id`, kept if sane, else new), sent back as initial metadata
  and put in the context that logs and outbox events read;
- the deadline: a call whose deadline has passed is not started, and while it runs, each
  PostgreSQL statement is bounded by the time left (statement_timeout), so a call the
  client gave up on stops instead of committing late;
- Django's connection hygiene (as request_started/finished do for HTTP);
- errors mapped once (errors.py) and one log line per call.
"""

import hmac
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import grpc
from django.db import DatabaseError, close_old_connections, connection

from community_service import exceptions as domain
from community_service.grpc_api.errors import RpcError, grpc_status, rpc_error_for
from community_service.observability.request_context import request_id_from, request_id_var, user_id_var

logger = logging.getLogger("community_service.grpc")

# Probes (the container healthcheck, load balancers) carry no secret.
OPEN_METHODS_PREFIX = "/grpc.health.v1.Health/"
# Our own services: unary calls that touch the database.
OWN_METHODS_PREFIX = "/community.v1."
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
    """Authenticates every call and runs our unary methods inside the call context."""

    def __init__(self, *, token: str) -> None:
        self._token = token.encode()

    def _authorized(self, metadata: Mapping[str, str]) -> bool:
        scheme, _, credential = metadata.get("authorization", "").partition(" ")
        if not self._token or scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credential.strip().encode(), self._token)

    def intercept_service(
        self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(OPEN_METHODS_PREFIX):
            return handler
        metadata = call_metadata(handler_call_details.invocation_metadata)
        if not self._authorized(metadata):
            request_id = request_id_from(metadata.get("x-request-id"))
            error = rpc_error_for(domain.Unauthenticated("Send `authorization: Bearer <service token>` metadata."))
            logger.info("rpc refused", extra={"method": method, "grpc_code": error.code.name,
                                              "request_id": request_id})
            return _refusal(handler, grpc_status(error, request_id=request_id))
        if handler.unary_unary and method.startswith(OWN_METHODS_PREFIX):
            return grpc.unary_unary_rpc_method_handler(
                self._in_call_context(handler.unary_unary, method, metadata),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _in_call_context(
        self, behaviour: Callable[[Any, grpc.ServicerContext], Any], method: str, metadata: Mapping[str, str]
    ) -> Callable[[Any, grpc.ServicerContext], Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.monotonic()
            request_id = request_id_from(metadata.get("x-request-id"))
            request_token, user_token = request_id_var.set(request_id), user_id_var.set(None)
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
                    "method": method, "grpc_code": code.name,
                    "duration_ms": round((time.monotonic() - started) * 1000, 2),
                })
                request_id_var.reset(request_token)
                user_id_var.reset(user_token)

        return handle
