"""The circuit breaker around the provider: opens after consecutive failures, answers 503
with Retry-After while open (nothing written, nothing charged), half-opens and recovers."""

import time

import pybreaker
import pytest

from billing.models import Donation, DonationStatus, Payment, PaymentStatus
from billing.providers import breaker as breaker_module
from billing.providers.breaker import breaker_for, breaker_retry_after
from billing.providers.sandbox import LEDGER, OK, UNAVAILABLE
from tests.billing.helpers import money_post
from tests.billing.world import World, build_world
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def give(world: World, method: str, actor: str = "member"):
    return money_post(world.client(actor), url_for("donation-list", community_pk=world.community.pk),
                      {"amount": "5.00", "currency": "USD", "payment_method": method})


def test_consecutive_failures_open_the_breaker_and_nothing_is_half_charged(world, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        response = give(world, UNAVAILABLE)
        assert (response.status_code, response.json()["code"]) == (503, "payments_unavailable")
        assert int(response["Retry-After"]) >= 1
    assert breaker_for("sandbox").current_state == pybreaker.STATE_OPEN
    # Every attempt is settled as failed: no charge, no completed donation, no pending leftovers.
    assert not LEDGER.charges
    assert set(Payment.objects.values_list("status", "failure_code")) == {(PaymentStatus.FAILED,
                                                                           "provider_unavailable")}
    assert not Donation.objects.filter(donor=world.users["member"]).exclude(status=DonationStatus.FAILED).exists()


def test_while_open_paying_is_a_503_with_retry_after_and_the_provider_is_not_called(world, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    calls, donations = LEDGER.calls, Donation.objects.count()
    response = give(world, OK)
    assert response.status_code == 503
    assert 1 <= int(response["Retry-After"]) <= settings.BILLING_BREAKER_RESET_SECONDS
    assert LEDGER.calls == calls and Donation.objects.count() == donations  # refused before writing anything
    subscribe = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                           {"level_id": str(world.premium.pk)})
    assert subscribe.status_code == 503 and LEDGER.calls == calls


def test_a_decline_is_an_answer_not_a_failure(world, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX + 2):
        assert give(world, "pm_sandbox_decline").status_code == 402
    assert breaker_for("sandbox").current_state == pybreaker.STATE_CLOSED


def test_after_the_timeout_one_trial_call_closes_it_again(world, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    assert give(world, OK).status_code == 503
    # The opening time is in Redis; a breaker with a short timeout reads the same state.
    settings.BILLING_BREAKER_RESET_SECONDS = 1
    time.sleep(2.1)  # pybreaker stores the opening time in whole seconds
    assert breaker_retry_after("sandbox") is None
    assert give(world, OK).status_code == 201
    assert breaker_for("sandbox").current_state == pybreaker.STATE_CLOSED


def test_a_failed_trial_call_opens_it_again(world, settings):
    settings.BILLING_BREAKER_RESET_SECONDS = 1
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    time.sleep(2.1)
    assert give(world, UNAVAILABLE).status_code == 503
    assert breaker_for("sandbox").current_state == pybreaker.STATE_OPEN
    # Re-opened just now: with the usual timeout, the next call is refused again.
    settings.BILLING_BREAKER_RESET_SECONDS = 30
    calls = LEDGER.calls
    assert give(world, OK).status_code == 503 and LEDGER.calls == calls


def test_every_worker_sees_the_same_state_through_redis(world, settings):
    for _ in range(settings.BILLING_BREAKER_FAIL_MAX):
        give(world, UNAVAILABLE)
    breaker_module._breakers.clear()  # as if another process built its own breaker
    assert breaker_for("sandbox").current_state == pybreaker.STATE_OPEN
    assert give(world, OK).status_code == 503
