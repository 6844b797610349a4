"""Bot accounts: made by webhook.manage holders, members with their own keys and roles,
shown as bots (`is_bot`) in posts, member lists and the audit log; removed at once."""

import pytest
from rest_framework.test import APIClient

from communities.models import AuditAction
from members.models import User
from tests.conftest import client_for
from tests.factories import ApiKeyFactory, AuditLogEntryFactory, CommunityFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def key_client(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def make_bot(community, name: str = "discord-bridge") -> dict:
    response = client_for(community.owner).post(url_for("bot-list", community_pk=community.pk), {"username": name})
    assert response.status_code == 201, response.data
    return response.data


def bot_key(community, bot: dict, scopes: list[str]) -> str:
    response = client_for(community.owner).post(
        url_for("bot-api-keys", community_pk=community.pk, user_id=bot["id"]), {"name": "bridge", "scopes": scopes})
    assert response.status_code == 201, response.data
    return response.data["key"]


def test_a_webhook_manager_creates_a_bot_that_is_a_member_shown_as_a_bot():
    community = CommunityFactory()

    bot = make_bot(community)
    members = client_for(community.owner).get(url_for("member-list", community_pk=community.pk))

    assert bot["is_bot"] is True and bot["community_id"] == str(community.pk)
    row = next(item for item in members.data["items"] if item["user_id"] == bot["id"])
    assert row["is_bot"] is True and row["status"] == "active"
    owner_row = next(item for item in members.data["items"] if item["user_id"] == str(community.owner_id))
    assert owner_row["is_bot"] is False
    assert not User.objects.get(pk=bot["id"]).has_usable_password()


def test_only_webhook_managers_make_bots():
    community = CommunityFactory()
    member = member_add(community)

    response = client_for(member).post(url_for("bot-list", community_pk=community.pk), {"username": "sneaky"})

    assert response.status_code == 403
    assert "webhook.manage" in response.data["detail"]
    assert not User.objects.filter(is_bot=True).exists()


def test_a_bots_post_is_shown_as_a_bots():
    community = CommunityFactory()
    secret = bot_key(community, make_bot(community), ["read", "write"])

    created = key_client(secret).post(url_for("post-list", community_pk=community.pk),
                                      {"title": "Bridged", "content": "from Discord"})
    shown = client_for(community.owner).get(url_for("post-detail", post_id=created.data["id"]))
    feed = client_for(community.owner).get(url_for("post-list", community_pk=community.pk))

    assert created.status_code == 201, created.data
    assert shown.data["author"]["is_bot"] is True
    assert [item["author"]["is_bot"] for item in feed.data["items"]] == [True]


def test_a_bot_key_is_limited_to_the_bots_community():
    community, elsewhere = CommunityFactory(), CommunityFactory()
    bot = make_bot(community)
    secret = bot_key(community, bot, ["read", "write"])

    response = key_client(secret).post(url_for("member-list", community_pk=elsewhere.pk), {})

    assert response.status_code == 404
    assert not elsewhere.members.filter(user_id=bot["id"]).exists()


def test_a_bot_of_another_community_is_not_found():
    community, other = CommunityFactory(), CommunityFactory()
    bot = make_bot(other)

    response = client_for(community.owner).post(
        url_for("bot-api-keys", community_pk=community.pk, user_id=bot["id"]), {"name": "x", "scopes": ["read"]})

    assert response.status_code == 404


def test_removing_a_bot_refuses_its_keys_at_once():
    community = CommunityFactory()
    bot = make_bot(community)
    secret = bot_key(community, bot, ["read"])
    assert key_client(secret).get(url_for("my-communities")).status_code == 200

    removed = client_for(community.owner).delete(url_for("bot-detail", community_pk=community.pk, user_id=bot["id"]))
    after = key_client(secret).get(url_for("my-communities"))

    assert removed.status_code == 204
    assert after.status_code == 401
    assert not community.members.filter(user_id=bot["id"], status="active").exists()


def test_the_audit_log_shows_a_bot_actor_as_a_bot():
    community = CommunityFactory()
    bot = User.objects.get(pk=make_bot(community)["id"])
    AuditLogEntryFactory(community=community, actor=bot, action=AuditAction.POST_REMOVED)

    response = client_for(community.owner).get(url_for("audit-log", community_pk=community.pk))

    assert response.status_code == 200
    assert [item["actor"]["is_bot"] for item in response.data["items"]] == [True]


def test_a_managers_key_cannot_give_a_bot_more_scopes_than_it_has():
    community = CommunityFactory()
    bot = make_bot(community)
    ApiKeyFactory(user=community.owner, scopes=["read", "write"], secret="cs_live_manager")

    response = key_client("cs_live_manager").post(
        url_for("bot-api-keys", community_pk=community.pk, user_id=bot["id"]),
        {"name": "x", "scopes": ["read", "moderate"]})

    assert response.status_code == 403
    assert response.data["code"] == "key_scope"
