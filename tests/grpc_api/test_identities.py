"""One identity per calling service, and members' API keys, over a real loopback channel:
methods granted per service, acting for users only where allowed, credentials rotated without
a restart, calls named after their service in logs and metrics; keys narrowed by the policy."""

import json
import os
import time
from io import StringIO

import grpc
import pytest
from django.core.management import call_command
from prometheus_client import REGISTRY

from community_service.grpc_api.credentials import CredentialStore, secret_digest
from community_service.grpc_api.gen.community.v1 import communities_pb2, posts_pb2
from community_service.grpc_api.server import GrpcServer
from tests.content.world import build_world
from tests.factories import ApiKeyFactory, CommunityFactory, member_add
from tests.grpc_api.conftest import INDEXER_SECRET, Client, Refusal

pytestmark = pytest.mark.django_db(transaction=True)
S = posts_pb2


def calls_counted(service: str, method: str, code: str) -> float:
    return REGISTRY.get_sample_value("grpc_calls_total", {"service": service, "method": method, "code": code}) or 0.0


# --- Services --------------------------------------------------------------------------------


def test_another_services_credential_is_refused_a_method_it_was_not_granted(grpc_client):
    w = build_world()
    create = S.CreatePostRequest(community_id=str(w.community.pk), title="Nope", content="x")
    get_community = communities_pb2.GetCommunityRequest(community_id=str(w.community.pk))

    write = grpc_client.call(grpc_client.posts.CreatePost, create, token=INDEXER_SECRET)
    other_service = grpc_client.call(grpc_client.communities.GetCommunity, get_community, token=INDEXER_SECRET)
    granted = grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(community_id=str(w.community.pk)),
                               token=INDEXER_SECRET)

    for refusal in (write, other_service):
        assert isinstance(refusal, Refusal)
        assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "method_not_granted")
        assert "indexer" in refusal.message
    assert not isinstance(granted, Refusal), granted
    assert [post.id for post in granted.posts] == [str(w.post.pk)]


def test_a_service_not_allowed_to_act_for_users_cannot(grpc_client):
    w = build_world()

    refusal = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)),
                               token=INDEXER_SECRET, user=w.users["member"])

    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "acting_not_granted")


def test_calls_are_attributed_to_their_service_in_logs_and_metrics(grpc_client, grpc_log_lines):
    w = build_world()
    method = "/community.v1.PostService/GetPost"
    before = calls_counted("indexer", method, "OK")

    post = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)), token=INDEXER_SECRET)

    assert post.id == str(w.post.pk)
    (line,) = [line for line in grpc_log_lines if line["message"] == "rpc finished"]
    assert line["calling_service"] == "indexer"
    assert calls_counted("indexer", method, "OK") == before + 1


def test_a_credential_rotates_without_a_restart(tmp_path):
    path = tmp_path / "credentials.json"
    community = CommunityFactory()

    def command(*args: str) -> str:
        out = StringIO()
        call_command("grpc_credential", *args, "--name", "gateway", "--file", str(path), stdout=out, stderr=StringIO())
        return out.getvalue().strip().split(": ", 1)[1]

    first = command("add", "--method", "/community.v1.CommunityService/*")
    server = GrpcServer(address="127.0.0.1:0", credentials=CredentialStore(path), workers=2)
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            client = Client(channel, first)
            request = communities_pb2.GetCommunityRequest(community_id=str(community.pk))
            assert client.call(client.communities.GetCommunity, request).id == str(community.pk)

            second = command("rotate")
            both = [client.call(client.communities.GetCommunity, request, token=secret).id
                    for secret in (first, second)]
            command("retire")
            old = client.call(client.communities.GetCommunity, request, token=first)
            new = client.call(client.communities.GetCommunity, request, token=second)
    finally:
        server.stop(grace=1)

    assert first.startswith("cs_svc_") and second != first
    assert both == [str(community.pk), str(community.pk)]
    assert isinstance(old, Refusal) and old.code == grpc.StatusCode.UNAUTHENTICATED
    assert new.id == str(community.pk)
    assert first not in path.read_text() and second not in path.read_text()


# --- API keys ------------------------------------------------------------------------------


def test_a_read_key_reads_and_is_refused_a_write(grpc_client):
    w = build_world()
    member = w.users["member"]
    ApiKeyFactory(user=member, scopes=["read"], secret="cs_live_grpc_reader")
    create = S.CreatePostRequest(community_id=str(w.community.pk), title="By key", content="x",
                                 channel_id=str(w.channel.pk))

    read = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)),
                            token="cs_live_grpc_reader")
    write = grpc_client.call(grpc_client.posts.CreatePost, create, token="cs_live_grpc_reader")

    assert read.id == str(w.post.pk)
    assert (write.code, write.reason) == (grpc.StatusCode.PERMISSION_DENIED, "key_scope")
    assert "`write`" in write.message


def test_a_write_key_writes_as_its_owner_only(grpc_client):
    w = build_world()
    member = w.users["member"]
    ApiKeyFactory(user=member, scopes=["read", "write"], secret="cs_live_grpc_writer")
    create = S.CreatePostRequest(community_id=str(w.community.pk), title="By key", content="x",
                                 channel_id=str(w.channel.pk))

    post = grpc_client.call(grpc_client.posts.CreatePost, create, token="cs_live_grpc_writer")
    as_other = grpc_client.call(grpc_client.posts.CreatePost, create, token="cs_live_grpc_writer",
                                user=w.users["owner"])

    assert not isinstance(post, Refusal), post
    assert post.author.id == str(member.pk)
    assert (as_other.code, as_other.reason) == (grpc.StatusCode.PERMISSION_DENIED, "acting_not_granted")


def test_revoked_and_out_of_scope_keys_are_refused(grpc_client):
    w = build_world()
    elsewhere = CommunityFactory()
    member = member_add(elsewhere, user=w.users["member"])
    ApiKeyFactory(user=member, revoked=True, secret="cs_live_grpc_revoked")
    ApiKeyFactory(user=member, scopes=["read"], community_ids=[elsewhere.pk], secret="cs_live_grpc_elsewhere")
    request = S.GetPostRequest(post_id=str(w.post.pk))

    revoked = grpc_client.call(grpc_client.posts.GetPost, request, token="cs_live_grpc_revoked")
    outside = grpc_client.call(grpc_client.posts.GetPost, request, token="cs_live_grpc_elsewhere")

    assert revoked.code == grpc.StatusCode.UNAUTHENTICATED
    assert outside.code == grpc.StatusCode.NOT_FOUND


def test_a_broken_edit_of_the_credentials_file_keeps_the_last_good_one(tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"services": [{"name": "gateway", "secret_sha256": [secret_digest("s" * 40)],
                                              "methods": ["*"]}]}))
    store = CredentialStore(path)
    assert store.find("s" * 40).name == "gateway"

    path.write_text("{ half written")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))

    assert store.find("s" * 40).name == "gateway"
    assert store.last_error is not None
    assert store.find("t" * 40) is None
