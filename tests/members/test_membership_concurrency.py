"""Counters and uniqueness under real concurrency: threads, separate PostgreSQL connections."""

import pytest

from communities.models import Community
from members.models import Member, MemberStatus
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)




def _join(api, community) -> int:
    return api.post(url_for("member-list", community_pk=community.pk), {}).status_code


def _active_rows(community: Community) -> int:
    return Member.objects.filter(community=community, status=MemberStatus.ACTIVE).count()


def test_fifty_users_joining_at_once_are_all_counted():
    community = CommunityFactory()
    clients = [client_for(UserFactory()) for _ in range(50)]
    statuses = run_concurrently([lambda api=api: _join(api, community) for api in clients])
    assert statuses == [201] * 50
    community.refresh_from_db()
    assert community.member_count == _active_rows(community) == 51


def test_one_user_joining_twenty_times_at_once_gets_one_row():
    community = CommunityFactory()
    user = UserFactory()
    clients = [client_for(user) for _ in range(20)]
    statuses = run_concurrently([lambda api=api: _join(api, community) for api in clients])
    assert sorted(statuses) == [201] + [409] * 19
    assert Member.objects.filter(community=community, user=user).count() == 1
    community.refresh_from_db()
    assert community.member_count == _active_rows(community) == 2


def test_concurrent_joins_and_leaves_keep_the_count_exact():
    community = CommunityFactory()
    leavers = [UserFactory() for _ in range(15)]
    for user in leavers:
        client_for(user).post(url_for("member-list", community_pk=community.pk), {})
    joiners = [client_for(UserFactory()) for _ in range(15)]
    calls = [lambda api=api: _join(api, community) for api in joiners] + [
        lambda u=u: client_for(u).delete(url_for("member-detail", community_pk=community.pk, user_id=u.pk)).status_code
        for u in leavers
    ]
    statuses = run_concurrently(calls)
    assert statuses.count(201) == 15 and statuses.count(204) == 15
    community.refresh_from_db()
    assert community.member_count == _active_rows(community) == 16
