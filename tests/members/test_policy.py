"""The policy's refusal table is the one docs/permissions.md shows, and services that act for
someone refuse what the policy refuses whichever door calls them."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from billing.services.levels import level_create, level_delete
from community_service.exceptions import PermissionDenied
from content.services.posts import post_moderate
from members import policy
from members.models import Member
from members.selectors.access import community_access
from members.services.memberships import join_request_decide, member_kick
from members.services.moderation import member_ban, member_mute, member_unban
from members.services.roles import role_create
from tests.factories import PostFactory, SubscriptionLevelFactory
from tests.rbac_world import cast_build

pytestmark = pytest.mark.django_db


def _table(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("| ")]


def test_docs_show_the_policys_refusal_table():
    docs = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text()
    section = docs.split("<!-- policy-refusals")[1]
    assert _table(section)[: len(_table(policy.__doc__ or ""))] == _table(policy.__doc__ or "")
    assert len(_table(policy.__doc__ or "")) == 9  # the header and eight refusals


def _access(cast, actor):
    return community_access(community_id=cast.community.pk, user=cast.users[actor])


def _row(cast, actor):
    return Member.objects.get(community=cast.community, user=cast.users[actor])


@pytest.mark.parametrize("act", [
    lambda c, a: member_kick(actor=a, member=_row(c, "muted")),
    lambda c, a: join_request_decide(actor=a, member=_row(c, "pending"), approve=True),
    lambda c, a: member_ban(actor=a, community=c.community, user=c.users["muted"], duration=None),
    lambda c, a: member_unban(actor=a, member=_row(c, "banned")),
    lambda c, a: member_mute(actor=a, member=_row(c, "muted"), duration=timedelta(hours=1)),
    lambda c, a: role_create(actor=a, community=c.community, name="Helpers", permissions=[]),
    lambda c, a: post_moderate(post=PostFactory(community=c.community), moderator=c.users["member"], access=a,
                               action="pin"),
    lambda c, a: level_create(actor=a, community=c.community, name="Gold", price=Decimal("5.00"), currency="USD",
                              duration_days=30),
    lambda c, a: level_delete(actor=a, level=SubscriptionLevelFactory(community=c.community)),
])
def test_services_refuse_a_plain_member_whichever_door_calls(act):
    cast = cast_build("author")
    with pytest.raises(PermissionDenied) as refusal:
        act(cast, _access(cast, "member"))  # a member holding none of the codes
    assert refusal.value.code == "permission_denied"
    assert Member.objects.get(community=cast.community, user=cast.users["pending"]).status == "pending"
    assert Member.objects.get(community=cast.community, user=cast.users["banned"]).status == "banned"


def test_a_banned_superadmin_is_exempt_everywhere():
    cast = cast_build("author")
    access = community_access(community_id=cast.community.pk, user=cast.users["banned"], is_superadmin=True)
    assert policy.sees_community("private", access) and policy.holds(access, "member.ban")
    policy.require_can_speak(access)
    policy.require_permission(access, "community.delete")


def test_a_claim_blocks_other_moderators_until_it_expires_but_never_its_holder_or_a_superadmin():
    import uuid

    from django.utils import timezone

    holder, other = uuid.uuid4(), uuid.uuid4()
    later, earlier = timezone.now() + timedelta(minutes=5), timezone.now() - timedelta(seconds=1)

    def blocks(user_id, until, superadmin=False):
        return policy.claim_blocks(claimed_by_id=holder, claimed_until=until, user_id=user_id,
                                   is_superadmin=superadmin)

    assert blocks(other, later)
    assert not blocks(holder, later) and not blocks(other, later, superadmin=True)
    assert not blocks(other, earlier)
    assert not policy.claim_blocks(claimed_by_id=None, claimed_until=None, user_id=other, is_superadmin=False)
