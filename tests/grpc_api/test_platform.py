"""What every call goes through: the caller's credential, request ids in metadata, logs and
events, deadlines, the concurrency limit, health and reflection, and the one error mapping."""

import time

import grpc
import pytest
from django.db import OperationalError, connection, transaction
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from rest_framework.exceptions import ValidationError

from community_service import exceptions as domain
from community_service.grpc_api.errors import rpc_error_for
from community_service.grpc_api.gen.community.v1 import communities_pb2, posts_pb2
from community_service.grpc_api.server import GrpcServer
from content.models import Post
from tests.content.world import build_world
from tests.factories import CommunityFactory
from tests.grpc_api.conftest import SERVICE_SECRET, Client, Refusal, refusal_of

OUR_SERVICES = {"community.v1.PostService", "community.v1.CommunityService"}


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken once: refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def wait_for(condition, *, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


# --- Who may call --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("token", ["", "wrong-token", "Basic-scheme"])
def test_calls_without_the_service_token_are_unauthenticated(grpc_client, token):
    community = CommunityFactory()
    metadata = [("authorization", f"Basic {SERVICE_SECRET}")] if token == "Basic-scheme" else \
        grpc_client.metadata(token=token)
    calls = [
        (grpc_client.communities.GetCommunity, communities_pb2.GetCommunityRequest(community_id=str(community.pk))),
        (grpc_client.posts.ListPosts, posts_pb2.ListPostsRequest(community_id=str(community.pk))),
    ]
    for method, request in calls:
        with pytest.raises(grpc.RpcError) as error:
            method(request, metadata=metadata, timeout=5)
        refusal = refusal_of(error.value)
        assert (refusal.code, refusal.reason) == (grpc.StatusCode.UNAUTHENTICATED, "not_authenticated")


def test_reflection_needs_the_token_too(grpc_client):
    stub = reflection_pb2_grpc.ServerReflectionStub(grpc_client.channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    with pytest.raises(grpc.RpcError) as error:
        list(stub.ServerReflectionInfo(iter([request]), timeout=5))
    assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_reflection_lists_the_services(grpc_client):
    stub = reflection_pb2_grpc.ServerReflectionStub(grpc_client.channel)
    (response,) = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                            metadata=grpc_client.metadata(), timeout=5)
    names = {service.name for service in response.list_services_response.service}
    assert names == OUR_SERVICES | {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}
    # A client can fetch the contract itself, as grpcurl does.
    (described,) = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
        file_containing_symbol="community.v1.PostService")]), metadata=grpc_client.metadata(), timeout=5)
    assert described.file_descriptor_response.file_descriptor_proto


def test_health_answers_probes_without_the_token(grpc_client):
    stub = health_pb2_grpc.HealthStub(grpc_client.channel)
    for service in ["", *sorted(OUR_SERVICES)]:
        response = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


# --- Request ids ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_request_id_comes_back_and_reaches_the_logs(grpc_client, grpc_log_lines):
    community = CommunityFactory()
    request = communities_pb2.GetCommunityRequest(community_id=str(community.pk))
    _, metadata = grpc_client.with_call(grpc_client.communities.GetCommunity, request, request_id="trace-42",
                                        user=community.owner)
    assert metadata["x-request-id"] == "trace-42"
    (line,) = [line for line in grpc_log_lines if line["message"] == "rpc finished"]
    assert line["request_id"] == "trace-42" and line["user_id"] == str(community.owner_id)
    assert line["method"] == "/community.v1.CommunityService/GetCommunity" and line["grpc_code"] == "OK"


@pytest.mark.django_db(transaction=True)
def test_an_unusable_request_id_is_replaced_and_refusals_carry_it(grpc_client):
    _, metadata = grpc_client.with_call(grpc_client.communities.GetCommunity, communities_pb2.GetCommunityRequest(
        community_id=CommunityFactory().slug), request_id="x" * 200)
    assert len(metadata["x-request-id"]) == 36  # a fresh UUID
    refusal = grpc_client.call(grpc_client.posts.GetPost, posts_pb2.GetPostRequest(post_id="x"), request_id="r-7")
    assert refusal.request_id == "r-7" and refusal.reason == "invalid"


# --- Deadlines and load ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_call_stops_at_its_deadline_instead_of_committing_late(grpc_client, grpc_log_lines):
    w = build_world()
    request = posts_pb2.UpdatePostRequest(post_id=str(w.post.pk), title="Too late")
    with transaction.atomic():
        Post.objects.select_for_update().get(pk=w.post.pk)  # the call will wait for this row
        refusal = grpc_client.call(grpc_client.posts.UpdatePost, request, user=w.users["author"], timeout=1.0)
        assert refusal.code == grpc.StatusCode.DEADLINE_EXCEEDED
        # The server's statement was cancelled at the deadline: nothing waits for the lock any more.
        wait_for(lambda: waiting_on_locks() == 0, seconds=2)
    wait_for(lambda: any(line.get("grpc_code") == "DEADLINE_EXCEEDED" for line in grpc_log_lines))
    assert Post.objects.get(pk=w.post.pk).title == "Hello"


@pytest.mark.django_db(transaction=True)
def test_calls_past_the_concurrency_limit_are_refused_at_once(grpc_client):
    w = build_world()
    server = GrpcServer(address="127.0.0.1:0", workers=2, max_concurrent_rpcs=1)
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            client = Client(channel, SERVICE_SECRET)
            with transaction.atomic():
                Post.objects.select_for_update().get(pk=w.post.pk)
                busy = client.posts.UpdatePost.future(
                    posts_pb2.UpdatePostRequest(post_id=str(w.post.pk), title="Busy"),
                    metadata=client.metadata(w.users["author"]), timeout=20)
                wait_for(lambda: waiting_on_locks() == 1 or busy.done())
                assert not busy.done(), busy.exception()
                refusal = client.call(client.posts.GetPost, posts_pb2.GetPostRequest(post_id=str(w.post.pk)))
                assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert busy.result().title == "Busy"  # the call in flight was not harmed
    finally:
        server.stop(grace=0)


# --- One error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "code", "reason"), [
    (domain.ValidationFailed("Bad.", field="title"), grpc.StatusCode.INVALID_ARGUMENT, "invalid"),
    (domain.NotFound(), grpc.StatusCode.NOT_FOUND, "not_found"),
    (domain.PermissionDenied(code="banned"), grpc.StatusCode.PERMISSION_DENIED, "banned"),
    (domain.Unauthenticated(), grpc.StatusCode.UNAUTHENTICATED, "not_authenticated"),
    (domain.Conflict(code="unique"), grpc.StatusCode.ALREADY_EXISTS, "unique"),
    (domain.Conflict(code="already_member"), grpc.StatusCode.ALREADY_EXISTS, "already_member"),
    (domain.Conflict(code="invalid_transition"), grpc.StatusCode.FAILED_PRECONDITION, "invalid_transition"),
    (domain.Conflict(code="pin_limit"), grpc.StatusCode.FAILED_PRECONDITION, "pin_limit"),
    (domain.Conflict(code="stale"), grpc.StatusCode.ABORTED, "stale"),
    (domain.PayloadTooLarge(), grpc.StatusCode.RESOURCE_EXHAUSTED, "too_large"),
    (ValueError("bug"), grpc.StatusCode.INTERNAL, "server_error"),
])
def test_domain_errors_map_to_one_status_each(error, code, reason):
    mapped = rpc_error_for(error)
    assert (mapped.code, mapped.reason) == (code, reason)


def test_nested_validation_errors_name_every_field():
    mapped = rpc_error_for(ValidationError({"title": ["Too long."], "attachment_ids": {1: ["Not a UUID."]}}))
    assert mapped.code == grpc.StatusCode.INVALID_ARGUMENT and mapped.message == "title: Too long."
    assert mapped.fields == [("title", "Too long."), ("attachment_ids.1", "Not a UUID.")]


@pytest.mark.django_db
def test_an_unreachable_database_is_unavailable():
    from django.db import connections

    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "HOST": "127.0.0.1", "PORT": "1",
                             "OPTIONS": {"connect_timeout": 1}}
    with pytest.raises(OperationalError) as error:
        wrapper.ensure_connection()
    assert rpc_error_for(error.value).code == grpc.StatusCode.UNAVAILABLE


def test_refusal_is_the_only_thing_a_failed_call_returns(grpc_client):
    assert isinstance(grpc_client.call(grpc_client.posts.GetPost, posts_pb2.GetPostRequest(post_id="")), Refusal)
