"""Gated posts (Patreon-style): only holders of a chosen level read the body, media and
comments; everyone else sees the title and `locked`, on every read path."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Subscription
from content.models import Comment
from tests.billing.world import World, build_world
from tests.factories import AttachmentFactory, ChannelFactory, CommentFactory, PostFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

SECRET = "xylophonic"  # a word that appears only in the gated body


@pytest.fixture
def world() -> World:
    world = build_world()
    channel = ChannelFactory(community=world.community, name="General", slug="general")
    post = PostFactory(community=world.community, channel=channel, title="Behind the scenes",
                       content=f"The {SECRET} recipe", required_level_ids=[world.level.pk])
    open_post = PostFactory(community=world.community, channel=channel, author=world.users["moderator"],
                            title="Open news", content="For everyone",
                            published_at=timezone.now() - timedelta(minutes=1))
    CommentFactory(post=post, author=world.users["subscriber"], content="Wow")
    attachment = AttachmentFactory(community=world.community, post=post)
    world.extra.update(channel=channel, post=post, open_post=open_post, attachment=attachment)
    return world


LOCKED_TO = ["anonymous", "non_member", "member", "muted", "pending"]
UNLOCKED_TO = ["subscriber", "owner", "admin", "moderator", "superadmin"]


def _shown(item: dict) -> bool:
    return not item["locked"] and SECRET in item["content"]


def _hidden(item: dict) -> bool:
    return item["locked"] and item["content"] == "" and item["media_urls"] == []


@pytest.mark.parametrize("actor", LOCKED_TO + UNLOCKED_TO)
def test_feed_and_detail_show_the_body_only_to_level_holders(world, actor):
    api, post = world.client(actor), world.extra["post"]
    expect = _shown if actor in UNLOCKED_TO else _hidden
    feed = api.get(url_for("post-list", community_pk=world.community.pk)).json()["items"]
    [item] = [i for i in feed if i["id"] == str(post.pk)]
    assert expect(item) and item["title"] == "Behind the scenes"
    assert item["required_level_ids"] == [str(world.level.pk)]
    cursor = api.get(url_for("post-list", community_pk=world.community.pk) + "?cursor=").json()["items"]
    assert expect([i for i in cursor if i["id"] == str(post.pk)][0])
    detail = api.get(url_for("post-detail", post_id=post.pk)).json()
    assert expect(detail)
    if actor in LOCKED_TO:
        assert SECRET not in str(feed) + str(cursor) + str(detail)
    open_item = [i for i in feed if i["id"] == str(world.extra["open_post"].pk)][0]
    assert open_item["locked"] is False and open_item["content"] == "For everyone"


def test_comments_likes_and_media_are_closed_to_non_holders(world):
    post, attachment = world.extra["post"], world.extra["attachment"]
    for actor, code in (("member", 403), ("subscriber", 200)):
        api = world.client(actor)
        comments = api.get(url_for("post-comment-list", post_id=post.pk))
        assert comments.status_code == code, (actor, comments.content)
        assert api.get(url_for("attachment-detail", attachment_id=attachment.pk)).status_code == code
        like = api.post(url_for("post-like", post_id=post.pk))
        assert like.status_code == code
    refused = world.client("member").post(url_for("post-comment-list", post_id=post.pk), {"content": "Let me in"})
    assert (refused.status_code, refused.json()["code"]) == (403, "subscription_required")
    assert "Wow" not in world.client("anonymous").get(url_for("post-comment-list", post_id=post.pk)).content.decode()
    comment = Comment.objects.get(post=post)
    assert world.client("member").post(url_for("comment-like", comment_id=comment.pk)).status_code == 403


@pytest.mark.parametrize("actor,finds_body_word", [("anonymous", False), ("member", False), ("subscriber", True),
                                                   ("admin", True), ("superadmin", True)])
def test_search_matches_a_locked_post_on_its_title_only(world, actor, finds_body_word):
    api, post = world.client(actor), world.extra["post"]
    by_body = api.get(url_for("search") + f"?q={SECRET}").json()["posts"]["items"]
    assert [i["id"] for i in by_body] == ([str(post.pk)] if finds_body_word else [])
    by_title = api.get(url_for("search") + "?q=scenes").json()["posts"]["items"]
    assert [i["id"] for i in by_title] == [str(post.pk)]
    assert by_title[0]["locked"] is not finds_body_word
    feed_search = api.get(url_for("post-list", community_pk=world.community.pk) + f"?search={SECRET}").json()["items"]
    assert [i["id"] for i in feed_search] == ([str(post.pk)] if finds_body_word else [])
    if not finds_body_word:
        assert SECRET not in str(by_title) + str(feed_search)


def test_a_subscriber_loses_access_when_the_subscription_ends(world):
    post = world.extra["post"]
    Subscription.objects.filter(pk=world.subscription.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert world.client("subscriber").get(url_for("post-detail", post_id=post.pk)).json()["locked"] is True


def test_a_reader_served_after_a_subscriber_still_gets_the_locked_version(world):
    # No cache shares a rendered post between viewers.
    post = world.extra["post"]
    assert world.client("subscriber").get(url_for("post-detail", post_id=post.pk)).json()["locked"] is False
    assert world.client("member").get(url_for("post-detail", post_id=post.pk)).json()["locked"] is True
    assert world.client("subscriber").get(url_for("post-list", community_pk=world.community.pk)).status_code == 200
    feed = world.client("anonymous").get(url_for("post-list", community_pk=world.community.pk))
    assert SECRET not in feed.content.decode()


def test_gating_needs_billing_manage_and_levels_of_this_community(world):
    url = url_for("post-list", community_pk=world.community.pk)
    body = {"title": "Members only", "content": "Secret", "channel_id": str(world.extra["channel"].pk),
            "required_level_ids": [str(world.premium.pk)]}
    created = world.client("admin").post(url, body)
    assert created.status_code == 201 and created.json()["required_level_ids"] == [str(world.premium.pk)]
    refused = world.client("member").post(url, body)
    assert refused.status_code == 403 and "required_level_ids" in refused.json()
    unknown = world.client("admin").post(url, {**body, "required_level_ids": [str(uuid.uuid4())]})
    assert unknown.status_code == 400 and unknown.json()["code"] == "does_not_exist"
    assert "required_level_ids" in unknown.json()
    post_id = created.json()["id"]
    lifted = world.client("owner").patch(url_for("post-detail", post_id=post_id), {"required_level_ids": []})
    assert lifted.status_code == 200 and lifted.json()["required_level_ids"] == []
    assert world.client("member").get(url_for("post-detail", post_id=post_id)).json()["content"] == "Secret"
    # The author without billing.manage may edit the text but not the gate.
    mine = world.client("member").post(url, {**body, "required_level_ids": []}).json()["id"]
    assert world.client("member").patch(url_for("post-detail", post_id=mine),
                                        {"required_level_ids": [str(world.level.pk)]}) \
        .status_code == 403
    assert world.client("member").patch(url_for("post-detail", post_id=mine), {"title": "Renamed"}).status_code == 200


def test_the_feed_costs_the_same_queries_for_few_and_many_gated_posts(world):
    api = world.client("member")

    def count() -> int:
        api.get(url_for("post-list", community_pk=world.community.pk) + "?page_size=100")
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url_for("post-list", community_pk=world.community.pk) + "?page_size=100").status_code == 200
        return len(queries)

    small = count()
    for n in range(20):
        PostFactory(community=world.community, title=f"Gated {n}", content="Hidden",
                    required_level_ids=[world.level.pk, world.premium.pk])
    assert count() == small


@pytest.mark.parametrize("actor", ["anonymous", "member", "subscriber", "owner"])
def test_the_feed_and_search_json_is_exactly_the_serializers(world, actor):
    # content/serializers/posts.py builds hot pages without DRF's fields: same JSON, locked or
    # not, with media, a channel, levels, a like, and a post whose author is gone.
    from content.selectors import posts as post_selectors
    from content.serializers.posts import (
        PostOutputSerializer,
        PostSearchResultSerializer,
        post_data,
        post_search_data,
    )
    from members.selectors.access import community_access

    user = world.users.get(actor)
    PostFactory(community=world.community, author=None, title="Orphan scenes", content="No author",
                published_at=timezone.now() - timedelta(minutes=2))
    if user is not None:
        api = world.client(actor)
        assert api.post(url_for("post-like", post_id=world.extra["open_post"].pk)).status_code in (200, 201)
    access = community_access(community_id=world.community.pk, user=user)
    feed = list(post_selectors.post_feed(community=world.community, user_id=getattr(user, "pk", None),
                                         access=access))
    assert len(feed) == 3 and any(post.author_id is None for post in feed)
    for post in feed:
        assert post_data(post) == dict(PostOutputSerializer(post).data)
    found = post_selectors.post_search(
        post_selectors.post_feed(community=world.community, user_id=getattr(user, "pk", None), access=access),
        community=world.community, text="scenes", page=1, page_size=20).items
    assert len(found) == 2
    for post in found:
        assert post_search_data(post) == dict(PostSearchResultSerializer(post).data)
