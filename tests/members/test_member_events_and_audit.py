"""Membership changes publish member.*/role.* events and moderation lands in the audit log."""

import pytest
from django.db import transaction

from communities.models import AuditLogEntry
from community_service.outbox.models import OutboxEvent
from members.models import Member
from members.selectors.access import community_access
from members.services.memberships import member_kick
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def events(event_type: str) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(event_type=event_type).order_by("id")]


def audit(action: str) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=action))


def test_joining_and_leaving_publish_member_events():
    community = CommunityFactory()
    user = UserFactory()
    api = client_for(user)
    api.post(url_for("member-list", community_pk=community.pk), {})
    api.delete(url_for("member-detail", community_pk=community.pk, user_id=user.pk))
    joined = [p for p in events("member.joined") if p["user_id"] == str(user.pk)]
    assert len(joined) == 1 and joined[0]["community_id"] == str(community.pk)
    assert events("member.left")[-1] == {**joined[0], "reason": "left"}


def test_join_requests_and_their_approval_are_published_and_audited():
    community = CommunityFactory(community_type="restricted")
    applicant, moderator = UserFactory(), member_add(community, role="Moderator")
    client_for(applicant).post(url_for("member-list", community_pk=community.pk), {"message": "hi"})
    assert events("member.join_requested")[-1]["message"] == "hi"
    client_for(moderator).post(url_for("join-request-approve", community_pk=community.pk, user_id=applicant.pk))
    assert events("member.joined")[-1]["user_id"] == str(applicant.pk)
    [entry] = audit("member.join_approved")
    assert (entry.actor_id, str(entry.target_id)) == (moderator.pk, str(applicant.pk))


def test_kick_ban_mute_and_their_reversals_are_published_and_audited():
    community = CommunityFactory()
    target, moderator = member_add(community), member_add(community, role="Moderator")
    api = client_for(moderator)
    api.post(url_for("mute-list", community_pk=community.pk),
             {"user_id": str(target.pk), "duration_seconds": 600, "reason": "cool off"})
    api.delete(url_for("mute-detail", community_pk=community.pk, user_id=target.pk))
    api.post(url_for("ban-list", community_pk=community.pk), {"user_id": str(target.pk), "reason": "spam"})
    api.delete(url_for("ban-detail", community_pk=community.pk, user_id=target.pk))
    assert events("member.muted")[-1]["muted_until"]
    assert events("member.left")[-1]["reason"] == "banned"
    assert events("member.banned")[-1] == {**events("member.unbanned")[-1], "banned_until": None, "reason": "spam"}
    for action in ("member.muted", "member.unmuted", "member.banned", "member.unbanned"):
        [entry] = audit(action)
        assert (entry.actor_id, str(entry.target_id)) == (moderator.pk, str(target.pk)), action
    assert audit("member.banned")[0].reason == "spam"
    other = member_add(community)
    api.delete(url_for("member-detail", community_pk=community.pk, user_id=other.pk))
    assert events("member.left")[-1]["reason"] == "kicked"
    assert audit("member.kicked")[0].target_id == other.pk


def test_role_changes_publish_role_and_member_events():
    community = CommunityFactory()
    owner = client_for(community.owner)
    role = owner.post(url_for("role-list", community_pk=community.pk),
                      {"name": "Helper", "priority": 5, "permissions": ["post.create"]}).data
    owner.patch(url_for("role-detail", community_pk=community.pk, role_id=role["id"]), {"color": "#00FF00"})
    member = member_add(community)
    owner.patch(url_for("member-detail", community_pk=community.pk, user_id=member.pk), {"role_ids": [role["id"]]},
                format="json")
    owner.delete(url_for("role-detail", community_pk=community.pk, role_id=role["id"]))
    assert events("role.created")[-1]["permissions"] == ["post.create"]
    assert events("role.updated")[-1]["changed"] == ["color"]
    assert events("role.deleted")[-1]["role_id"] == role["id"]
    assert events("member.roles_changed")[-1]["role_ids"] == [role["id"]]
    assert audit("member.roles_changed")[0].actor_id == community.owner_id


def test_ownership_transfer_is_published():
    community = CommunityFactory()
    successor = member_add(community, role="Admin")
    client_for(community.owner).post(url_for("community-transfer-ownership", community_pk=community.pk),
                                     {"user_id": str(successor.pk)})
    [payload] = events("community.ownership_transferred")
    assert (payload["owner_id"], payload["previous_owner_id"]) == (str(successor.pk), str(community.owner_id))


def test_a_rolled_back_moderation_action_leaves_no_event_and_no_audit_entry():
    community = CommunityFactory()
    target = member_add(community)
    actor = community_access(community_id=community.pk, user=community.owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        member_kick(actor=actor, member=Member.objects.get(user=target))
        raise RuntimeError("the request failed after the kick")
    assert Member.objects.get(user=target).status == "active"
    assert not OutboxEvent.objects.filter(event_type="member.left").exists()
    assert not AuditLogEntry.objects.exists()


def test_a_refused_action_writes_nothing():
    community = CommunityFactory()
    admin = member_add(community, role="Admin")
    before = OutboxEvent.objects.count()
    endpoint = url_for("ban-list", community_pk=community.pk)
    assert client_for(admin).post(endpoint, {"user_id": str(community.owner_id)}).status_code == 403
    assert OutboxEvent.objects.count() == before and not AuditLogEntry.objects.exists()
