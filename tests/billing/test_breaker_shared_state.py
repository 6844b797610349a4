"""The breaker's state is one for every process of a deployment: with Redis, and without it
through the file cache `make run` shares (CACHE_DIR), so `manage.py reset_payment_breaker`
in a second terminal closes the breaker of the running server.

Here the pytest process is the server (payments over HTTP) and the other process is a real
`manage.py` started with the same settings."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pybreaker
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from billing.providers.breaker_storage import CircuitCacheStorage
from billing.providers.sandbox import LEDGER, OK, UNAVAILABLE
from tests.billing.helpers import money_post
from tests.billing.world import World, build_world
from tests.routes import url_for

pytestmark = pytest.mark.django_db

FAIL_ONCE = """
from billing.providers.base import ProviderUnavailable
from billing.providers.breaker import breaker_call, breaker_for

def down():
    raise ProviderUnavailable("provider down")

try:
    breaker_call("sandbox", down)
except Exception:
    pass
print(breaker_for("sandbox").current_state)
"""


def file_cache(location: Path) -> dict:
    # What settings/cache.py builds from CACHE_DIR without REDIS_URL (as under `make run`).
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(location),
                        "TIMEOUT": django_settings.CACHE_DEFAULT_TTL}}


@pytest.fixture(params=["file cache", "redis"])
def other_process_env(request, settings, tmp_path) -> dict[str, str]:
    """Point this process at the shared storage and return the environment of another process that shares it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test"}
    if request.param == "file cache":
        settings.REDIS_URL = ""
        settings.CACHES = file_cache(tmp_path)
        env.update(REDIS_URL="", CACHE_DIR=str(tmp_path))
    else:
        env.update(REDIS_URL=settings.REDIS_URL, CACHE_KEY_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""))
    return env


def in_other_process(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=django_settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


@pytest.fixture
def world() -> World:
    return build_world()


def give(world: World, method: str):
    return money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                      {"amount": "5.00", "currency": "USD", "payment_method": method})


def test_the_reset_command_in_another_process_closes_the_servers_open_breaker(world, other_process_env, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    assert give(world, OK).status_code == 503

    said = in_other_process(other_process_env, "reset_payment_breaker", "sandbox")

    assert said == "sandbox: open -> closed"  # it saw the state this process opened
    # This process's own breaker object (not a new one) lets the payment through.
    assert give(world, OK).status_code == 201 and len(LEDGER.charges) == 1


def test_failures_in_two_processes_add_up_and_open_it_for_both(world, other_process_env, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX - 1):
        assert give(world, UNAVAILABLE).status_code == 503

    state_there = in_other_process(other_process_env, "shell", "--no-imports", "-c", FAIL_ONCE)

    assert state_there == pybreaker.STATE_OPEN  # its one failure was the last one this process's count needed
    calls = LEDGER.calls
    refused = give(world, OK)
    assert refused.status_code == 503 and int(refused["Retry-After"]) >= 1 and LEDGER.calls == calls


def test_without_a_shared_cache_another_process_sees_its_own_breaker(world, settings):
    # The control: local memory (no Redis, no CACHE_DIR) is one process's state, and the tests
    # above would fail with it.
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", "REDIS_URL": "",
           "CACHE_DIR": ""}
    assert in_other_process(env, "reset_payment_breaker", "sandbox") == "sandbox: closed -> closed"
    assert give(world, OK).status_code == 503


def test_the_reset_command_refuses_an_unknown_provider_and_resets_all_by_default(settings):
    with pytest.raises(CommandError, match="unknown provider.*nope"):
        call_command("reset_payment_breaker", "nope")
    out = StringIO()
    call_command("reset_payment_breaker", stdout=out)
    assert out.getvalue().splitlines() == [f"{name}: closed -> closed" for name in settings.BILLING_PROVIDERS]


def test_on_the_file_cache_counters_count_and_a_lost_state_reads_closed(settings, tmp_path):
    settings.CACHES = file_cache(tmp_path)
    storage = CircuitCacheStorage(pybreaker.STATE_CLOSED, namespace="test:breaker")
    for _ in range(3):
        storage.increment_counter()
    storage.increment_success_counter()
    assert (storage.counter, storage.success_counter) == (3, 1)
    storage.reset_counter()
    storage.state = pybreaker.STATE_OPEN
    assert (storage.counter, CircuitCacheStorage(pybreaker.STATE_CLOSED, namespace="test:breaker").state) == (
        0, pybreaker.STATE_OPEN)  # a process starting later does not close it
    cache.clear()
    assert (storage.state, storage.counter, storage.opened_at) == (pybreaker.STATE_CLOSED, 0, None)


def test_the_opening_time_only_moves_forward(settings, tmp_path):
    settings.CACHES = file_cache(tmp_path)
    storage = CircuitCacheStorage(pybreaker.STATE_CLOSED, namespace="test:breaker")
    now = datetime.now(UTC)
    storage.opened_at = now
    storage.opened_at = now - timedelta(seconds=10)  # a late writer with an older clock
    assert storage.opened_at == now


def test_where_the_cache_has_an_atomic_incr_no_concurrent_failure_is_lost():
    # The tests' default cache is Redis (django-redis), whose incr is atomic; the file cache's is not (documented).
    storage = CircuitCacheStorage(pybreaker.STATE_CLOSED, namespace="test:breaker")
    storage.reset_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: storage.increment_counter(), range(200)))
    assert storage.counter == 200
