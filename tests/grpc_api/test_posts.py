"""PostService over a real loopback channel: every RPC's success and refusals, and parity
with the REST routes (same validation, statuses, visibility and outbox events)."""

# Why this is long: one test per RPC and per error mapping of the PostService.

import uuid

import grpc
import pytest

from communities.models import AuditLogEntry, Community
from community_service.grpc_api.gen.community.v1 import posts_pb2
from community_service.outbox.models import OutboxEvent
from content.models import Channel, Post
from tests.conftest import client_for
from tests.content.world import build_world
from tests.factories import ChannelFactory, CommunityFactory, PostFactory, UserFactory, member_add
from tests.grpc_api.conftest import Refusal
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)
S = posts_pb2


def events(event_type: str, post_id: object) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(event_type=event_type, aggregate_id=str(post_id)))


# --- CreatePost -------------------------------------------------------------------------


def test_a_post_created_over_grpc_is_visible_over_rest_and_in_the_outbox_once(grpc_client):
    w = build_world()
    author = w.users["member"]
    post = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), title="From the gateway", content="Hello over gRPC",
        channel_id=str(w.channel.pk)), user=author, request_id="gw-req-1")
    assert not isinstance(post, Refusal), post
    assert post.status == S.POST_STATUS_PUBLISHED and post.author.id == str(author.pk)
    assert post.channel_id == str(w.channel.pk) and post.published_at.seconds > 0

    response = client_for(UserFactory()).get(url_for("post-detail", post_id=post.id))
    assert response.status_code == 200
    assert response.data["title"] == "From the gateway" and str(response.data["author"]["id"]) == str(author.pk)

    (event,) = events("post.created", post.id)
    assert event.payload["post_id"] == post.id and event.payload["title"] == "From the gateway"
    assert event.metadata["request_id"] == "gw-req-1" and event.metadata["actor_id"] == str(author.pk)
    assert event.status == "published"  # the after-commit path published it, once
    assert Community.objects.get(pk=w.community.pk).post_count == 2


def test_create_post_accepts_the_community_slug_and_writes_drafts_without_an_event(grpc_client):
    w = build_world()
    post = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=w.community.slug, title="Later", content="Draft", status=S.POST_STATUS_DRAFT),
        user=w.users["member"])
    assert post.status == S.POST_STATUS_DRAFT and not post.HasField("published_at")
    assert events("post.created", post.id) == []


def test_a_pre_moderated_community_holds_a_new_post_for_review(grpc_client):
    w = build_world()
    Community.objects.filter(pk=w.community.pk).update(post_moderation=True)
    post = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), title="Queued", content="Please approve"), user=w.users["member"])
    assert post.status == S.POST_STATUS_PENDING_REVIEW
    assert events("post.created", post.id) == []


@pytest.mark.parametrize(("request_fields", "field", "reason"), [
    ({"title": "", "content": "x"}, "title", "blank"),
    ({"title": "x" * 301, "content": "x"}, "title", "max_length"),
    ({"title": "x", "content": ""}, "content", "blank"),
    ({"title": "x", "content": "x", "channel_id": "not-a-uuid"}, "channel_id", "invalid"),
    ({"title": "x", "content": "x", "status": S.POST_STATUS_ARCHIVED}, "status", "invalid_choice"),
    ({"title": "x", "content": "x", "status": 42}, "status", "invalid_choice"),
    ({"title": "x", "content": "x", "attachment_ids": ["nope"]}, "attachment_ids.0", "invalid"),
])
def test_create_post_refuses_bad_input_naming_the_field(grpc_client, request_fields, field, reason):
    w = build_world()
    refusal = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), **request_fields), user=w.users["member"])
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT, refusal
    assert refusal.fields == [field] and refusal.reason == reason
    assert refusal.message.startswith(f"{field}: ")
    assert not Post.objects.filter(community=w.community, title="x").exists()


@pytest.mark.parametrize("elsewhere", [True, False])
def test_create_post_refuses_a_channel_of_another_community_or_none_naming_channel_id(grpc_client, elsewhere):
    # As over HTTP (docs/api.md): an id naming nothing in this community is INVALID_ARGUMENT on its field.
    w = build_world()
    other = ChannelFactory(name="Elsewhere", slug="elsewhere")
    channel_id = str(other.pk) if elsewhere else str(uuid.uuid4())
    refusal = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), title="x", content="y", channel_id=channel_id), user=w.users["member"])
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT and refusal.fields == ["channel_id"]
    assert refusal.reason == "does_not_exist"


def test_create_post_acts_on_behalf_of_a_user_only(grpc_client):
    w = build_world()
    refusal = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), title="x", content="y"))
    assert refusal.code == grpc.StatusCode.UNAUTHENTICATED and refusal.reason == "not_authenticated"


@pytest.mark.parametrize(("actor", "code", "reason"), [
    ("non_member", grpc.StatusCode.PERMISSION_DENIED, "not_member"),
    ("pending", grpc.StatusCode.PERMISSION_DENIED, "not_member"),
    ("muted", grpc.StatusCode.PERMISSION_DENIED, "muted"),
    ("banned", grpc.StatusCode.PERMISSION_DENIED, "banned"),
])
def test_create_post_refuses_who_may_not_speak(grpc_client, actor, code, reason):
    w = build_world()
    refusal = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(w.community.pk), title="x", content="y"), user=w.users[actor])
    assert (refusal.code, refusal.reason) == (code, reason)
    assert not Post.objects.filter(title="x").exists()


def test_only_moderators_post_in_an_announcement_channel(grpc_client):
    w = build_world()
    request = S.CreatePostRequest(community_id=str(w.community.pk), title="News", content="y",
                                  channel_id=str(w.announcements.pk))
    refusal = grpc_client.call(grpc_client.posts.CreatePost, request, user=w.users["member"])
    assert refusal.code == grpc.StatusCode.PERMISSION_DENIED
    assert grpc_client.call(grpc_client.posts.CreatePost, request, user=w.users["moderator"]).title == "News"


def test_a_private_community_does_not_exist_for_outsiders(grpc_client):
    community = CommunityFactory(community_type="private")
    refusal = grpc_client.call(grpc_client.posts.CreatePost, S.CreatePostRequest(
        community_id=str(community.pk), title="x", content="y"), user=UserFactory())
    assert refusal.code == grpc.StatusCode.NOT_FOUND


# --- GetPost ----------------------------------------------------------------------------


def test_get_post_returns_the_post_as_rest_shows_it(grpc_client):
    w = build_world()
    reader = w.users["member"]
    post = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)), user=reader)
    body = client_for(reader).get(url_for("post-detail", post_id=w.post.pk)).data
    assert post.id == str(body["id"]) and post.title == body["title"] and post.content == body["content"]
    assert post.community_id == str(body["community_id"]) and post.channel_id == str(body["channel_id"])
    assert post.author.username == body["author"]["username"] and post.comment_count == body["comment_count"]
    assert post.liked_by_me is body["liked_by_me"] is False
    assert post.created_at.ToDatetime().isoformat()[:19] == body["created_at"][:19]


def test_get_post_counts_a_view_for_a_user_but_not_for_the_service(grpc_client):
    from content.services.view_counts import post_views_flush

    w = build_world()
    grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)))
    post_views_flush()
    assert Post.objects.get(pk=w.post.pk).view_count == 0
    grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk)), user=w.users["member"])
    post_views_flush()
    assert Post.objects.get(pk=w.post.pk).view_count == 1


@pytest.mark.parametrize(("actor", "post", "code"), [
    ("member", "draft", grpc.StatusCode.NOT_FOUND),           # someone else's draft does not exist
    ("author", "draft", grpc.StatusCode.OK),
    ("banned", "post", grpc.StatusCode.PERMISSION_DENIED),
    ("service", "post", grpc.StatusCode.OK),
    ("service", "draft", grpc.StatusCode.NOT_FOUND),          # not even the service reads drafts
])
def test_get_post_shows_a_post_to_whom_rest_shows_it(grpc_client, actor, post, code):
    w = build_world()
    user = None if actor == "service" else w.users[actor]
    result = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(getattr(w, post).pk)),
                              user=user)
    assert (result.code if isinstance(result, Refusal) else grpc.StatusCode.OK) == code


@pytest.mark.parametrize(("post_id", "code"), [
    ("", grpc.StatusCode.INVALID_ARGUMENT),
    ("12345", grpc.StatusCode.INVALID_ARGUMENT),
    (str(uuid.uuid4()), grpc.StatusCode.NOT_FOUND),
])
def test_get_post_refuses_missing_and_malformed_ids(grpc_client, post_id, code):
    refusal = grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=post_id))
    assert refusal.code == code
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        assert refusal.fields == ["post_id"]


def test_a_deleted_post_is_not_found(grpc_client):
    w = build_world()
    Post.objects.filter(pk=w.post.pk).update(deleted_at=w.post.created_at)
    assert grpc_client.call(grpc_client.posts.GetPost, S.GetPostRequest(post_id=str(w.post.pk))).code == \
        grpc.StatusCode.NOT_FOUND


# --- ListPosts --------------------------------------------------------------------------


def _publish(community: Community, author: object, count: int, channel: Channel | None = None) -> list[str]:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    posts = [PostFactory(community=community, author=author, channel=channel, title=f"P{n}", content="c",
                         published_at=now - timedelta(minutes=n))
             for n in range(count)]
    return [str(post.pk) for post in posts]


def test_list_posts_pages_through_a_feed_by_cursor_both_ways(grpc_client):
    community = CommunityFactory()
    expected = _publish(community, community.owner, 5)  # newest first
    request = S.ListPostsRequest(community_id=str(community.pk), page_size=2)
    pages, token = [], ""
    while True:
        request.page_token = token
        page = grpc_client.call(grpc_client.posts.ListPosts, request)
        pages.append([post.id for post in page.posts])
        token = page.next_page_token
        if not token:
            break
    assert pages == [expected[0:2], expected[2:4], expected[4:5]]
    back = grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(
        community_id=str(community.pk), page_size=2, page_token=page.previous_page_token))
    assert [post.id for post in back.posts] == expected[2:4]


def test_list_posts_filters_by_channel_and_orders_by_likes(grpc_client):
    community = CommunityFactory()
    channel = ChannelFactory(community=community, name="Dev", slug="dev")
    in_channel = _publish(community, community.owner, 3, channel=channel)
    _publish(community, community.owner, 2)
    for post_id, likes in zip(in_channel, (5, 1, 9), strict=False):
        Post.objects.filter(pk=post_id).update(like_count=likes)
    page = grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(
        community_id=community.slug, channel_id=str(channel.pk), ordering=S.POST_ORDERING_TOP))
    assert [post.id for post in page.posts] == [in_channel[2], in_channel[0], in_channel[1]]
    assert page.next_page_token == "" and page.previous_page_token == ""


def test_list_posts_shows_drafts_to_their_author_only(grpc_client):
    w = build_world()
    request = S.ListPostsRequest(community_id=str(w.community.pk), status=S.POST_STATUS_DRAFT)
    assert [p.id for p in grpc_client.call(grpc_client.posts.ListPosts, request, user=w.users["author"]).posts] == \
        [str(w.draft.pk)]
    assert list(grpc_client.call(grpc_client.posts.ListPosts, request, user=w.users["moderator"]).posts) == []


def test_list_posts_hides_members_only_channels_from_outsiders(grpc_client):
    w = build_world()
    Channel.objects.filter(pk=w.channel.pk).update(is_members_only=True)
    request = S.ListPostsRequest(community_id=str(w.community.pk))
    assert list(grpc_client.call(grpc_client.posts.ListPosts, request, user=w.users["non_member"]).posts) == []
    assert len(grpc_client.call(grpc_client.posts.ListPosts, request, user=w.users["member"]).posts) == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"page_size": 101}, "page_size"),
    ({"page_size": -1}, "page_size"),
    ({"page_token": "garbage"}, "page_token"),
    ({"channel_id": "nope"}, "channel_id"),
    ({"ordering": 7}, "ordering"),
])
def test_list_posts_refuses_bad_paging_and_filters(grpc_client, fields, field):
    community = CommunityFactory()
    refusal = grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(community_id=str(community.pk),
                                                                               **fields))
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT and refusal.fields == [field]


def test_list_posts_of_an_unknown_or_private_community_is_not_found(grpc_client):
    private = CommunityFactory(community_type="private")
    for community_id, user in (("no-such-community", None), (str(private.pk), UserFactory())):
        refusal = grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(community_id=community_id),
                                   user=user)
        assert refusal.code == grpc.StatusCode.NOT_FOUND
    # The service itself reads every live community.
    assert list(grpc_client.call(grpc_client.posts.ListPosts, S.ListPostsRequest(community_id=str(private.pk))).posts) \
        == []


# --- UpdatePost -------------------------------------------------------------------------


def test_the_author_edits_a_post_and_it_is_published_as_post_updated(grpc_client):
    w = build_world()
    post = grpc_client.call(grpc_client.posts.UpdatePost, S.UpdatePostRequest(post_id=str(w.post.pk), title="Edited"),
                            user=w.users["author"])
    assert post.title == "Edited" and post.content == "First post"  # unset fields keep their value
    (event,) = events("post.updated", w.post.pk)
    assert event.payload["changed"] == ["title"]


def test_the_author_moves_a_post_out_of_its_channel_with_an_empty_channel_id(grpc_client):
    w = build_world()
    post = grpc_client.call(grpc_client.posts.UpdatePost, S.UpdatePostRequest(post_id=str(w.post.pk), channel_id=""),
                            user=w.users["author"])
    assert post.channel_id == "" and Post.objects.get(pk=w.post.pk).channel_id is None


def test_the_author_publishes_a_draft(grpc_client):
    w = build_world()
    post = grpc_client.call(grpc_client.posts.UpdatePost, S.UpdatePostRequest(
        post_id=str(w.draft.pk), status=S.POST_STATUS_PUBLISHED), user=w.users["author"])
    assert post.status == S.POST_STATUS_PUBLISHED
    assert len(events("post.created", w.draft.pk)) == 1


@pytest.mark.parametrize(("actor", "fields", "code", "reason"), [
    ("member", {"title": "Mine now"}, grpc.StatusCode.PERMISSION_DENIED, "permission_denied"),
    ("moderator", {"status": S.POST_STATUS_ARCHIVED}, grpc.StatusCode.PERMISSION_DENIED, "permission_denied"),
    ("author", {"title": ""}, grpc.StatusCode.INVALID_ARGUMENT, "blank"),
    ("author", {"status": S.POST_STATUS_DRAFT}, grpc.StatusCode.FAILED_PRECONDITION, "invalid_transition"),
    ("non_member", {"title": "x"}, grpc.StatusCode.PERMISSION_DENIED, "permission_denied"),
])
def test_update_post_refusals(grpc_client, actor, fields, code, reason):
    w = build_world()
    refusal = grpc_client.call(grpc_client.posts.UpdatePost, S.UpdatePostRequest(post_id=str(w.post.pk), **fields),
                               user=w.users[actor])
    assert (refusal.code, refusal.reason) == (code, reason), refusal
    assert Post.objects.get(pk=w.post.pk).title == "Hello"
    assert events("post.updated", w.post.pk) == []


def test_a_moderator_edits_someone_elses_title(grpc_client):
    w = build_world()
    post = grpc_client.call(grpc_client.posts.UpdatePost, S.UpdatePostRequest(post_id=str(w.post.pk), title="Fixed"),
                            user=w.users["moderator"])
    assert post.title == "Fixed"


# --- DeletePost -------------------------------------------------------------------------


def test_the_author_deletes_a_post_once(grpc_client):
    w = build_world()
    request = S.DeletePostRequest(post_id=str(w.post.pk))
    assert grpc_client.call(grpc_client.posts.DeletePost, request, user=w.users["author"]) == \
        __import__("google.protobuf.empty_pb2", fromlist=["Empty"]).Empty()
    assert Post.objects.get(pk=w.post.pk).deleted_at is not None
    assert len(events("post.deleted", w.post.pk)) == 1
    assert Community.objects.get(pk=w.community.pk).post_count == 0
    again = grpc_client.call(grpc_client.posts.DeletePost, request, user=w.users["author"])
    assert again.code == grpc.StatusCode.NOT_FOUND


def test_a_moderator_removes_a_post_with_a_reason_that_is_audited(grpc_client):
    w = build_world()
    grpc_client.call(grpc_client.posts.DeletePost, S.DeletePostRequest(post_id=str(w.post.pk), reason="Spam"),
                     user=w.users["moderator"])
    entry = AuditLogEntry.objects.get(target_id=str(w.post.pk))
    assert entry.reason == "Spam" and entry.actor_id == w.users["moderator"].pk
    (moderated,) = events("post.moderated", w.post.pk)
    assert moderated.payload["action"] == "removed" and len(events("post.deleted", w.post.pk)) == 1


@pytest.mark.parametrize(("actor", "fields", "code"), [
    ("member", {}, grpc.StatusCode.PERMISSION_DENIED),
    ("service", {}, grpc.StatusCode.UNAUTHENTICATED),
    ("moderator", {"reason": "x" * 501}, grpc.StatusCode.INVALID_ARGUMENT),
])
def test_delete_post_refusals(grpc_client, actor, fields, code):
    w = build_world()
    user = None if actor == "service" else w.users[actor]
    refusal = grpc_client.call(grpc_client.posts.DeletePost, S.DeletePostRequest(post_id=str(w.post.pk), **fields),
                               user=user)
    assert refusal.code == code
    assert Post.objects.get(pk=w.post.pk).deleted_at is None


def test_writes_from_an_unknown_user_are_unauthenticated(grpc_client):
    w = build_world()
    inactive = member_add(w.community)
    type(inactive).objects.filter(pk=inactive.pk).update(is_active=False)
    for user in (str(uuid.uuid4()), "not-a-uuid", inactive):
        refusal = grpc_client.call(grpc_client.posts.DeletePost, S.DeletePostRequest(post_id=str(w.post.pk)),
                                   user=user)
        assert refusal.code == grpc.StatusCode.UNAUTHENTICATED
