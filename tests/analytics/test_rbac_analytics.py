"""Analytics routes × every kind of caller (see tests/content/world.py).

analytics.view is held by Admin and the owner (Moderator and Member do not hold it); a post's
author sees their post's analytics and a member their own.
"""

import pytest

from members.models import Member
from tests.content.world import ACTORS, allow, run_case
from tests.routes import url_for

VIEWERS = {"admin", "owner", "superadmin"}


def _membership(w, actor: str) -> Member:
    return Member.objects.get(community=w.community, user=w.users[actor])


MATRIX = {
    ("community-analytics", "GET"): (lambda w: (url_for("community-analytics", community_pk=w.community.pk), None),
                                     allow(200, VIEWERS)),
    ("post-analytics", "GET"): (lambda w: (url_for("post-analytics", post_id=w.post.pk), None),
                                allow(200, VIEWERS | {"author"})),
    ("member-analytics", "GET"): (
        lambda w: (url_for("member-analytics", member_id=_membership(w, "member").pk), None),
        allow(200, VIEWERS | {"member"}),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_analytics_access(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
