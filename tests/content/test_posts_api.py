# Why this is long: one test per behaviour of the posts endpoints (feeds, create, edit, pin, moderation).

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import AuditLogEntry, Community
from community_service.outbox.models import OutboxEvent
from content.models import Post, PostStatus
from members.models import Member
from tests.conftest import client_for
from tests.factories import (
    ChannelFactory,
    ChannelOverwriteFactory,
    CommunityFactory,
    PostFactory,
    RoleFactory,
    UserFactory,
    member_add,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def join(community: Community, role: str = "Member", **fields: object):
    return member_add(community, role=role, **fields)


def make_post(community: Community, author, **fields: object) -> Post:
    """PostFactory by `author` (it keeps post_count true); unpublished statuses have no published_at."""
    if fields.get("status", PostStatus.PUBLISHED) != PostStatus.PUBLISHED:
        fields.setdefault("published_at", None)
    return PostFactory(community=community, author=author, title=fields.pop("title", "A post"),
                       content=fields.pop("content", "Some text"), **fields)


def post_count(community: Community) -> int:
    community.refresh_from_db()
    return community.post_count


def feed(api, community: Community, **params: object) -> list[str]:
    return [p["title"] for p in api.get(url_for("post-list", community_pk=community.pk), params).data["items"]]


@pytest.fixture
def community() -> Community:
    return CommunityFactory()


# --- writing ---------------------------------------------------------------------------------


def test_member_writes_a_post_that_is_counted_and_published_as_an_event(community):
    author = join(community)
    channel = ChannelFactory(community=community, name="General", slug="general")
    response = client_for(author).post(url_for("post-list", community_pk=community.pk),
                                       {"title": "Hello", "content": "World", "channel_id": str(channel.pk)})
    assert response.status_code == 201
    body = response.data
    assert (body["status"], body["author"]["id"], body["channel_id"]) == ("published", str(author.pk), str(channel.pk))
    assert body["published_at"] is not None and body["liked_by_me"] is False and body["media_urls"] == []
    assert post_count(community) == 1
    event = OutboxEvent.objects.get(event_type="post.created")
    assert event.payload["post_id"] == body["id"] and event.payload["title"] == "Hello"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x"}, "title"),
        ({"title": "", "content": "x"}, "title"),
        ({"title": "x" * 301, "content": "x"}, "title"),
        ({"title": "x"}, "content"),
        ({"title": "x", "content": "x", "status": "archived"}, "status"),
        ({"title": "x", "content": "x", "channel_id": "not-a-uuid"}, "channel_id"),
        ({"title": 5, "content": "x"}, "title"),
    ],
)
def test_bad_post_input_is_a_400_naming_the_field(community, body, field):
    response = client_for(join(community)).post(url_for("post-list", community_pk=community.pk), body)
    assert response.status_code == 400
    assert field in response.data
    assert not Post.objects.exists()


def test_a_channel_of_another_community_is_refused(community):
    elsewhere = ChannelFactory(community=CommunityFactory(), name="Other", slug="other")
    response = client_for(join(community)).post(url_for("post-list", community_pk=community.pk),
                                                {"title": "x", "content": "y", "channel_id": str(elsewhere.pk)})
    # A well-formed id naming nothing this community has: 400 on the field (404 is for the path).
    assert (response.status_code, "channel_id" in response.data, response.data["code"]) == (400, True, "does_not_exist")


def test_drafts_are_visible_only_to_their_author_and_publishing_counts_them(community):
    author, other = join(community), join(community)
    api = client_for(author)
    draft = api.post(url_for("post-list", community_pk=community.pk),
                     {"title": "Draft", "content": "wip", "status": "draft"}).data
    assert (draft["status"], draft["published_at"]) == ("draft", None)
    assert post_count(community) == 0
    assert client_for(other).get(url_for("post-detail", post_id=draft["id"])).status_code == 404
    assert feed(api, community, status="draft") == ["Draft"]
    assert feed(client_for(other), community, status="draft") == []
    assert not OutboxEvent.objects.filter(event_type="post.created").exists()
    published = api.patch(url_for("post-detail", post_id=draft["id"]), {"status": "published"})
    assert (published.status_code, published.data["status"]) == (200, "published")
    assert post_count(community) == 1
    assert OutboxEvent.objects.filter(event_type="post.created").count() == 1


def test_pre_moderated_posts_wait_for_approval(community):
    Community.objects.filter(pk=community.pk).update(post_moderation=True)
    author, moderator = join(community), join(community, role="Moderator")
    post = client_for(author).post(url_for("post-list", community_pk=community.pk),
                                   {"title": "Queued", "content": "please"}).data
    assert post["status"] == "pending_review"
    assert post_count(community) == 0
    assert feed(client_for(UserFactory()), community) == []
    mod = client_for(moderator)
    assert feed(mod, community, status="pending_review") == ["Queued"]
    assert mod.post(url_for("post-reject", post_id=post["id"]), {}).status_code == 400  # a reason is required
    approved = mod.post(url_for("post-approve", post_id=post["id"]), {})
    assert (approved.status_code, approved.data["status"]) == (200, "published")
    assert post_count(community) == 1
    assert AuditLogEntry.objects.filter(action="post.approved", target_id=post["id"], actor=moderator).exists()
    assert OutboxEvent.objects.filter(event_type="post.moderated", payload__action="approved").exists()


def test_rejection_keeps_the_reason_for_the_author(community):
    Community.objects.filter(pk=community.pk).update(post_moderation=True)
    author = join(community)
    post = client_for(author).post(url_for("post-list", community_pk=community.pk), {"title": "Q", "content": "q"}).data
    client_for(community.owner).post(url_for("post-reject", post_id=post["id"]), {"reason": "Off-topic"})
    seen = client_for(author).get(url_for("post-detail", post_id=post["id"])).data
    assert (seen["status"], seen["rejection_reason"]) == ("rejected", "Off-topic")


def test_announcement_channels_take_posts_only_from_moderators(community):
    news = ChannelFactory(community=community, name="News", slug="news", announcement=True)
    body = {"title": "Big news", "content": "...", "channel_id": str(news.pk)}
    assert client_for(join(community)).post(url_for("post-list", community_pk=community.pk), body).status_code == 403
    moderator = join(community, role="Moderator")
    assert client_for(moderator).post(url_for("post-list", community_pk=community.pk), body).status_code == 201


def test_channel_overwrites_follow_discord_resolution(community):
    channel = ChannelFactory(community=community, name="Read only", slug="read-only")
    member_role = community.roles.get(name="Member")
    helper_role = RoleFactory(community=community, name="Helper", priority=5, permissions=[])
    ChannelOverwriteFactory(channel=channel, role=member_role, denying=True)
    ChannelOverwriteFactory(channel=channel, role=helper_role)
    body = {"title": "t", "content": "c", "channel_id": str(channel.pk)}
    url = url_for("post-list", community_pk=community.pk)
    plain, helper, exempt = join(community), join(community), join(community)
    Member.objects.get(user=helper).roles.add(helper_role)
    ChannelOverwriteFactory(channel=channel, role=None, member=Member.objects.get(user=exempt))
    assert client_for(plain).post(url, body).status_code == 403  # role deny
    assert client_for(helper).post(url, body).status_code == 201  # a role allow beats a role deny
    assert client_for(exempt).post(url, body).status_code == 201  # member-level beats role-level


def test_members_only_channels_hide_their_posts_from_outsiders(community):
    lounge = ChannelFactory(community=community, name="Lounge", slug="lounge", is_members_only=True)
    member = join(community)
    post = make_post(community, member, channel=lounge, title="Members talk")
    outsider = client_for(UserFactory())
    assert outsider.get(url_for("post-detail", post_id=post.pk)).status_code == 404
    assert feed(outsider, community) == []
    assert "lounge" not in [c["slug"] for c in outsider.get(url_for("channel-list", community_pk=community.pk)).data]
    assert feed(client_for(member), community) == ["Members talk"]


def test_private_community_posts_are_invisible_to_outsiders():
    private = CommunityFactory(community_type="private")
    post = make_post(private, private.owner)
    assert client_for(UserFactory()).get(url_for("post-detail", post_id=post.pk)).status_code == 404
    assert client_for(UserFactory()).get(url_for("post-list", community_pk=private.pk)).status_code == 404
    assert client_for(private.owner).get(url_for("post-detail", post_id=post.pk)).status_code == 200


def test_muted_and_banned_members_cannot_post(community):
    muted = join(community, muted_until=timezone.now() + timedelta(hours=1))
    response = client_for(muted).post(url_for("post-list", community_pk=community.pk), {"title": "t", "content": "c"})
    assert (response.status_code, response.data["code"]) == (403, "muted")
    banned = join(community, status="banned")
    assert client_for(banned).get(url_for("post-list", community_pk=community.pk)).status_code == 403


# --- editing and deleting ------------------------------------------------------------------------


def test_author_edits_and_moderator_may_fix_title_but_not_status(community):
    author, moderator = join(community), join(community, role="Moderator")
    post = make_post(community, author)
    assert client_for(author).patch(url_for("post-detail", post_id=post.pk), {"content": "Edited"}).status_code == 200
    assert client_for(join(community)).patch(url_for("post-detail", post_id=post.pk), {"title": "x"}).status_code == 403
    assert client_for(moderator).patch(url_for("post-detail", post_id=post.pk), {"title": "Fixed"}).status_code == 200
    assert client_for(moderator).patch(url_for("post-detail", post_id=post.pk),
                                       {"status": "archived"}).status_code == 403
    assert OutboxEvent.objects.filter(event_type="post.updated").count() == 2


def test_invalid_status_transition_is_a_409(community):
    author = join(community)
    post = make_post(community, author)
    response = client_for(author).patch(url_for("post-detail", post_id=post.pk), {"status": "draft"})
    assert (response.status_code, response.data["code"]) == (409, "invalid_transition")


def test_delete_is_soft_uncounted_and_moderator_removals_are_audited(community):
    author, moderator = join(community), join(community, role="Moderator")
    own, other = make_post(community, author), make_post(community, author)
    Community.objects.filter(pk=community.pk).update(post_count=2)
    assert client_for(author).delete(url_for("post-detail", post_id=own.pk)).status_code == 204
    assert client_for(moderator).delete(url_for("post-detail", post_id=other.pk)).status_code == 204
    assert post_count(community) == 0
    assert Post.objects.filter(deleted_at__isnull=False).count() == 2
    assert client_for(author).get(url_for("post-detail", post_id=own.pk)).status_code == 404
    assert AuditLogEntry.objects.filter(action="post.removed").count() == 1
    assert OutboxEvent.objects.filter(event_type="post.deleted").count() == 2


def test_pinning_is_capped_per_community(community, settings):
    settings.MAX_PINNED_POSTS = 2
    owner = client_for(community.owner)
    posts = [make_post(community, community.owner, title=f"P{i}") for i in range(3)]
    assert [owner.post(url_for("post-pin", post_id=p.pk), {}).status_code for p in posts[:2]] == [200, 200]
    response = owner.post(url_for("post-pin", post_id=posts[2].pk), {})
    assert (response.status_code, response.data["code"]) == (409, "pin_limit")
    owner.post(url_for("post-unpin", post_id=posts[0].pk), {})
    assert owner.post(url_for("post-pin", post_id=posts[2].pk), {}).status_code == 200


# --- feeds ------------------------------------------------------------------------------------------


def test_feed_orders_pinned_first_then_new_or_top(community):
    author = join(community)
    now = timezone.now()
    make_post(community, author, title="old-popular", published_at=now - timedelta(days=2), like_count=9)
    make_post(community, author, title="pinned", published_at=now - timedelta(days=3), is_pinned=True,
              pinned_at=now)
    make_post(community, author, title="newest", published_at=now)
    api = client_for(author)
    assert feed(api, community) == ["pinned", "newest", "old-popular"]
    assert feed(api, community, ordering="new") == ["newest", "old-popular", "pinned"]
    assert feed(api, community, ordering="top") == ["old-popular", "newest", "pinned"]
    assert api.get(url_for("post-list", community_pk=community.pk), {"ordering": "random"}).status_code == 400


def test_feed_filters_by_channel_and_author(community):
    alice, bob = join(community), join(community)
    general = ChannelFactory(community=community, name="General", slug="general")
    make_post(community, alice, title="a", channel=general)
    make_post(community, bob, title="b")
    api = client_for(alice)
    assert feed(api, community, channel=str(general.pk)) == ["a"]
    assert feed(api, community, author=str(bob.pk)) == ["b"]


def test_community_search_ranks_title_above_content(community):
    author = join(community)
    make_post(community, author, title="Gardening tips", content="Mention of django once")
    make_post(community, author, title="Django deployment", content="Gunicorn and nginx")
    make_post(community, author, title="Cooking", content="Pasta")
    assert feed(client_for(author), community, search="django") == ["Django deployment", "Gardening tips"]


def test_global_search_covers_only_what_the_caller_may_read():
    public, private = CommunityFactory(), CommunityFactory(community_type="private")
    make_post(public, public.owner, title="Kubernetes in public")
    make_post(private, private.owner, title="Kubernetes in private")
    stranger = client_for(UserFactory())
    body = stranger.get(url_for("search"), {"q": "kubernetes"}).data
    assert [p["title"] for p in body["posts"]["items"]] == ["Kubernetes in public"]
    insider = client_for(private.owner).get(url_for("search"), {"q": "kubernetes"}).data
    assert {p["title"] for p in insider["posts"]["items"]} == {"Kubernetes in public", "Kubernetes in private"}
    assert stranger.get(url_for("search"), {"q": ""}).status_code == 400


def test_feed_runs_the_same_number_of_queries_for_10_and_100_posts(community):
    author = join(community)
    for i in range(100):
        make_post(community, author, title=f"p{i}")
    api = client_for(author)

    def queries_for(page_size: int, **extra: object) -> int:
        api.get(url_for("post-list", community_pk=community.pk), {"page_size": 1})  # warm the RBAC cache
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url_for("post-list", community_pk=community.pk), {"page_size": page_size, **extra})
        assert len(response.data["items"]) == page_size
        return len(ctx.captured_queries)

    assert queries_for(10) == queries_for(100)
    assert queries_for(10, cursor="") == queries_for(100, cursor="")


def test_reading_a_post_counts_one_view_per_viewer_after_the_flush(community):
    from content.services.view_counts import post_views_flush

    post = make_post(community, community.owner)
    reader = client_for(UserFactory())
    for _ in range(3):
        assert reader.get(url_for("post-detail", post_id=post.pk)).status_code == 200
    client_for(UserFactory()).get(url_for("post-detail", post_id=post.pk))
    post_views_flush()
    post.refresh_from_db()
    assert post.view_count == 2


def test_a_blank_search_finds_nothing_instead_of_failing():
    body = client_for(UserFactory()).get(url_for("search"), {"q": "\x1d "}).data
    assert (body["communities"], body["posts"]["total"]) == ([], 0)
