"""Idempotency-Key with Stripe's semantics on money-moving POSTs."""

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Donation, Payment
from billing.providers.sandbox import LEDGER
from community_service.api.idempotency import IdempotencyKey, IdempotencyStatus, idempotency_prune
from tests.billing.helpers import money_post
from tests.billing.world import World, build_world
from tests.concurrency import run_concurrently
from tests.routes import url_for

DONATION = {"amount": "12.34", "currency": "EUR", "message": "Thanks"}


@pytest.fixture
def world(db) -> World:
    return build_world()


def donate(world: World, key: str, body: dict | None = None, actor: str = "member"):
    return money_post(world.client(actor), url_for("donation-list", community_pk=world.community.pk), body or DONATION,
                      key=key)


def mine(world: World, actor: str = "member"):
    return Donation.objects.filter(donor=world.users[actor])


def test_without_a_key_each_donation_is_its_own_attempt(world):
    # The seed's route takes no key: a client written to it donates, twice if it posts twice.
    url = url_for("donation-list", community_pk=world.community.pk)
    first, second = (world.client("member").post(url, DONATION, format="json") for _ in range(2))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"] and second.get("Idempotent-Replayed") is None
    assert mine(world).count() == 2 and len(LEDGER.charges) == 2
    assert not IdempotencyKey.objects.exists()


def test_without_a_key_subscribing_and_upgrading_run_and_a_retry_is_refused_by_the_state(world):
    subscribe_url = url_for("subscription-list", community_pk=world.community.pk)
    first = world.client("member").post(subscribe_url, {"level_id": str(world.level.pk)}, format="json")
    again = world.client("member").post(subscribe_url, {"level_id": str(world.level.pk)}, format="json")
    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "already_subscribed")
    upgrade_url = url_for("subscription-upgrade", subscription_id=first.json()["id"])
    upgraded = world.client("member").post(upgrade_url, {"level_id": str(world.premium.pk)}, format="json")
    retried = world.client("member").post(upgrade_url, {"level_id": str(world.premium.pk)}, format="json")
    assert upgraded.status_code == 200
    assert (retried.status_code, retried.json()["code"]) == (409, "same_level")
    assert len(LEDGER.charges) == 2


def test_renewing_without_a_key_is_a_400_naming_the_header_and_does_nothing(world):
    # Not a seed route, and a blind retry would pay for a second period: the key stays required.
    url = url_for("subscription-renew", subscription_id=world.subscription.pk)
    response = world.client("subscriber").post(url, {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "required")
    assert response.json()["Idempotency-Key"] == ["Send an Idempotency-Key header (e.g. a UUID) with this request."]
    assert not Payment.objects.filter(subscription=world.subscription).exists() and LEDGER.calls == 0


@pytest.mark.parametrize("key", ["é" * 3, "", "a b", "k" * 256])
def test_a_malformed_key_is_a_400_naming_the_header_even_where_a_key_is_optional(world, key):
    response = world.client("member").post(url_for("donation-list", community_pk=world.community.pk), DONATION,
                                           format="json", HTTP_IDEMPOTENCY_KEY=key)
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid") and body["detail"].startswith("Idempotency-Key:")
    assert not mine(world).exists() and LEDGER.calls == 0


def test_the_schema_marks_the_key_optional_on_seed_routes_and_required_on_renew(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    def header(path: str) -> dict:
        [parameter] = [p for p in schema["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
        return parameter

    for path in ("/api/v1/communities/{community_pk}/donations", "/api/v1/communities/{community_pk}/subscriptions",
                 "/api/v1/subscriptions/{subscription_id}/upgrade"):
        assert not header(path).get("required") and "Without a key" in header(path)["description"]
    assert header("/api/v1/subscriptions/{subscription_id}/renew")["required"] is True


def test_one_key_sent_ten_times_gives_one_donation_one_charge_and_identical_replies(world):
    key = str(uuid.uuid4())
    responses = [donate(world, key) for _ in range(10)]
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert [r.get("Idempotent-Replayed") for r in responses] == [None] + ["true"] * 9
    assert mine(world).count() == 1 and Payment.objects.filter(donation__donor=world.users["member"]).count() == 1
    assert len(LEDGER.charges) == 1 and LEDGER.calls == 1


def test_json_key_order_and_spacing_do_not_make_another_request(world):
    key = str(uuid.uuid4())
    first = donate(world, key, {"amount": "12.34", "currency": "EUR"})
    again = world.client("member").generic("POST", url_for("donation-list", community_pk=world.community.pk),
                                           '{ "currency" : "EUR", "amount": "12.34" }',
                                           content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.content == first.content


def test_the_same_key_with_another_body_is_a_422(world):
    key = str(uuid.uuid4())
    assert donate(world, key).status_code == 201
    other = donate(world, key, {**DONATION, "amount": "99.00"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert mine(world).count() == 1


def test_keys_belong_to_their_user(world):
    key = str(uuid.uuid4())
    assert donate(world, key).status_code == 201
    assert donate(world, key, actor="admin").get("Idempotent-Replayed") is None
    assert mine(world, "admin").count() == 1 and len(LEDGER.charges) == 2


def test_a_declined_payment_is_replayed_not_charged_again(world):
    key = str(uuid.uuid4())
    body = {**DONATION, "payment_method": "pm_sandbox_decline"}
    first, second = donate(world, key, body), donate(world, key, body)
    assert first.status_code == second.status_code == 402 and first.content == second.content
    assert LEDGER.calls == 1


def test_a_request_still_running_with_the_key_is_a_409_with_retry_after(world):
    key = str(uuid.uuid4())
    first = donate(world, key)
    # As if the first request were still running.
    IdempotencyKey.objects.filter(key=key).update(status=IdempotencyStatus.IN_PROGRESS, created_at=timezone.now())
    running = donate(world, key)
    assert (running.status_code, running.json()["code"], running["Retry-After"]) == (409, "idempotency_in_progress",
                                                                                      "1")
    assert first.status_code == 201 and mine(world).count() == 1 and LEDGER.calls == 1


def test_an_abandoned_claim_is_taken_over_after_the_timeout_and_resumes_what_the_dead_process_paid(world, settings):
    key = str(uuid.uuid4())
    first = donate(world, key)
    # As if the process died after the payment committed, before it stored the answer.
    IdempotencyKey.objects.filter(key=key).update(
        status=IdempotencyStatus.IN_PROGRESS,
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_IN_PROGRESS_TIMEOUT + 1))
    again = donate(world, key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert mine(world).count() == 1 and len(LEDGER.charges) == 1


def test_results_are_kept_24_hours_then_the_key_is_free_and_pruned(world):
    key = str(uuid.uuid4())
    donate(world, key)
    row = IdempotencyKey.objects.get(key=key)
    assert row.expires_at - row.created_at >= timedelta(hours=24) and row.status == IdempotencyStatus.DONE
    IdempotencyKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Payment.objects.filter(idempotency_key=key).update(created_at=row.created_at - timedelta(hours=24))  # as old
    assert donate(world, key).get("Idempotent-Replayed") is None and mine(world).count() == 2
    IdempotencyKey.objects.filter(key=key).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_prune() == 1 and not IdempotencyKey.objects.filter(key=key).exists()


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twenty_times_at_once_gives_one_donation_one_charge_and_identical_replies():
    world = build_world()
    key = str(uuid.uuid4())

    def client_retrying() -> object:
        # A well-behaved client: on 409 (first request still running) it waits and retries.
        for _ in range(200):
            response = donate(world, key)
            if response.status_code != 409:
                return response
            time.sleep(0.02)
        raise AssertionError("never settled")

    responses = run_concurrently([client_retrying for _ in range(20)])
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") is None for r in responses) == 1
    assert mine(world).count() == 1 and len(LEDGER.charges) == 1 and LEDGER.calls == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_get_409_while_one_runs():
    world = build_world()
    key = str(uuid.uuid4())
    responses = run_concurrently([lambda: donate(world, key) for _ in range(20)])
    codes = {r.status_code for r in responses}
    assert codes <= {201, 409} and 201 in codes
    assert mine(world).count() == 1 and LEDGER.calls == 1
