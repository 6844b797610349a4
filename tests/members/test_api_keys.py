"""Personal API keys over REST: shown once and stored hashed, scopes and communities enforced
by the policy, revocation and expiry from the next request, the last use, their own budget."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from members.models import ApiKey
from members.services.api_keys import key_digest
from tests.conftest import client_for
from tests.factories import ApiKeyFactory, CommunityFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/me/api-keys"


def key_client(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def community_url(community) -> str:
    return f"/api/v1/communities/{community.pk}"


def test_a_key_is_shown_once_and_stored_hashed():
    owner = UserFactory()
    api = client_for(owner)

    created = api.post(KEYS, {"name": "CRM sync", "scopes": ["read"]})
    listed = api.get(KEYS)

    assert created.status_code == 201, created.data
    secret = created.data["key"]
    assert secret.startswith("cs_live_") and len(secret) > 40
    row = ApiKey.objects.get(pk=created.data["id"])
    assert row.digest == key_digest(secret) and secret not in (row.digest, row.prefix)
    assert secret.startswith(row.prefix)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.data["items"]] == [created.data["id"]]
    assert "key" not in listed.data["items"][0]


def test_a_key_acts_as_its_owner_on_reads():
    community = CommunityFactory(private=True)
    owner = member_add(community)
    ApiKeyFactory(user=owner, scopes=["read"], secret="cs_live_reader")

    response = key_client("cs_live_reader").get(community_url(community))

    assert response.status_code == 200
    assert response.data["id"] == str(community.pk)


def test_a_read_key_is_refused_a_write_naming_the_scope():
    community = CommunityFactory()
    ApiKeyFactory(user=UserFactory(), scopes=["read"], secret="cs_live_readonly")

    response = key_client("cs_live_readonly").post(f"{community_url(community)}/members", {})

    assert response.status_code == 403
    assert response.data["code"] == "key_scope"
    assert "`write`" in response.data["detail"]
    assert not community.members.filter(is_owner=False).exists()


def test_a_write_key_writes():
    community = CommunityFactory()
    joiner = UserFactory()
    ApiKeyFactory(user=joiner, scopes=["read", "write"], secret="cs_live_writer")

    response = key_client("cs_live_writer").post(f"{community_url(community)}/members", {})

    assert response.status_code == 201, response.data
    assert community.members.filter(user=joiner, status="active").exists()


def test_a_revoked_key_is_refused_on_the_next_request():
    owner = UserFactory()
    community = CommunityFactory()
    api = client_for(owner)
    created = api.post(KEYS, {"name": "bridge", "scopes": ["read"]})
    by_key = key_client(created.data["key"])
    assert by_key.get(community_url(community)).status_code == 200

    revoked = api.delete(f"{KEYS}/{created.data['id']}")
    after = by_key.get(community_url(community))

    assert revoked.status_code == 204
    assert after.status_code == 401
    assert after.data["code"] == "key_invalid"


def test_an_expired_key_is_refused():
    community = CommunityFactory()
    ApiKeyFactory(expired=True, secret="cs_live_old")

    response = key_client("cs_live_old").get(community_url(community))

    assert response.status_code == 401
    assert response.data["code"] == "key_expired"


def test_an_unknown_key_is_refused():
    response = key_client("cs_live_nobody").get(KEYS)

    assert response.status_code == 401


def test_a_key_finds_nothing_outside_its_communities():
    allowed, other = CommunityFactory(), CommunityFactory()
    owner = member_add(allowed)
    member_add(other, user=owner)
    api = client_for(owner)
    created = api.post(KEYS, {"name": "one place", "scopes": ["read", "write"], "communities": [str(allowed.pk)]})
    by_key = key_client(created.data["key"])

    inside = by_key.get(community_url(allowed))
    outside_read = by_key.get(f"{community_url(other)}/members")
    outside_write = by_key.post(f"{community_url(other)}/bans", {"user_id": str(owner.pk)})

    assert created.status_code == 201, created.data
    assert inside.status_code == 200
    assert outside_read.status_code == 404
    assert outside_write.status_code == 404
    assert other.members.filter(user=owner, status="active").exists()


def test_a_key_cannot_be_limited_to_a_community_its_owner_is_not_in():
    stranger_place = CommunityFactory()

    response = client_for(UserFactory()).post(
        KEYS, {"name": "x", "scopes": ["read"], "communities": [str(stranger_place.pk)]})

    assert response.status_code == 400
    assert "communities" in response.data


def test_moderation_codes_need_the_moderate_scope():
    community = CommunityFactory()
    target = member_add(community)
    ApiKeyFactory(user=community.owner, scopes=["read", "write"], secret="cs_live_plain")
    ApiKeyFactory(user=community.owner, scopes=["read", "write", "moderate"], secret="cs_live_mod")
    ban = {"user_id": str(target.pk), "reason": "spam"}

    without = key_client("cs_live_plain").post(f"{community_url(community)}/bans", ban)
    with_scope = key_client("cs_live_mod").post(f"{community_url(community)}/bans", ban)

    assert without.status_code == 403
    assert without.data["code"] == "permission_denied"
    assert with_scope.status_code == 201, with_scope.data


def test_a_key_never_does_more_than_its_owner():
    community = CommunityFactory()
    target = member_add(community)
    plain_member = member_add(community)
    ApiKeyFactory(user=plain_member, scopes=["read", "write", "moderate", "billing"], secret="cs_live_member")

    response = key_client("cs_live_member").post(f"{community_url(community)}/bans",
                                                  {"user_id": str(target.pk), "reason": "spam"})

    assert response.status_code == 403


def test_a_superusers_key_carries_no_bypass():
    private = CommunityFactory(private=True)
    ApiKeyFactory(user=UserFactory(is_superuser=True), scopes=["read"], secret="cs_live_super")

    response = key_client("cs_live_super").get(community_url(private))

    assert response.status_code == 404


def test_a_key_creates_keys_only_within_itself():
    community = CommunityFactory()
    owner = member_add(community)
    soon = timezone.now() + timedelta(days=5)
    ApiKeyFactory(user=owner, scopes=["read", "write"], community_ids=[community.pk], expires_at=soon,
                  secret="cs_live_parent")
    by_key = key_client("cs_live_parent")
    within = {"name": "child", "scopes": ["read"], "communities": [str(community.pk)],
              "expires_at": (soon - timedelta(days=1)).isoformat()}

    more_scopes = by_key.post(KEYS, {**within, "scopes": ["read", "moderate"]})
    all_communities = by_key.post(KEYS, {key: value for key, value in within.items() if key != "communities"})
    outliving = by_key.post(KEYS, {**within, "expires_at": (soon + timedelta(days=1)).isoformat()})
    ok = by_key.post(KEYS, within)

    assert [more_scopes.status_code, all_communities.status_code, outliving.status_code] == [403, 403, 403]
    assert {more_scopes.data["code"], all_communities.data["code"], outliving.data["code"]} == {"key_scope"}
    assert ok.status_code == 201, ok.data
    assert ApiKey.objects.filter(user=owner).count() == 2


def test_the_last_use_is_written_at_most_once_a_minute():
    key = ApiKeyFactory(scopes=["read"], secret="cs_live_used")
    by_key = key_client("cs_live_used")

    by_key.get(KEYS)
    key.refresh_from_db()
    first = key.last_used_at
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(seconds=30))
    by_key.get(KEYS)
    key.refresh_from_db()

    assert first is not None
    assert key.last_used_at == first - timedelta(seconds=30)


def test_another_users_key_cannot_be_revoked():
    key = ApiKeyFactory()

    response = client_for(UserFactory()).delete(f"{KEYS}/{key.pk}")

    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_each_key_has_its_own_budget(monkeypatch, settings):
    table = {**SimpleRateThrottle.THROTTLE_RATES, "api_key": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", table)
    owner = UserFactory()
    ApiKeyFactory(user=owner, scopes=["read"], secret="cs_live_budget_a")
    ApiKeyFactory(user=owner, scopes=["read"], secret="cs_live_budget_b")

    first = [key_client("cs_live_budget_a").get(KEYS).status_code for _ in range(3)]
    other = key_client("cs_live_budget_b").get(KEYS).status_code

    assert first == [200, 200, 429]
    assert other == 200


@pytest.mark.django_db
def test_an_expiry_in_the_past_or_beyond_a_year_is_a_400_naming_it():
    api = client_for(UserFactory())
    past = api.post(KEYS, {"name": "ci", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 400 and past.data["code"] == "in_past" and "expires_at" in past.data
    late = (timezone.now() + timedelta(days=400)).isoformat()
    far = api.post(KEYS, {"name": "ci", "scopes": ["read"], "expires_at": late}, format="json")
    assert far.status_code == 400 and far.data["code"] == "too_long" and "expires_at" in far.data
    assert not ApiKey.objects.exists()
