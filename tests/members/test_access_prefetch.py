"""A signed-in caller's access to a community comes with the throttle's Redis round trip."""

import pytest

from tests.conftest import client_for
from tests.factories import CommunityFactory, member_add
from tests.redis_commands import redis_commands
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ["post-list", "channel-list", "member-list", "event-list", "donation-list"])
def test_a_community_scoped_read_is_the_user_row_and_the_throttle_script(monkeypatch, route):
    # Before: the user row, the RBAC version, the access entry and the throttle: four round trips.
    community = CommunityFactory()
    api = client_for(member_add(community))
    url = url_for(route, community_pk=community.pk)
    assert api.get(url).status_code == 200  # fills the access entry
    assert redis_commands(monkeypatch, lambda: api.get(url)) == ["GET", "EVALSHA"]


def test_a_role_change_reaches_the_next_request_through_the_prefetched_entry(django_capture_on_commit_callbacks):
    community = CommunityFactory()
    member = member_add(community)
    api = client_for(member)
    url = url_for("ban-list", community_pk=community.pk)
    assert api.get(url).status_code == 403  # caches the member's access (no member.ban)
    moderator = community.roles.get(name="Moderator")
    with django_capture_on_commit_callbacks(execute=True):
        granted = client_for(community.owner).patch(
            url_for("member-detail", community_pk=community.pk, user_id=member.pk),
            {"role_ids": [str(moderator.pk)]}, format="json")
    assert granted.status_code == 200, granted.content
    assert api.get(url).status_code == 200
