"""Rules the docs state that once disagreed with the service (issue 17), each held by a test."""

import pytest

from content.models import Post
from content.services import channels as channel_services
from members.services import roles as role_services
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def test_a_banned_user_gets_403_banned_on_the_community_itself():
    community = CommunityFactory(community_type="public")
    banned = member_add(community, role=None, status="banned")
    response = client_for(banned).get(url_for("community-detail", pk=community.pk))
    assert response.status_code == 403 and response.data["code"] == "banned"
    # Also by slug, and also on a cache hit (the body is cached, the check is not).
    assert client_for(banned).get(url_for("community-detail", pk=community.slug)).status_code == 403


def test_a_missing_community_permission_is_403_permission_denied_naming_the_permission():
    community = CommunityFactory()
    member = member_add(community)
    response = client_for(member).patch(url_for("community-detail", pk=community.pk), {"name": "Mine now"})
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert "community.update" in response.data["detail"]


def test_post_moderation_is_set_through_the_api_and_holds_members_posts_for_review():
    owner = UserFactory()
    created = client_for(owner).post(url_for("community-list"), {"name": "Careful", "post_moderation": True})
    assert created.status_code == 201 and created.data["post_moderation"] is True
    community_id = created.data["id"]
    member = UserFactory()
    assert client_for(member).post(url_for("member-list", community_pk=community_id), {}).status_code == 201
    post = client_for(member).post(url_for("post-list", community_pk=community_id), {"title": "Hi", "content": "Hello"})
    assert post.status_code == 201 and post.data["status"] == "pending_review"

    off = client_for(owner).patch(url_for("community-detail", pk=community_id), {"post_moderation": False})
    assert off.status_code == 200 and off.data["post_moderation"] is False
    post = client_for(member).post(url_for("post-list", community_pk=community_id), {"title": "Hi", "content": "Again"})
    assert post.data["status"] == "published"
    assert Post.objects.filter(community_id=community_id).count() == 2


def test_post_moderation_must_be_a_json_boolean():
    response = client_for(UserFactory()).post(url_for("community-list"), {"name": "X", "post_moderation": "yes"})
    assert response.status_code == 400 and "post_moderation" in response.data


def test_the_owner_cannot_leave_until_ownership_is_transferred():
    community = CommunityFactory()
    response = client_for(community.owner).delete(url_for("member-detail", community_pk=community.pk,
                                                          user_id=community.owner.pk))
    assert response.status_code == 409 and response.data["code"] == "owner_cannot_leave"


def test_roles_are_capped_so_the_roles_array_stays_bounded(monkeypatch):
    monkeypatch.setattr(role_services, "MAX_ROLES_PER_COMMUNITY", 4)  # Admin, Moderator, Member + 1
    community = CommunityFactory()
    owner = client_for(community.owner)
    assert owner.post(url_for("role-list", community_pk=community.pk), {"name": "Fourth"}).status_code == 201
    refused = owner.post(url_for("role-list", community_pk=community.pk), {"name": "Fifth"})
    assert refused.status_code == 409 and refused.data["code"] == "role_limit"


def test_channels_are_capped_so_the_channels_array_stays_bounded(monkeypatch):
    monkeypatch.setattr(channel_services, "MAX_CHANNELS_PER_COMMUNITY", 2)
    community = CommunityFactory()
    channel_services.channel_create(community=community, name="general")
    owner = client_for(community.owner)
    assert owner.post(url_for("channel-list", community_pk=community.pk), {"name": "second"}).status_code == 201
    refused = owner.post(url_for("channel-list", community_pk=community.pk), {"name": "third"})
    assert refused.status_code == 409 and refused.data["code"] == "channel_limit"
