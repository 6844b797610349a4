"""Who the login limits count: the real client (not its X-Forwarded-For claims) and the account."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from members.services import login_attempts
from tests.factories import TEST_PASSWORD
from tests.routes import url_for

pytestmark = pytest.mark.django_db

TOKEN = url_for("auth-token")
WINDOW_START = 1_800_000_000.0  # a multiple of the 300 s window: no window ends mid-test


@pytest.fixture
def auth_rate_3_per_min(monkeypatch, settings):
    # Rates are read when the throttle classes load; set both the class and the setting.
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "auth": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def clock(monkeypatch):
    now = {"t": WINDOW_START}
    monkeypatch.setattr(login_attempts.time, "time", lambda: now["t"])
    return now


def _wrong(client, email: str, **extra: str) -> int:
    return client.post(TOKEN, {"email": email, "password": "not-the-password"}, **extra).status_code


def test_a_forged_x_forwarded_for_does_not_reset_the_address_limit(client, user, auth_rate_3_per_min):
    assert [_wrong(client, user.email) for _ in range(3)] == [401, 401, 401]
    # Without trusted proxies (NUM_PROXIES=0) the header is the client's own claim: ignored.
    forged = [_wrong(client, f"other{i}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(5)]
    assert forged == [429] * 5


def test_behind_one_proxy_the_real_client_is_limited_and_its_neighbours_are_not(
    client, user, auth_rate_3_per_min, settings
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from our nginx
    # The client prepends forged hops; nginx appends the address it really saw.
    attacker = [
        _wrong(client, f"victim{i}@example.com", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.66", **proxy)
        for i in range(5)
    ]
    assert attacker == [401, 401, 401, 429, 429]
    neighbour = _wrong(client, user.email, HTTP_X_FORWARDED_FOR="192.0.2.67", **proxy)
    assert neighbour == 401


def test_one_account_guessed_from_25_addresses_is_refused_long_before_the_25th(client, user, clock, settings):
    statuses = [_wrong(client, user.email, REMOTE_ADDR=f"203.0.113.{i}") for i in range(25)]
    limit = settings.LOGIN_FAILURE_LIMIT
    assert statuses == [401] * limit + [429] * (25 - limit)
    response = client.post(TOKEN, {"email": user.email, "password": "still-wrong"}, REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429 and response.data["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS


def test_the_account_limit_counts_the_email_however_it_is_spelled(client, user, clock, settings):
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _wrong(client, user.email.upper() if i % 2 else f"  {user.email}", REMOTE_ADDR=f"203.0.113.{i}")
    assert _wrong(client, user.email, REMOTE_ADDR="203.0.113.200") == 429


def test_a_stranger_locks_an_account_for_one_window_at_most(client, user, clock, settings):
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _wrong(client, user.email, REMOTE_ADDR=f"203.0.113.{i}")
    # While locked, even the right password is refused: otherwise guessing could go on.
    owner = client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR="198.51.100.1")
    assert owner.status_code == 429
    clock["t"] += settings.LOGIN_FAILURE_WINDOW_SECONDS
    owner = client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR="198.51.100.1")
    assert owner.status_code == 200


def test_a_successful_login_clears_the_accounts_failures(client, user, clock, settings):
    for i in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _wrong(client, user.email, REMOTE_ADDR=f"203.0.113.{i}")
    assert client.post(TOKEN, {"email": user.email, "password": TEST_PASSWORD}).status_code == 200
    assert [_wrong(client, user.email, REMOTE_ADDR="203.0.113.50") for _ in range(2)] == [401, 401]


def test_other_accounts_are_not_affected_by_one_accounts_lock(client, user, clock, settings):
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _wrong(client, user.email, REMOTE_ADDR=f"203.0.113.{i}")
    assert _wrong(client, "someone.else@example.com", REMOTE_ADDR="203.0.113.1") == 401
