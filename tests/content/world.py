"""The setting of content's RBAC tables (tests/content/test_rbac_*.py): the cast of
tests/rbac_world.py, with "author" writing a channel's published post, a draft and a comment.
"""

import functools
from dataclasses import dataclass, field

from content.models import Channel, Comment, Post
from tests import rbac_world
from tests.factories import ChannelFactory, CommentFactory, PostFactory
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
    community, users = cast.community, cast.users
    channel = ChannelFactory(community=community, name="General", slug="general", position=0, topic="")
    announcements = ChannelFactory(community=community, name="News", slug="news", announcement=True, position=1,
                                   topic="")
    # The factories keep post_count and comment_count true.
    post = PostFactory(community=community, channel=channel, author=users["author"], title="Hello",
                       content="First post")
    draft = PostFactory(community=community, channel=channel, author=users["author"], title="Draft",
                        content="Not yet", draft=True)
    comment = CommentFactory(post=post, author=users["author"], content="Nice")
    return World(community=community, users=users, channel=channel, announcements=announcements, post=post,
                 draft=draft, comment=comment)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor`, compare with the table."""
    case_run(build_world(), matrix, endpoint, actor)
