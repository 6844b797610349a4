"""A real gRPC server on a loopback port (in this process, on its own threads and PostgreSQL
connections) and a real client. Tests that call it need `django_db(transaction=True)`: the
server's threads only see committed rows."""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from community_service.grpc_api.gen.community.v1 import communities_pb2_grpc, posts_pb2_grpc
from community_service.grpc_api.server import GrpcServer
from community_service.observability.logging import JsonFormatter
from members.models import User

# The callers of tests/grpc_api/credentials.json (GRPC_CREDENTIALS_FILE in the test settings).
SERVICE_SECRET = "test-grpc-service-token-not-for-production-0123"  # test-suite: every method, acts for users
INDEXER_SECRET = "test-grpc-indexer-secret-not-for-production-0123"  # indexer: GetPost, ListPosts, as itself


@dataclass
class Refusal:
    """What a failed call told the client: status code, message, and the google.rpc details."""

    code: grpc.StatusCode
    message: str
    reason: str
    fields: list[str]
    request_id: str


def refusal_of(error: grpc.RpcError) -> Refusal:
    status = rpc_status.from_call(error)
    reason, fields, request_id = "", [], ""
    for detail in status.details if status else []:
        for kind, read in ((error_details_pb2.ErrorInfo, lambda m: m.reason),
                           (error_details_pb2.BadRequest, lambda m: [v.field for v in m.field_violations]),
                           (error_details_pb2.RequestInfo, lambda m: m.request_id)):
            if detail.Is(kind.DESCRIPTOR):
                message = kind()
                detail.Unpack(message)
                value = read(message)
                if kind is error_details_pb2.ErrorInfo:
                    reason = value
                elif kind is error_details_pb2.BadRequest:
                    fields = value
                else:
                    request_id = value
    return Refusal(error.code(), error.details(), reason, fields, request_id)


class Client:
    """Stubs for both services; `call` adds the metadata of a service call (optionally on
    behalf of a user) and returns the response, or the Refusal when the call fails."""

    def __init__(self, channel: grpc.Channel, token: str) -> None:
        self.channel = channel
        self.token = token
        self.posts = posts_pb2_grpc.PostServiceStub(channel)
        self.communities = communities_pb2_grpc.CommunityServiceStub(channel)

    def metadata(self, user: User | str | None = None, *, token: str | None = None,
                 request_id: str | None = None) -> list[tuple[str, str]]:
        pairs = []
        token = self.token if token is None else token
        if token:
            pairs.append(("authorization", f"Bearer {token}"))
        if user is not None:
            pairs.append(("x-user-id", str(getattr(user, "pk", user))))
        if request_id is not None:
            pairs.append(("x-request-id", request_id))
        return pairs

    def call(self, method: Any, request: Any, *, user: User | str | None = None, token: str | None = None,
             request_id: str | None = None, timeout: float = 10) -> Any:
        try:
            return method(request, metadata=self.metadata(user, token=token, request_id=request_id), timeout=timeout)
        except grpc.RpcError as error:
            return refusal_of(error)

    def with_call(self, method: Any, request: Any, **kwargs: Any) -> tuple[Any, dict[str, str]]:
        """(response, initial metadata) of a successful call."""
        user, request_id = kwargs.pop("user", None), kwargs.pop("request_id", None)
        response, call = method.with_call(request, metadata=self.metadata(user, request_id=request_id),
                                          timeout=10, **kwargs)
        return response, dict(call.initial_metadata())


@pytest.fixture(scope="session")
def grpc_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[GrpcServer]:
    server = GrpcServer(address="127.0.0.1:0", workers=4)
    server.start()
    yield server
    server.stop(grace=1)


@pytest.fixture
def grpc_client(grpc_server: GrpcServer) -> Iterator[Client]:
    with grpc.insecure_channel(f"127.0.0.1:{grpc_server.port}") as channel:
        yield Client(channel, SERVICE_SECRET)


@pytest.fixture
def grpc_log_lines() -> Iterator[list[dict]]:
    """The JSON lines the grpc logger writes (formatted as they are emitted, in the server thread)."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(JsonFormatter().format(record)))

    handler, logger = Collect(), logging.getLogger("community_service.grpc")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
