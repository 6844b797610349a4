"""A shared setting for content RBAC tables: one public community, a caller of every kind.

Each content resource's matrix (tests/content/test_rbac_*.py) builds a World per case,
so state changed by one request never leaks into another.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from content.models import Channel, ChannelType, Comment, Post, PostStatus
from members.models import MemberStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add

ACTORS = ["anonymous", "non_member", "pending", "member", "muted", "author", "moderator", "admin", "owner",
          "superadmin", "banned"]  # fmt: skip
MODERATORS = {"moderator", "admin", "owner", "superadmin"}  # hold post.moderate, comment.moderate, report.review
SPEAKERS = {"member", "author", "moderator", "admin", "owner", "superadmin"}  # may post, comment, react


def allow(ok: int, who: set[str], *, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    return {actor: ok if actor in who else (anonymous if actor == "anonymous" else other) for actor in ACTORS}


def everyone(ok: int, *, banned: int | None = 403) -> dict[str, int]:
    table = dict.fromkeys(ACTORS, ok)
    if banned is not None:
        table["banned"] = banned
    return table


@dataclass
class World:
    community: object
    users: dict
    channel: Channel
    announcements: Channel
    post: Post
    draft: Post
    comment: Comment
    extra: dict = field(default_factory=dict)

    def client(self, actor: str) -> APIClient:
        if actor == "anonymous":
            return APIClient()
        return client_for(self.users[actor], is_superadmin=actor == "superadmin")


def build_world() -> World:
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="public")
    now = timezone.now()

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> object:
        return member_add(community, role=role, status=status, **fields)

    users = {
        "owner": owner,
        "admin": add(role="Admin"),
        "moderator": add(role="Moderator"),
        "member": add(),
        "author": add(),
        "muted": add(muted_until=now + timedelta(hours=1)),
        "pending": add(status=MemberStatus.PENDING, role=None),
        "banned": add(status=MemberStatus.BANNED, role=None),
        "non_member": UserFactory(),
        "superadmin": UserFactory(),
    }
    channel = Channel.objects.create(community=community, name="General", slug="general", position=0)
    announcements = Channel.objects.create(
        community=community, name="News", slug="news", channel_type=ChannelType.ANNOUNCEMENT, position=1
    )
    post = Post.objects.create(
        community=community, channel=channel, author=users["author"], title="Hello", content="First post",
        status=PostStatus.PUBLISHED, published_at=now,
    )
    draft = Post.objects.create(
        community=community, channel=channel, author=users["author"], title="Draft", content="Not yet",
        status=PostStatus.DRAFT,
    )
    comment = Comment.objects.create(post=post, community=community, author=users["author"], content="Nice")
    Post.objects.filter(pk=post.pk).update(comment_count=1)
    type(community).objects.filter(pk=community.pk).update(post_count=1)
    return World(community=community, users=users, channel=channel, announcements=announcements, post=post,
                 draft=draft, comment=comment)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor`, compare with the table."""
    build, expected = matrix[endpoint]
    world = build_world()
    url, body, *fmt = build(world)  # a builder may add a request format, e.g. "multipart"
    client = world.client(actor)
    response = getattr(client, endpoint[1].lower())(url, body, format=fmt[0] if fmt else "json")
    assert response.status_code == expected[actor], (endpoint, actor, getattr(response, "data", None))
