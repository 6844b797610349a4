"""Who may create communities: COMMUNITY_CREATE_POLICY (everyone, staff, granted) and the
console's "May create communities" permission, enforced in community_create."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from communities.models import CREATE_COMMUNITIES, Community
from communities.services import community_create
from community_service.exceptions import PermissionDenied
from members.models import User
from members.tokens import token_pair_for
from tests.conftest import client_for
from tests.console.test_service_writes import form_post
from tests.factories import UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

LIST = url_for("community-list")


def _create_permission() -> Permission:
    return Permission.objects.get(codename=CREATE_COMMUNITIES, content_type__app_label="communities")


def _granted(user: User) -> User:
    user.user_permissions.add(_create_permission())
    return User.objects.get(pk=user.pk)  # a fresh row: has_perm caches what it read


def _in_group(user: User) -> User:
    group = Group.objects.create(name="Community founders")  # about creation: Django's auth Group, no factory of ours
    group.permissions.add(_create_permission())
    user.groups.add(group)
    return User.objects.get(pk=user.pk)


def _claims(user: User) -> list[str]:
    from rest_framework_simplejwt.tokens import AccessToken

    return AccessToken(token_pair_for(user)["access"])["permissions"]


def test_by_default_every_account_creates_communities_and_its_token_says_so(settings):
    assert settings.COMMUNITY_CREATE_POLICY == "everyone"
    user = UserFactory()
    assert client_for(user).post(LIST, {"name": "Open"}).status_code == 201
    assert _claims(user) == ["community.create"]


@pytest.mark.parametrize(("policy", "make", "allowed"), [
    ("staff", lambda: UserFactory(), False),
    ("staff", lambda: UserFactory(is_staff=True), True),
    ("staff", lambda: UserFactory(is_superuser=True), True),
    ("granted", lambda: UserFactory(), False),
    ("granted", lambda: UserFactory(is_staff=True), False),  # staff are not granted by being staff
    ("granted", lambda: _granted(UserFactory()), True),
    ("granted", lambda: _in_group(UserFactory()), True),
    ("granted", lambda: UserFactory(is_superuser=True), True),
], ids=["staff-user", "staff-staff", "staff-superuser", "granted-user", "granted-staff", "granted-direct",
        "granted-group", "granted-superuser"])
def test_the_policy_decides_who_creates_over_rest(settings, policy, make, allowed):
    settings.COMMUNITY_CREATE_POLICY = policy
    user = make()
    response = client_for(user).post(LIST, {"name": "Mine"})
    if allowed:
        assert response.status_code == 201
        assert Community.objects.filter(owner=user).exists()
    else:
        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"
        assert "create communities" in response.data["detail"]
        assert not Community.objects.exists()
    # The token's permissions say the same, so a client can hide the button.
    assert _claims(user) == (["community.create"] if allowed else [])


def test_the_service_refuses_every_caller_not_just_the_rest_api(settings):
    """gRPC has no CreateCommunity; whatever calls community_create meets the same rule."""
    settings.COMMUNITY_CREATE_POLICY = "staff"
    with pytest.raises(PermissionDenied) as refused:
        community_create(owner=UserFactory(), name="Side door", community_type="public")
    assert refused.value.code == "permission_denied"
    assert not Community.objects.exists()


def test_an_operator_grants_it_on_the_users_console_page(settings):
    settings.COMMUNITY_CREATE_POLICY = "granted"
    user = UserFactory()
    assert client_for(user).post(LIST, {"name": "Before"}).status_code == 403
    console = Client()
    console.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = console.get(reverse("admin:members_user_change", args=[user.pk]))
    assert "May create communities" in page.content.decode()
    saved = form_post(console, reverse("admin:members_user_change", args=[user.pk]), may_create_communities=True)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert client_for(User.objects.get(pk=user.pk)).post(LIST, {"name": "After"}).status_code == 201
