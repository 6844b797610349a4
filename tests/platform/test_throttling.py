"""RateThrottle: one Redis round trip, only the scopes that apply, exact under concurrency,
Retry-After on 429, and requests still served when Redis is down."""

import threading

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_redis import get_redis_connection
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from community_service.api.throttling import RateThrottle
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMUNITIES = "/api/v1/communities"


@pytest.fixture
def rates(monkeypatch, settings):
    def set_rates(**overrides: str) -> None:
        table = {**SimpleRateThrottle.THROTTLE_RATES, **overrides}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", table)
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": table}

    return set_rates


class _Scoped(APIView):
    throttle_scope = "auth"


def _request(user=None, addr: str = "198.51.100.7"):
    request = APIRequestFactory().get("/", REMOTE_ADDR=addr)
    if user is not None:
        force_authenticate(request, user)
    return APIView().initialize_request(request)


def test_anonymous_callers_hit_the_anon_budget_and_then_get_429_with_retry_after(client, rates):
    rates(anon="3/min")
    statuses = [client.get(COMMUNITIES).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = client.get(COMMUNITIES)
    assert response.data["code"] == "throttled"
    # A burst of 3 per minute: the next slot opens 20 s after the first request.
    assert 0 < int(response["Retry-After"]) <= 20


def test_a_user_is_counted_by_the_user_scope_only(rates):
    rates(anon="1/min", user="2/min")
    api = client_for(UserFactory())
    assert [api.get(COMMUNITIES).status_code for _ in range(3)] == [200, 200, 429]
    keys = sorted(key.decode() for key in get_redis_connection("default").keys("*throttle*"))
    assert len(keys) == 1 and ":throttle:user:" in keys[0], keys


def test_one_request_is_one_redis_command_whatever_the_scopes(rates, monkeypatch):
    import redis

    rates(anon="100/min", auth="50/min")
    throttle = RateThrottle()
    throttle.allow_request(_request(), _Scoped())  # the first call may also load the script
    sent: list[str] = []
    real = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return real(self, *args, **options)

    with monkeypatch.context() as patched:
        patched.setattr(redis.Redis, "execute_command", counting)
        for _ in range(5):
            assert throttle.allow_request(_request(), _Scoped())
    assert sent == ["EVALSHA"] * 5
    # Both scopes were counted by that one script.
    keys = sorted(key.decode().rsplit(":throttle:", 1)[1] for key in get_redis_connection("default").keys("*throttle*"))
    assert keys == ["anon:198.51.100.7", "auth:198.51.100.7"]


def test_every_scope_must_allow_and_a_refusal_counts_nowhere(rates):
    rates(anon="2/min", auth="5/min")
    throttle = RateThrottle()
    results = [throttle.allow_request(_request(), _Scoped()) for _ in range(4)]
    assert results == [True, True, False, False]
    assert 0 < throttle.wait() <= 30
    # The auth scope counted only the two requests let through: 3 more fit once anon allows.
    rates(anon="100/min", auth="5/min")
    redis = get_redis_connection("default")
    redis.delete(*redis.keys("*throttle:anon:*"))
    assert [throttle.allow_request(_request(), _Scoped()) for _ in range(4)] == [True, True, True, False]


def test_the_rate_is_exact_under_concurrency(rates):
    rates(anon="25/min")
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def hammer() -> None:
        throttle = RateThrottle()
        start.wait()
        for _ in range(10):
            ok = throttle.allow_request(_request(addr="192.0.2.50"), APIView())
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 160
    assert allowed.count(True) == 25


def test_addresses_are_counted_apart_and_forged_forwarded_for_is_ignored(rates):
    rates(anon="1/min")
    throttle = RateThrottle()
    assert throttle.allow_request(_request(addr="203.0.113.1"), APIView())
    assert throttle.allow_request(_request(addr="203.0.113.2"), APIView())
    forged = APIRequestFactory().get("/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert not throttle.allow_request(APIView().initialize_request(forged), APIView())


def test_with_redis_down_requests_pass_unthrottled(rates, settings):
    rates(anon="1/min")
    CommunityFactory(owner=UserFactory())
    dead = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": dead}):
        from rest_framework.test import APIClient

        api = APIClient()
        statuses = [api.get(COMMUNITIES).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_without_redis_the_same_budget_holds_over_the_local_cache(rates):
    rates(anon="2/min")
    # Not a stand-in for Redis: the local-memory cache is the product's own embedded default
    # (`make run` without REDIS_URL, settings/cache.py), and this is the throttle's path there.
    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local):
        cache.clear()
        throttle = RateThrottle()
        assert [throttle.allow_request(_request(), APIView()) for _ in range(3)] == [True, True, False]
        assert 0 < throttle.wait() <= 30


def test_on_community_routes_the_throttle_decides_before_the_permission_checks(rates):
    # Its round trip brings what the checks read; a refused request counts like any other.
    rates(user="2/min")
    community = CommunityFactory()
    outsider = client_for(UserFactory())  # no member.ban: 403 on the bans list
    bans = f"{COMMUNITIES}/{community.pk}/bans"
    assert [outsider.get(bans).status_code for _ in range(3)] == [403, 403, 429]
