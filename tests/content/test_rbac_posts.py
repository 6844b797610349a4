"""Channels and posts: every endpoint × every kind of caller (see tests/content/world.py)."""

import pytest

from content.models import Post
from tests.content.world import ACTORS, MODERATORS, SPEAKERS, allow, everyone, run_case
from tests.factories import PostFactory
from tests.routes import url_for

MANAGERS = {"admin", "owner", "superadmin"}  # channel.manage (Moderator does not hold it)


def _pending_post(w) -> Post:
    return PostFactory(community=w.community, channel=w.channel, author=w.users["member"], title="Queued",
                       content="Waiting for review", pending_review=True)


# A pending post is invisible (404) to all but its author (403: not a moderator) and moderators.
REVIEW = {**allow(200, MODERATORS, other=404), "member": 403, "banned": 403}

MATRIX = {
    ("channel-list", "GET"): (lambda w: (url_for("channel-list", community_pk=w.community.pk), None), everyone(200)),
    ("channel-list", "POST"): (lambda w: (url_for("channel-list", community_pk=w.community.pk), {"name": "Random"}),
                               allow(201, MANAGERS)),
    ("channel-reorder", "POST"): (
        lambda w: (url_for("channel-reorder", community_pk=w.community.pk),
                   {"channel_ids": [str(w.announcements.pk), str(w.channel.pk)]}),
        allow(200, MANAGERS),
    ),
    ("channel-detail", "GET"): (lambda w: (url_for("channel-detail", channel_id=w.channel.pk), None), everyone(200)),
    ("channel-detail", "PUT"): (lambda w: (url_for("channel-detail", channel_id=w.channel.pk),
                                           {"name": "General chat"}),
                                allow(200, MANAGERS)),
    ("channel-detail", "PATCH"): (lambda w: (url_for("channel-detail", channel_id=w.channel.pk), {"topic": "Say hi"}),
                                  allow(200, MANAGERS)),
    ("channel-detail", "DELETE"): (lambda w: (url_for("channel-detail", channel_id=w.channel.pk), None),
                                   allow(204, MANAGERS)),
    ("channel-overwrites", "GET"): (lambda w: (url_for("channel-overwrites", channel_id=w.channel.pk), None),
                                    allow(200, MANAGERS)),
    ("channel-overwrites", "PUT"): (
        lambda w: (url_for("channel-overwrites", channel_id=w.channel.pk),
                   {"overwrites": [{"role_id": str(w.community.roles.get(name="Member").pk),
                                    "deny": ["post.create"]}]}),
        allow(200, MANAGERS),
    ),
    ("post-list", "GET"): (lambda w: (url_for("post-list", community_pk=w.community.pk), None), everyone(200)),
    ("post-list", "POST"): (
        lambda w: (url_for("post-list", community_pk=w.community.pk),
                   {"title": "Hi", "content": "Hello all", "channel_id": str(w.channel.pk)}),
        allow(201, SPEAKERS),
    ),
    ("post-detail", "GET"): (lambda w: (url_for("post-detail", post_id=w.post.pk), None), everyone(200)),
    ("post-detail", "PUT"): (lambda w: (url_for("post-detail", post_id=w.post.pk), {"title": "T", "content": "C"}),
                             allow(200, MODERATORS | {"author"})),
    ("post-detail", "PATCH"): (lambda w: (url_for("post-detail", post_id=w.post.pk), {"title": "T2"}),
                               allow(200, MODERATORS | {"author"})),
    ("post-detail", "DELETE"): (lambda w: (url_for("post-detail", post_id=w.post.pk), None),
                                allow(204, MODERATORS | {"author"})),
    ("post-approve", "POST"): (lambda w: (url_for("post-approve", post_id=_pending_post(w).pk), {}), REVIEW),
    ("post-reject", "POST"): (lambda w: (url_for("post-reject", post_id=_pending_post(w).pk), {"reason": "Off-topic"}),
                              REVIEW),
    **{
        (f"post-{action}", "POST"): (lambda w, action=action: (url_for(f"post-{action}", post_id=w.post.pk), {}),
                                     allow(200, MODERATORS))
        for action in ("pin", "unpin", "lock", "unlock")
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)


MATRIX[("search", "GET")] = (lambda w: (url_for("search") + "?q=hello", None), everyone(200, banned=200))
