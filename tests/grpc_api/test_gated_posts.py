"""PostService hides a gated post's body and media from callers without one of its levels,
exactly as the REST API does (`locked: true`, empty content and media), in public and
private communities alike."""


import pytest

from communities.models import Community
from community_service.grpc_api.gen.community.v1 import posts_pb2
from tests.billing.world import build_world
from tests.conftest import client_for
from tests.factories import AttachmentFactory, PostFactory
from tests.grpc_api.conftest import Refusal
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "xylophonic"


def gated_world(community_type: str):
    world = build_world()
    Community.objects.filter(pk=world.community.pk).update(community_type=community_type)
    post = PostFactory(community=world.community, title="Behind the scenes", content=f"The {SECRET} recipe",
                       required_level_ids=[world.level.pk])
    AttachmentFactory(community=world.community, post=post)
    return world, post


@pytest.mark.parametrize("community_type", ["public", "private"])
def test_get_and_list_hide_a_gated_body_from_a_member_without_a_level(grpc_client, community_type):
    world, post = gated_world(community_type)
    member = world.users["member"]
    got = grpc_client.call(grpc_client.posts.GetPost, posts_pb2.GetPostRequest(post_id=str(post.pk)), user=member)
    listed = grpc_client.call(grpc_client.posts.ListPosts,
                              posts_pb2.ListPostsRequest(community_id=str(world.community.pk)), user=member)
    assert not isinstance(got, Refusal) and not isinstance(listed, Refusal), (got, listed)
    [from_list] = [p for p in listed.posts if p.id == str(post.pk)]
    for message in (got, from_list):
        assert message.locked is True and message.content == "" and list(message.media_urls) == []
        assert message.title == "Behind the scenes" and list(message.required_level_ids) == [str(world.level.pk)]
        assert SECRET not in str(message)
    # The same caller over REST sees the same thing.
    rest = client_for(member).get(url_for("post-detail", post_id=post.pk)).json()
    assert rest["locked"] is True and rest["content"] == got.content and rest["media_urls"] == []


@pytest.mark.parametrize("community_type", ["public", "private"])
def test_a_level_holder_reads_the_gated_body_over_grpc(grpc_client, community_type):
    world, post = gated_world(community_type)
    got = grpc_client.call(grpc_client.posts.GetPost, posts_pb2.GetPostRequest(post_id=str(post.pk)),
                           user=world.users["subscriber"])
    assert got.locked is False and SECRET in got.content and len(got.media_urls) == 1
