"""A dead or hung Redis costs little: after one failure the breaker skips Redis for a while."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import caches

from community_service.cache.redis_breaker import BreakerConnectionPool, BreakerOpen, breaker
from tests.factories import CommunityFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: Redis stuck, not refused."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()


def _cache_at(settings, location: str) -> None:
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": location}}


def test_a_hung_redis_costs_one_socket_timeout_per_window_not_one_per_call(client, settings, hung_redis):
    _cache_at(settings, hung_redis)
    settings.REDIS_BREAKER_SECONDS = 30
    community = CommunityFactory()
    started = time.monotonic()
    for _ in range(10):
        assert client.get(url_for("community-detail", pk=community.pk)).status_code == 200
        assert client.get(url_for("community-list")).status_code == 200
    elapsed = time.monotonic() - started
    # Each request makes several cache calls; without the breaker each would wait 0.5 s.
    assert elapsed < 3, elapsed
    assert breaker.is_open


def test_a_refused_redis_trips_the_breaker_and_later_calls_skip_the_network(settings):
    settings.REDIS_BREAKER_SECONDS = 30
    dead = redis.Redis(connection_pool=BreakerConnectionPool.from_url("redis://127.0.0.1:1/0"))
    with pytest.raises(redis.ConnectionError):
        dead.ping()
    assert breaker.is_open
    started = time.monotonic()
    for _ in range(1000):
        with pytest.raises(BreakerOpen):
            dead.ping()
    assert time.monotonic() - started < 1


def test_after_the_window_redis_is_tried_again_and_success_closes_the_breaker(settings):
    settings.REDIS_BREAKER_SECONDS = 0.2
    dead = redis.Redis(connection_pool=BreakerConnectionPool.from_url("redis://127.0.0.1:1/0"))
    live = redis.Redis(connection_pool=BreakerConnectionPool.from_url(settings.CACHES["default"]["LOCATION"]))
    with pytest.raises(redis.ConnectionError):
        dead.ping()
    with pytest.raises(BreakerOpen):
        live.ping()  # one breaker per process: Redis is one dependency
    time.sleep(0.3)
    assert live.ping() is True
    assert not breaker.is_open


def test_the_cache_reads_as_a_miss_while_the_breaker_is_open(settings):
    settings.REDIS_BREAKER_SECONDS = 30
    caches["default"].set("k", "v")
    breaker.trip(ConnectionError("test: Redis went away"))
    assert caches["default"].get("k") is None
    breaker.close()
    assert caches["default"].get("k") == "v"
