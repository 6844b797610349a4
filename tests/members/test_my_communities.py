"""`GET /me/communities`: the communities the caller belongs to, with their membership."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from members.models import Member
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _joined(user, community, *, days_ago: int, **fields: object) -> None:
    member_add(community, user=user, **fields)
    Member.objects.filter(community=community, user=user).update(joined_at=timezone.now() - timedelta(days=days_ago))


def test_lists_active_memberships_only_most_recent_first_with_the_membership():
    me = UserFactory()
    older, newer, private = CommunityFactory(name="Older"), CommunityFactory(name="Newer"), CommunityFactory(
        name="Private", community_type="private")
    _joined(me, older, days_ago=30, nickname="old hand")
    _joined(me, newer, days_ago=1)
    _joined(me, private, days_ago=10)
    # Not listed: left, pending, banned, a deleted community, someone else's membership.
    for status in ("left", "pending", "banned"):
        _joined(me, CommunityFactory(name=f"Gone {status}"), days_ago=5, status=status, role=None)
    deleted = CommunityFactory(name="Deleted")
    _joined(me, deleted, days_ago=2)
    deleted.deleted_at = timezone.now()
    deleted.save(update_fields=["deleted_at"])
    member_add(CommunityFactory(name="Not mine"))

    body = client_for(me).get(url_for("my-communities")).json()
    assert [item["community"]["name"] for item in body["items"]] == ["Newer", "Private", "Older"]
    assert body["total"] == 3
    oldest = body["items"][2]
    assert oldest["community"]["id"] == str(older.pk) and oldest["community"]["member_count"] == older.member_count + 1
    membership = Member.objects.get(community=older, user=me)
    assert oldest["membership"] == {"id": str(membership.pk), "nickname": "old hand", "is_owner": False,
                                    "joined_at": oldest["membership"]["joined_at"]}
    assert oldest["membership"]["joined_at"].startswith(str(membership.joined_at.date()))


def test_an_owner_sees_their_own_community_as_owner():
    community = CommunityFactory()
    items = client_for(community.owner).get(url_for("my-communities")).json()["items"]
    assert [(item["community"]["id"], item["membership"]["is_owner"]) for item in items] == [(str(community.pk), True)]


def test_anonymous_callers_are_told_to_authenticate():
    assert APIClient().get(url_for("my-communities")).status_code == 401


def test_the_page_costs_the_same_queries_for_2_and_8_communities():
    me = UserFactory()
    api = client_for(me)

    def count() -> int:
        api.get(url_for("my-communities"))  # warm the caller's cached user row
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url_for("my-communities"), {"page_size": 100}).status_code == 200
        return len(queries)

    for days in range(2):
        _joined(me, CommunityFactory(), days_ago=days)
    few = count()
    for days in range(6):
        _joined(me, CommunityFactory(), days_ago=days + 2)
    assert count() == few
