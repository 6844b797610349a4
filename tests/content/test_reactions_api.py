"""Likes on posts and comments: idempotent, refused to non-speakers, exact under concurrency."""


import pytest
from django.utils import timezone

from content.models import Comment, Post, PostStatus, Reaction
from members.models import Member
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.content.world import World, build_world
from tests.factories import UserFactory
from tests.routes import url_for


@pytest.fixture
def world(db) -> World:
    return build_world()


def post_like_url(post: Post) -> str:
    return url_for("post-like", post_id=post.pk)


def comment_like_url(comment: Comment) -> str:
    return url_for("comment-like", comment_id=comment.pk)


def like_count(obj: Post | Comment) -> int:
    obj.refresh_from_db()
    return obj.like_count


# --- posts -----------------------------------------------------------------------------------


def test_liking_a_post_twice_leaves_one_like(world):
    api = world.client("member")
    first = api.post(post_like_url(world.post))
    second = api.post(post_like_url(world.post))
    assert (first.status_code, first.data) == (200, {"liked": True, "like_count": 1})
    assert (second.status_code, second.data) == (200, {"liked": True, "like_count": 1})
    assert like_count(world.post) == 1 == Reaction.objects.filter(post=world.post).count()


def test_unliking_is_idempotent_too(world):
    api = world.client("member")
    api.post(post_like_url(world.post))
    world.client("author").post(post_like_url(world.post))
    assert api.delete(post_like_url(world.post)).data == {"liked": False, "like_count": 1}
    assert api.delete(post_like_url(world.post)).data == {"liked": False, "like_count": 1}
    assert like_count(world.post) == 1 == Reaction.objects.filter(post=world.post).count()


@pytest.mark.parametrize("actor, status, code", [
    ("anonymous", 401, "not_authenticated"),
    ("non_member", 403, "not_member"),
    ("pending", 403, "not_member"),
    ("muted", 403, "muted"),
    ("banned", 403, "banned"),
])  # fmt: skip
def test_only_active_unmuted_members_like_posts(world, actor, status, code):
    response = world.client(actor).post(post_like_url(world.post))
    assert (response.status_code, response.data["code"]) == (status, code)
    assert like_count(world.post) == 0


def test_a_superadmin_may_like_without_being_a_member(world):
    assert world.client("superadmin").post(post_like_url(world.post)).data["like_count"] == 1


def test_liking_an_unknown_or_invisible_post_is_404(world):
    api = world.client("member")
    assert api.post(url_for("post-like", post_id="00000000-0000-0000-0000-000000000000")).status_code == 404
    assert api.post(post_like_url(world.draft)).status_code == 404  # someone else's draft
    assert api.delete(post_like_url(world.draft)).status_code == 404


def test_only_published_posts_take_likes(world):
    response = world.client("author").post(post_like_url(world.draft))
    assert (response.status_code, response.data["code"]) == (409, "post_not_published")
    Post.objects.filter(pk=world.post.pk).update(status=PostStatus.ARCHIVED)
    assert world.client("member").post(post_like_url(world.post)).status_code == 409


# --- comments --------------------------------------------------------------------------------


def test_liking_a_comment_counts_once_and_shows_in_liked_by_me(world):
    api = world.client("member")
    assert api.post(comment_like_url(world.comment)).data == {"liked": True, "like_count": 1}
    assert api.post(comment_like_url(world.comment)).data == {"liked": True, "like_count": 1}
    [root] = api.get(url_for("post-comment-list", post_id=world.post.pk)).data["items"]
    assert (root["like_count"], root["liked_by_me"]) == (1, True)
    assert api.delete(comment_like_url(world.comment)).data == {"liked": False, "like_count": 0}
    assert like_count(world.comment) == 0 == Reaction.objects.filter(comment=world.comment).count()


def test_muted_members_cannot_like_comments(world):
    response = world.client("muted").post(comment_like_url(world.comment))
    assert (response.status_code, response.data["code"]) == (403, "muted")


def test_liking_an_unknown_or_deleted_comment_is_404(world):
    api = world.client("member")
    assert api.post(url_for("comment-like", comment_id="00000000-0000-0000-0000-000000000000")).status_code == 404
    Comment.objects.filter(pk=world.comment.pk).update(is_deleted=True, deleted_at=timezone.now())
    assert api.post(comment_like_url(world.comment)).status_code == 404


def test_comments_of_an_invisible_post_cannot_be_liked(world):
    Post.objects.filter(pk=world.post.pk).update(deleted_at=timezone.now())
    assert world.client("member").post(comment_like_url(world.comment)).status_code == 404


# --- concurrency -----------------------------------------------------------------------------



def _members(world: World, n: int) -> list:
    role = world.community.roles.get(name="Member")
    users = [UserFactory() for _ in range(n)]
    members = Member.objects.bulk_create(
        [Member(community=world.community, user=user, joined_at=timezone.now()) for user in users]
    )
    role.members.add(*members)
    return users


@pytest.mark.django_db(transaction=True)
def test_a_hundred_users_liking_one_post_at_once_are_all_counted():
    world = build_world()
    clients = [client_for(user) for user in _members(world, 100)]
    statuses = run_concurrently([lambda api=api: api.post(post_like_url(world.post)).status_code for api in clients])
    assert statuses == [200] * 100
    assert like_count(world.post) == 100 == Reaction.objects.filter(post=world.post).count()


@pytest.mark.django_db(transaction=True)
def test_one_user_liking_twenty_times_at_once_gets_one_like():
    world = build_world()
    clients = [client_for(world.users["member"]) for _ in range(20)]
    statuses = run_concurrently([lambda api=api: api.post(post_like_url(world.post)).status_code for api in clients])
    assert statuses == [200] * 20
    assert like_count(world.post) == 1 == Reaction.objects.filter(post=world.post).count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_and_unlikes_of_a_comment_keep_the_count_exact():
    world = build_world()
    leavers = _members(world, 20)
    for user in leavers:
        client_for(user).post(comment_like_url(world.comment))
    joiners = [client_for(user) for user in _members(world, 20)]
    calls = [lambda api=api: api.post(comment_like_url(world.comment)).status_code for api in joiners] + [
        lambda u=u: client_for(u).delete(comment_like_url(world.comment)).status_code for u in leavers
    ]
    assert run_concurrently(calls) == [200] * 40
    assert like_count(world.comment) == 20 == Reaction.objects.filter(comment=world.comment).count()
