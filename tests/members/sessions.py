"""Sessions as a client app holds them: a login's token pair, a refresh, a login attempt."""

from rest_framework.test import APIClient

from members.models import User
from tests.factories import TEST_PASSWORD
from tests.routes import url_for

TOKEN = url_for("auth-token")
REFRESH = url_for("auth-token-refresh")
ME = url_for("auth-me")


def signed_in(user: User) -> tuple[APIClient, dict]:
    """A client signed in with the user's password (its bearer set), and its token pair."""
    api = APIClient()
    pair = api.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}).json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return api, pair


def refresh_status(pair: dict) -> int:
    """The status of refreshing the pair: 200 while its session lives, 401 once revoked."""
    return APIClient().post(REFRESH, {"refresh": pair["refresh"]}).status_code


def login_status(user: User, password: str) -> int:
    return APIClient().post(TOKEN, {"email": user.email, "password": password}).status_code


def access_answer(pair: dict, path: str = ME) -> tuple[int, str | None]:
    """The status and error code of a GET with the pair's access token: (200, None) while its
    session lives, (401, "token_revoked") once the session ended."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    response = api.get(path)
    return response.status_code, response.json().get("code") if response.status_code >= 400 else None
