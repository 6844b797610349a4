import jwt
import pytest
from django.conf import settings

from members.models import User
from tests.conftest import client_for, create_test_token
from tests.factories import TEST_PASSWORD, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

REGISTER = url_for("auth-register")
TOKEN = url_for("auth-token")
REFRESH = url_for("auth-token-refresh")
LOGOUT = url_for("auth-logout")
ME = url_for("auth-me")


def _decode(token: str) -> dict:
    return jwt.decode(token, settings.JWT_SECRET_KEY, algorithms=[settings.JWT_ALGORITHM])


def _login(client, user: User) -> dict:
    response = client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.data
    return response.data


def test_register_creates_an_account_and_returns_tokens(client):
    response = client.post(REGISTER, {"email": "new@example.com", "username": "newbie", "password": "s3cure-enough-pw"})
    assert response.status_code == 201
    assert response.data["user"]["email"] == "new@example.com"
    assert User.objects.get(email="new@example.com").check_password("s3cure-enough-pw")
    assert _decode(response.data["access"])["email"] == "new@example.com"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x1x", "password": "s3cure-enough-pw"}, "email"),
        ({"email": "not-an-email", "username": "abc", "password": "s3cure-enough-pw"}, "email"),
        # RFC 5321: a local part of at most 64 characters (Django's validator lets longer ones in).
        ({"email": f"{'a' * 65}@example.com", "username": "abc", "password": "s3cure-enough-pw"}, "email"),
        ({"email": "a@example.com", "username": "a b", "password": "s3cure-enough-pw"}, "username"),
        ({"email": "a@example.com", "username": "abc", "password": "short"}, "password"),
        ({"email": "a@example.com", "username": "abc", "password": "password123"}, "password"),
    ],
)
def test_register_rejects_bad_input_naming_the_field(client, body, field):
    response = client.post(REGISTER, body)
    assert response.status_code == 400
    assert field in response.data
    assert response.data["code"]
    assert not User.objects.exists()


def test_register_refuses_a_taken_email_regardless_of_case_with_409(client):
    UserFactory(email="taken@example.com")
    response = client.post(REGISTER,
                           {"email": "TAKEN@example.com", "username": "other", "password": "s3cure-enough-pw"})
    assert response.status_code == 409
    assert response.data["code"] == "unique"
    assert "email" in response.data


def test_token_carries_the_seed_claims_and_a_short_lifetime(client, user):
    tokens = _login(client, user)
    claims = _decode(tokens["access"])
    assert claims["sub"] == str(user.pk)
    assert claims["email"] == user.email
    assert claims["roles"] == ["user"]
    assert "community.create" in claims["permissions"]
    assert claims["is_superadmin"] is False
    assert claims["exp"] - claims["iat"] <= 15 * 60


def test_token_with_a_wrong_password_is_401(client, user):
    response = client.post(TOKEN, {"email": user.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert response.data["code"] == "no_active_account"


def test_me_returns_the_authenticated_user(auth_client):
    response = auth_client.get(ME)
    assert response.status_code == 200
    assert response.data["id"] == str(auth_client.user.pk)


def test_me_without_a_token_is_401(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_garbage_token_is_401_even_on_public_endpoints(client):
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert client.get(url_for("community-list")).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(client, user):
    tokens = _login(client, user)
    first = client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert first.status_code == 200
    assert first.data["refresh"] != tokens["refresh"]
    assert _decode(first.data["access"])["sub"] == str(user.pk)
    reused = client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert reused.status_code == 401


def test_logout_blacklists_the_refresh_token(client, user):
    tokens = _login(client, user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_logout_refuses_someone_elses_refresh_token(client, user):
    other = _login(client, UserFactory())
    api = client_for(user)
    response = api.post(LOGOUT, {"refresh": other["refresh"]})
    assert response.status_code == 403
    assert "refresh" in response.data
    assert client.post(REFRESH, {"refresh": other["refresh"]}).status_code == 200


def test_logout_with_an_invalid_or_revoked_token_succeeds_like_rfc_7009(client, user):
    tokens = _login(client, user)
    api = client_for(user)
    assert api.post(LOGOUT, {"refresh": "not-a-token"}).status_code == 204
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    assert api.post(LOGOUT, {"refresh": 12345}).status_code == 400


def test_inactive_user_gets_401_on_every_path_including_refresh(client, user):
    tokens = _login(client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get(ME).status_code == 401
    assert client.get(url_for("community-list")).status_code == 401
    client.credentials()
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}).status_code == 401


def test_deleted_user_gets_401_on_refresh_not_500(client, user):
    tokens = _login(client, user)
    user.delete()
    response = client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert response.status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get(ME).status_code == 401


def test_create_test_token_helper_makes_a_superadmin_token(db):
    claims = _decode(create_test_token(is_superadmin=True))
    assert claims["is_superadmin"] is True
    assert User.objects.filter(pk=claims["sub"]).exists()


def test_auth_endpoints_are_throttled_with_retry_after(client, user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "auth": "3/min"})
    statuses = [client.post(TOKEN, {"email": user.email, "password": "wrong"}).status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3] == 429
    response = client.post(TOKEN, {"email": user.email, "password": "wrong"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.data["code"] == "throttled"


def test_a_bearer_request_reads_its_user_from_the_cache_without_the_password_hash(auth_client, user):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.selectors.users import user_cache_key

    assert auth_client.get(ME).status_code == 200
    cached = cache.get(user_cache_key(user.pk))
    assert cached.pk == user.pk and "password" not in cached.__dict__
    with CaptureQueriesContext(connection) as queries:
        assert auth_client.get(ME).json()["id"] == str(user.pk)
    assert not any('"members_user"' in q["sql"] for q in queries.captured_queries)


def test_deactivating_or_deleting_a_user_refuses_their_next_request_at_once(client, django_capture_on_commit_callbacks):
    deactivated, deleted = UserFactory(), UserFactory()
    first, second = client_for(deactivated), client_for(deleted)
    assert first.get(ME).status_code == 200 and second.get(ME).status_code == 200  # both rows now cached
    with django_capture_on_commit_callbacks(execute=True):
        deactivated.is_active = False
        deactivated.save(update_fields=["is_active"])
        deleted.delete()
    assert first.get(ME).status_code == 401
    assert second.get(ME).status_code == 401


def test_a_saved_user_keeps_their_password(auth_client, user, client):
    # The cached row has no password hash: saving it must not write an empty one.
    auth_client.get(ME)
    request_user = auth_client.get(ME).wsgi_request.user
    request_user.first_name = "Renamed"
    request_user.save()
    assert client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}).status_code == 200
