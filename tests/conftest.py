"""Shared fixtures: `client`, `auth_client` and the seed's `create_test_token` helper."""

import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from community_service.cache.redis_breaker import breaker as redis_breaker
from members.models import User
from members.tokens import user_claims
from tests.factories import UserFactory


def create_test_token(user_id: uuid.UUID | str | None = None, *, is_superadmin: bool = False) -> str:
    """An access token with the seed's claims for `user_id` (the user is created if new)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        user = UserFactory(**({"id": user_id} if user_id else {}))
    token = AccessToken.for_user(user)
    for claim, value in user_claims(user).items():
        token[claim] = value
    token["is_superadmin"] = is_superadmin
    return str(token)


def client_for(user: User, *, is_superadmin: bool = False) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_test_token(user.pk, is_superadmin=is_superadmin)}")
    api.user = user
    return api


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    # Tests share one Redis database; start each from an empty cache (and throttle state).
    # A test that made Redis unreachable must not leave the breaker open for the next one.
    redis_breaker.open_until = 0.0
    cache.clear()


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return UserFactory()


@pytest.fixture
def auth_client(user: User) -> APIClient:
    return client_for(user)


@pytest.fixture
def superadmin_client(db) -> APIClient:
    return client_for(UserFactory(), is_superadmin=True)
