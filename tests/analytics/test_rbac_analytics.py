"""Analytics routes × every kind of caller (see tests/content/world.py).

analytics.view is held by Admin and the owner (Moderator and Member do not hold it); a post's
author sees their post's analytics and a member their own.
"""

import pytest

from members.models import Member
from tests.content.world import ACTORS, allow, run_case
from tests.routes import api_endpoints

VIEWERS = {"admin", "owner", "superadmin"}


def _membership(w, actor: str) -> Member:
    return Member.objects.get(community=w.community, user=w.users[actor])


MATRIX = {
    ("community-analytics", "GET"): (lambda w: (f"{w.c}/analytics", None), allow(200, VIEWERS)),
    ("post-analytics", "GET"): (lambda w: (f"/api/v1/posts/{w.post.pk}/analytics", None),
                                allow(200, VIEWERS | {"author"})),
    ("member-analytics", "GET"): (
        lambda w: (f"/api/v1/members/{_membership(w, 'member').pk}/analytics", None),
        allow(200, VIEWERS | {"member"}),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_analytics_access(endpoint, actor):
    run_case(MATRIX, endpoint, actor)


def test_every_analytics_endpoint_has_a_row():
    missing = api_endpoints(view_modules=("analytics.views.",)) - set(MATRIX)
    assert not missing, f"add rows for: {sorted(missing)}"
