"""The setting of content's RBAC tables (tests/content/test_rbac_*.py): the cast of
tests/rbac_world.py, with "author" writing a channel's published post, a draft and a comment.
"""

import functools
from dataclasses import dataclass, field

from django.utils import timezone

from content.models import Channel, ChannelType, Comment, Post, PostStatus
from tests import rbac_world
from tests.rbac_world import Cast, actors, case_run, cast_build

ACTORS = actors("author")
MODERATORS = {"moderator", "admin", "owner", "superadmin"}  # hold post.moderate, comment.moderate, report.review
SPEAKERS = {"member", "author", "moderator", "admin", "owner", "superadmin"}  # may post, comment, react
allow = functools.partial(rbac_world.allow, ACTORS)
everyone = functools.partial(rbac_world.everyone, ACTORS)


@dataclass
class World(Cast):
    channel: Channel
    announcements: Channel
    post: Post
    draft: Post
    comment: Comment
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    cast = cast_build("author")
    community, users, now = cast.community, cast.users, timezone.now()
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
    case_run(build_world(), matrix, endpoint, actor)
