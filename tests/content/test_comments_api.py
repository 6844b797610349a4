"""Threaded comments: write, reply, edit, delete (placeholder or gone), counts, events, queries."""

# Why this is long: one test per behaviour of the threaded comments endpoints (depth, edits, deletes,
# moderation).

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import AuditAction, AuditLogEntry
from community_service.outbox.models import OutboxEvent
from content.models import Comment, Post, PostStatus
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.content.world import World, build_world
from tests.factories import (
    ChannelOverwriteFactory,
    CommentFactory,
    CommunityFactory,
    PostFactory,
    ReactionFactory,
    UserFactory,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def comments_url(post: Post) -> str:
    return url_for("post-comment-list", post_id=post.pk)


def comment_url(comment_id: object) -> str:
    return url_for("comment-detail", comment_id=comment_id)


def say(world: World, actor: str, content: str, parent: object | None = None, post: Post | None = None) -> dict:
    body = {"content": content, **({"parent_id": str(parent)} if parent else {})}
    response = world.client(actor).post(comments_url(post or world.post), body, format="json")
    assert response.status_code == 201, response.data
    return response.data


def counts(post: Post) -> int:
    post.refresh_from_db()
    return post.comment_count


def live_comments(post: Post) -> int:
    return Comment.objects.filter(post=post, is_deleted=False).count()


def threads(world: World, actor: str = "member", **params: str) -> list[dict]:
    response = world.client(actor).get(comments_url(world.post), params)
    assert response.status_code == 200, response.data
    return response.data["items"]


# --- writing ---------------------------------------------------------------------------------


def test_a_member_comments_on_a_post_and_the_count_grows(world):
    data = say(world, "member", "Welcome!")
    assert data["content"] == "Welcome!"
    assert data["author"]["id"] == str(world.users["member"].pk)
    assert (data["parent_id"], data["depth"], data["is_edited"], data["is_deleted"]) == (None, 0, False, False)
    assert counts(world.post) == 2 == live_comments(world.post)


def test_a_reply_is_nested_under_its_parent_in_the_thread_list(world):
    reply = say(world, "member", "Agreed", parent=world.comment.pk)
    nested = say(world, "author", "Thanks", parent=reply["id"])
    assert (reply["depth"], nested["depth"]) == (1, 2)
    [root] = threads(world)
    assert root["id"] == str(world.comment.pk) and root["reply_count"] == 1
    [child] = root["replies"]
    assert child["id"] == reply["id"] and child["reply_count"] == 1
    assert [grandchild["id"] for grandchild in child["replies"]] == [nested["id"]]
    assert Comment.objects.get(pk=nested["id"]).thread_id == world.comment.pk
    assert counts(world.post) == 3


def test_replies_deeper_than_the_limit_are_a_409_naming_parent_id(world, settings):
    settings.COMMENT_MAX_DEPTH = 2
    first = say(world, "member", "1", parent=world.comment.pk)
    second = say(world, "member", "2", parent=first["id"])
    response = world.client("member").post(comments_url(world.post), {"content": "3", "parent_id": second["id"]},
                                           format="json")
    # Well-formed, but the thread is already as deep as it may go: a conflict with its state.
    assert response.status_code == 409
    assert response.data["code"] == "too_deep" and "parent_id" in response.data
    assert counts(world.post) == 3


def test_a_parent_from_another_post_is_a_400_naming_parent_id(world):
    other = PostFactory(community=world.community, channel=world.channel, author=world.users["author"], title="Other",
                        content="x")
    response = world.client("member").post(comments_url(other), {"content": "Hi", "parent_id": str(world.comment.pk)},
                                           format="json")
    assert response.status_code == 400 and "parent_id" in response.data
    assert response.data["code"] == "does_not_exist"
    assert counts(other) == 0


@pytest.mark.parametrize("body, field", [
    ({"content": ""}, "content"),
    ({"content": 42}, "content"),
    ({}, "content"),
    ({"content": "x" * 10001}, "content"),
    ({"content": "ok", "parent_id": "not-a-uuid"}, "parent_id"),
])  # fmt: skip
def test_bad_comment_input_is_a_400_naming_the_field(world, body, field):
    response = world.client("member").post(comments_url(world.post), body, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_anonymous_callers_cannot_comment(world):
    response = world.client("anonymous").post(comments_url(world.post), {"content": "Hi"}, format="json")
    assert response.status_code == 401


def test_muted_members_cannot_comment(world):
    response = world.client("muted").post(comments_url(world.post), {"content": "Hi"}, format="json")
    assert (response.status_code, response.data["code"]) == (403, "muted")


def test_a_channel_overwrite_can_deny_comments_to_a_role(world):

    ChannelOverwriteFactory(channel=world.channel, role=world.community.roles.get(name="Member"), allow=[],
                            deny=["comment.create"])
    response = world.client("member").post(comments_url(world.post), {"content": "Hi"}, format="json")
    assert response.status_code == 403


def test_locked_comments_refuse_members_but_not_comment_moderators(world):
    Post.objects.filter(pk=world.post.pk).update(comments_locked=True)
    refused = world.client("member").post(comments_url(world.post), {"content": "Hi"}, format="json")
    assert (refused.status_code, refused.data["code"]) == (403, "comments_locked")
    assert world.client("moderator").post(comments_url(world.post), {"content": "Hi"},
                                          format="json").status_code == 201


def test_a_draft_is_404_to_others_and_its_author_cannot_comment_on_it(world):
    assert world.client("member").post(comments_url(world.draft), {"content": "Hi"}, format="json").status_code == 404
    response = world.client("author").post(comments_url(world.draft), {"content": "Hi"}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "post_not_published")


def test_archived_posts_take_no_more_comments(world):
    Post.objects.filter(pk=world.post.pk).update(status=PostStatus.ARCHIVED)
    response = world.client("member").post(comments_url(world.post), {"content": "Hi"}, format="json")
    assert response.status_code == 409


def test_unknown_and_deleted_posts_are_404(world):
    unknown = url_for("post-comment-list", post_id="00000000-0000-0000-0000-000000000000")
    assert world.client("member").get(unknown).status_code == 404
    assert world.client("member").post(unknown, {"content": "Hi"}, format="json").status_code == 404
    Post.objects.filter(pk=world.post.pk).update(deleted_at=timezone.now())
    assert world.client("member").get(comments_url(world.post)).status_code == 404


def test_a_private_communitys_comments_are_404_to_outsiders():
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="private")
    post = PostFactory(community=community, author=owner, title="Secret", content="x")
    outsider = client_for(UserFactory())
    assert outsider.get(comments_url(post)).status_code == 404
    assert outsider.post(comments_url(post), {"content": "Hi"}, format="json").status_code == 404
    assert client_for(owner).get(comments_url(post)).status_code == 200


def test_creating_a_comment_records_comment_created_with_its_parent(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        reply = say(world, "member", "Agreed", parent=world.comment.pk)
    event = OutboxEvent.objects.get(event_type="comment.created")
    assert event.payload["comment_id"] == reply["id"]
    assert event.payload["parent_id"] == str(world.comment.pk)
    assert event.payload["author_id"] == str(world.users["member"].pk)
    assert event.community_id == world.community.pk


# --- reading ---------------------------------------------------------------------------------


def test_root_comments_come_newest_first_by_default_and_oldest_first_on_request(world):
    later = say(world, "member", "Later")
    Comment.objects.filter(pk=later["id"]).update(created_at=timezone.now() + timedelta(minutes=1))
    assert [c["id"] for c in threads(world)] == [later["id"], str(world.comment.pk)]
    assert [c["id"] for c in threads(world, ordering="created_at")] == [str(world.comment.pk), later["id"]]


def test_an_unknown_ordering_is_a_400_naming_ordering(world):
    response = world.client("member").get(comments_url(world.post), {"ordering": "likes"})
    assert response.status_code == 400 and "ordering" in response.data


def test_the_thread_list_uses_the_page_envelope_and_cursor_pagination(world):
    for n in range(4):
        say(world, "member", f"c{n}")
    page = world.client("member").get(comments_url(world.post), {"page_size": 2}).data
    assert (page["total"], page["pages"], len(page["items"])) == (5, 3, 2)
    first = world.client("member").get(comments_url(world.post), {"cursor": "", "page_size": 3}).data
    second = world.client("member").get(first["next"]).data
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5 and second["next"] is None


def test_a_popular_posts_threads_are_counted_up_to_a_cap_and_paged_to_a_limit(world, monkeypatch):
    # CappedCountPagination, as on a community's posts: exact up to the cap, then the planner's
    # estimate; pages past its row limit point to ?cursor=.
    from community_service.api.pagination import CappedCountPagination

    for n in range(4):
        say(world, "member", f"c{n}")
    api = world.client("member")
    page = api.get(comments_url(world.post), {"page_size": 2}).data
    assert (page["total"], page["total_exact"], page["pages"]) == (5, True, 3)
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 3)
    capped = api.get(comments_url(world.post), {"page_size": 2}).data
    assert capped["total_exact"] is False and capped["total"] >= 4
    last = api.get(comments_url(world.post), {"page_size": 2, "page": 3}).data  # a short last page: exact
    assert (last["total"], last["total_exact"], len(last["items"])) == (5, True, 1)
    monkeypatch.setattr(CappedCountPagination, "MAX_PAGE_OFFSET", 4)
    deep = api.get(comments_url(world.post), {"page_size": 2, "page": 3})
    assert (deep.status_code, deep.data["code"], "cursor" in str(deep.data["detail"])) == (400, "page_too_deep", True)


def test_liked_by_me_tells_each_caller_whether_they_liked_a_comment(world):
    ReactionFactory(user=world.users["member"], post=None, comment=world.comment)
    assert threads(world, "member")[0]["liked_by_me"] is True
    assert threads(world, "author")[0]["liked_by_me"] is False
    assert threads(world, "anonymous")[0]["liked_by_me"] is False


def _thread_list_queries(api: object, post: Post) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(comments_url(post), {"page_size": 100})
    assert response.status_code == 200
    return len(queries)


def _post_with_threads(world: World, n: int) -> Post:
    post = PostFactory(community=world.community, channel=world.channel, author=world.users["author"],
                       title=f"{n} threads", content="x")
    users = [world.users[name] for name in ("member", "author", "moderator")]
    for i in range(n):
        # The factories keep reply_count, comment_count and like_count true.
        root = CommentFactory(post=post, author=users[i % 3], content="root")
        reply = CommentFactory(parent=root, author=users[(i + 1) % 3], content="reply")
        CommentFactory(parent=reply, author=users[(i + 2) % 3], content="deeper")
        ReactionFactory(user=world.users["member"], post=None, comment=reply)
    return post


def test_the_thread_list_costs_the_same_queries_for_10_or_50_threads(world):
    small, large = _post_with_threads(world, 10), _post_with_threads(world, 50)
    api = world.client("member")
    api.get(comments_url(world.post))  # resolves and caches the caller's access
    # user, post, (caller's access unless cached), count, roots, replies: whatever the size.
    assert _thread_list_queries(api, small) == _thread_list_queries(api, large) <= 6
    data = api.get(comments_url(large), {"page_size": 100}).data
    assert len(data["items"]) == 50
    assert all(len(root["replies"]) == 1 and len(root["replies"][0]["replies"]) == 1 for root in data["items"])
    assert all(root["replies"][0]["liked_by_me"] for root in data["items"])


# --- editing ---------------------------------------------------------------------------------


def test_the_author_edits_a_comment_and_it_is_marked_edited(world):
    response = world.client("author").patch(comment_url(world.comment.pk), {"content": "Nicer"}, format="json")
    assert response.status_code == 200
    assert (response.data["content"], response.data["is_edited"]) == ("Nicer", True)


@pytest.mark.parametrize("actor", ["member", "moderator", "owner"])
def test_nobody_else_edits_a_comment(world, actor):
    response = world.client(actor).patch(comment_url(world.comment.pk), {"content": "Mine now"}, format="json")
    assert response.status_code == 403
    world.comment.refresh_from_db()
    assert world.comment.content == "Nice"


def test_an_unknown_parent_is_a_400_naming_parent_id(world):
    body = {"content": "ok", "parent_id": "00000000-0000-0000-0000-000000000000"}
    response = world.client("member").post(comments_url(world.post), body, format="json")
    assert response.status_code == 400 and "parent_id" in response.data
    assert response.data["code"] == "does_not_exist"


@pytest.mark.parametrize("body", [{"content": ""}, {"content": None}, {"content": ["x"]}])
def test_bad_edit_input_is_a_400_naming_content(world, body):
    response = world.client("author").patch(comment_url(world.comment.pk), body, format="json")
    assert response.status_code == 400 and "content" in response.data


def test_an_empty_patch_changes_nothing_but_is_still_checked(world):
    response = world.client("author").patch(comment_url(world.comment.pk), {}, format="json")
    assert response.status_code == 200 and response.data["is_edited"] is False
    assert world.client("member").patch(comment_url(world.comment.pk), {}, format="json").status_code == 403


def test_editing_an_unknown_or_deleted_comment_is_404(world):
    api = world.client("author")
    assert api.patch(comment_url("00000000-0000-0000-0000-000000000000"), {"content": "x"},
                     format="json").status_code == 404
    assert api.delete(comment_url(world.comment.pk)).status_code == 204
    assert api.patch(comment_url(world.comment.pk), {"content": "x"}, format="json").status_code == 404
    assert api.delete(comment_url(world.comment.pk)).status_code == 404


def test_anonymous_callers_cannot_edit_or_delete(world):
    api = world.client("anonymous")
    assert api.patch(comment_url(world.comment.pk), {"content": "x"}, format="json").status_code == 401
    assert api.delete(comment_url(world.comment.pk)).status_code == 401


# --- deleting --------------------------------------------------------------------------------


def test_deleting_a_comment_without_replies_removes_it_and_the_count(world, django_capture_on_commit_callbacks):
    reply = say(world, "member", "Oops", parent=world.comment.pk)
    with django_capture_on_commit_callbacks(execute=False):
        assert world.client("member").delete(comment_url(reply["id"])).status_code == 204
    assert threads(world)[0]["replies"] == []
    assert threads(world)[0]["reply_count"] == 0
    assert counts(world.post) == 1 == live_comments(world.post)
    assert Comment.objects.get(pk=reply["id"]).is_deleted  # soft: the row stays
    event = OutboxEvent.objects.get(event_type="comment.deleted")
    assert event.payload["comment_id"] == reply["id"]
    assert not OutboxEvent.objects.filter(event_type="comment.moderated").exists()


def test_deleting_a_comment_with_replies_leaves_a_placeholder_and_the_thread(world):
    reply = say(world, "member", "Agreed", parent=world.comment.pk)
    assert world.client("author").delete(comment_url(world.comment.pk)).status_code == 204
    [root] = threads(world)
    assert (root["id"], root["is_deleted"], root["content"], root["author"]) == (
        str(world.comment.pk), True, "[deleted]", None)
    assert [r["id"] for r in root["replies"]] == [reply["id"]]
    assert counts(world.post) == 1 == live_comments(world.post)


def test_a_placeholder_goes_when_its_last_reply_goes(world):
    reply = say(world, "member", "Agreed", parent=world.comment.pk)
    nested = say(world, "author", "Me too", parent=reply["id"])
    world.client("author").delete(comment_url(world.comment.pk))
    world.client("member").delete(comment_url(reply["id"]))
    [root] = threads(world)
    assert root["is_deleted"] and root["replies"][0]["is_deleted"]
    assert root["replies"][0]["replies"][0]["id"] == nested["id"]
    world.client("author").delete(comment_url(nested["id"]))
    assert threads(world) == []
    assert counts(world.post) == 0 == live_comments(world.post)
    assert Comment.objects.filter(post=world.post, reply_count__gt=0).count() == 0


def test_a_placeholder_cannot_be_replied_to_edited_or_liked(world):
    say(world, "member", "Agreed", parent=world.comment.pk)
    world.client("author").delete(comment_url(world.comment.pk))
    response = world.client("member").post(comments_url(world.post),
                                           {"content": "x", "parent_id": str(world.comment.pk)}, format="json")
    assert response.status_code == 400 and "parent_id" in response.data
    assert world.client("member").post(f"{comment_url(world.comment.pk)}/like").status_code == 404


def test_a_moderator_removes_a_comment_with_an_audit_entry_and_a_moderation_event(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        assert world.client("moderator").delete(comment_url(world.comment.pk)).status_code == 204
    entry = AuditLogEntry.objects.get(action=AuditAction.COMMENT_REMOVED)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (world.users["moderator"].pk, "comment",
                                                                    world.comment.pk)
    moderated = OutboxEvent.objects.get(event_type="comment.moderated")
    assert moderated.payload["moderator_id"] == str(world.users["moderator"].pk)
    assert moderated.payload["action"] == "removed"
    assert OutboxEvent.objects.filter(event_type="comment.deleted").count() == 1
    assert counts(world.post) == 0


def test_a_member_cannot_delete_someone_elses_comment(world):
    assert world.client("member").delete(comment_url(world.comment.pk)).status_code == 403
    assert counts(world.post) == 1


def test_comment_count_stays_exact_through_creates_and_deletes(world):
    ids = [say(world, "member", f"c{n}")["id"] for n in range(5)]
    replies = [say(world, "author", f"r{n}", parent=ids[n])["id"] for n in range(3)]
    for comment_id in ids[:4] + replies[1:]:
        world.client("moderator").delete(comment_url(comment_id))
    assert counts(world.post) == live_comments(world.post) == 3
    shown = threads(world, page_size="100")
    assert len(shown) == 3  # world.comment, ids[4], and ids[0] as the placeholder of replies[0]


# --- concurrency -----------------------------------------------------------------------------




@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_and_deletes_in_one_thread_keep_every_count_exact():
    world = build_world()
    first = [say(world, "member", f"r{n}", parent=world.comment.pk)["id"] for n in range(10)]
    repliers = [world.client(actor) for actor in ("member", "author", "moderator", "admin") * 5]
    calls = [
        lambda api=api, n=n: api.post(comments_url(world.post), {"content": f"n{n}", "parent_id": first[n % 10]},
                                      format="json").status_code
        for n, api in enumerate(repliers)
    ] + [lambda cid=cid: world.client("member").delete(comment_url(cid)).status_code for cid in first]
    calls.append(lambda: world.client("author").delete(comment_url(world.comment.pk)).status_code)
    statuses = run_concurrently(calls)
    # A reply that lost the race to its parent's delete is a 400 on parent_id, never a 500.
    created = statuses.count(201)
    assert created + statuses.count(400) == 20 and statuses.count(204) == 11
    assert counts(world.post) == live_comments(world.post) == created
    for comment in Comment.objects.filter(post=world.post):
        shown = Comment.objects.filter(parent=comment).filter(Q(is_deleted=False) | Q(reply_count__gt=0)).count()
        assert comment.reply_count == shown, comment.content
