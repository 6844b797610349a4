"""More of the member.*/role.* wiring: invites, rejections, the actor fallback, rollbacks, payload shapes."""

from datetime import timedelta

import pytest
from django.db import transaction

from communities.models import AuditLogEntry
from community_service.outbox.catalogue import event_spec
from community_service.outbox.models import OutboxEvent
from members.models import Member
from members.selectors.access import community_access
from members.services.invites import invite_create
from members.services.memberships import join_request_decide
from members.services.moderation import member_ban, member_mute
from members.services.ownership import community_transfer_ownership
from members.services.roles import role_create
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def payloads(event_type: str) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(event_type=event_type).order_by("id")]


def test_joining_through_an_invite_says_so_in_member_joined():
    community = CommunityFactory(community_type="private")
    invite = invite_create(community=community, created_by=community.owner)
    user = UserFactory()
    assert client_for(user).post(url_for("invite-accept", code=invite.code)).status_code in (200, 201)
    [joined] = [p for p in payloads("member.joined") if p["user_id"] == str(user.pk)]
    assert joined["via_invite"] is True


def test_a_rejected_join_request_is_audited_and_nobody_joins():
    community = CommunityFactory(community_type="restricted")
    applicant, moderator = UserFactory(), member_add(community, role="Moderator")
    client_for(applicant).post(url_for("member-list", community_pk=community.pk), {})
    endpoint = url_for("join-request-reject", community_pk=community.pk, user_id=applicant.pk)
    response = client_for(moderator).post(endpoint)
    assert response.status_code == 200
    [entry] = AuditLogEntry.objects.filter(action="member.join_rejected")
    assert (entry.actor_id, entry.target_id) == (moderator.pk, applicant.pk)
    assert not [p for p in payloads("member.joined") if p["user_id"] == str(applicant.pk)]


def test_every_member_and_role_event_carries_exactly_the_catalogue_fields():
    community = CommunityFactory()
    owner = client_for(community.owner)
    c = url_for("community-detail", pk=community.pk)
    target = member_add(community)
    role = owner.post(f"{c}/roles", {"name": "Helper", "priority": 5, "permissions": ["post.create"]}).data
    owner.patch(f"{c}/roles/{role['id']}", {"name": "Helpers"})
    owner.patch(f"{c}/members/{target.pk}", {"role_ids": [role["id"]]}, format="json")
    owner.post(f"{c}/mutes", {"user_id": str(target.pk), "duration_seconds": 60})
    owner.delete(f"{c}/mutes/{target.pk}")
    owner.post(f"{c}/bans", {"user_id": str(target.pk)})
    owner.delete(f"{c}/bans/{target.pk}")
    owner.delete(f"{c}/roles/{role['id']}")
    seen = set()
    for event in OutboxEvent.objects.filter(aggregate_type__in=["member", "role"]):
        spec = event_spec(event.event_type)
        assert set(spec.fields) <= set(event.payload) <= set(spec.fields) | set(spec.optional), event.event_type
        assert event.payload["community_id"] == str(community.pk)
        assert event.metadata["actor_id"] in (None, str(community.owner_id))
        seen.add(event.event_type)
    assert seen >= {"member.joined", "member.roles_changed", "member.muted", "member.unmuted", "member.left",
                    "member.banned", "member.unbanned", "role.created", "role.updated", "role.deleted"}


@pytest.mark.parametrize("action", ["ban", "mute", "approve", "role_create", "transfer"])
def test_a_rolled_back_action_leaves_neither_event_nor_audit_entry(action):
    community = CommunityFactory(community_type="restricted")
    target = member_add(community)
    actor = community_access(community_id=community.pk, user=community.owner)
    applicant = member_add(community, status="pending", role=None)
    run = {
        "ban": lambda: member_ban(actor=actor, community=community, user=target, duration=None),
        "mute": lambda: member_mute(actor=actor, member=Member.objects.get(user=target),
                                             duration=timedelta(minutes=5)),
        "approve": lambda: join_request_decide(actor=actor, member=Member.objects.get(user=applicant),
                                                        approve=True),
        "role_create": lambda: role_create(actor=actor, community=community, name="Temp",
                                                    permissions=["post.create"], priority=1),
        "transfer": lambda: community_transfer_ownership(community=community, new_owner=target),
    }[action]
    events_before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        run()
        assert OutboxEvent.objects.count() > events_before  # written inside the transaction…
        raise RuntimeError("the request failed afterwards")
    assert OutboxEvent.objects.count() == events_before  # …and gone with it
    assert not AuditLogEntry.objects.exists()
