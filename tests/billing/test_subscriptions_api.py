"""Subscriptions: subscribe, list, cancel, renew, upgrade (remaining-time rule), expiry."""

import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Payment, PaymentStatus, Subscription, SubscriptionLevel, SubscriptionStatus
from billing.providers.sandbox import LEDGER
from billing.services.subscriptions import upgrade_quote
from billing.tasks import subscriptions_expire_task
from community_service.contracts.entitlements import held_level_ids
from tests.billing.helpers import events, money_post
from tests.billing.world import World, build_world, level_create, subscription_active
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommunityFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def subscribe(world: World, actor: str = "member", level: SubscriptionLevel | None = None, **body: object):
    level = level or world.premium
    return money_post(world.client(actor), url_for("subscription-list", community_pk=world.community.pk),
                      {"level_id": str(level.pk), **body})


def test_the_seed_list_shows_the_levels_on_offer_in_order(world):
    level_create(world.community, name="Old", is_active=False)
    body = world.client("anonymous").get(url_for("subscription-list", community_pk=world.community.pk)).json()
    assert [item["name"] for item in body["items"]] == ["Supporter", "Premium"] and body["total"] == 2
    assert body["items"][0]["price"] == "5.00" and body["items"][0]["currency"] == "USD"


def test_subscribing_pays_the_first_period_and_publishes_subscription_started(world):
    before = timezone.now()
    response = subscribe(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active" and body["has_access"] is True and body["level"]["name"] == "Premium"
    assert body["payment"]["amount"] == "15.00" and body["payment"]["status"] == "completed"
    subscription = Subscription.objects.get(pk=body["id"])
    assert subscription.starts_at >= before
    assert subscription.expires_at == subscription.starts_at + timedelta(days=30)
    [event] = events("subscription.started", subscription_id=str(subscription.pk))
    assert event.payload["amount"] == "15.00" and event.payload["level_id"] == str(world.premium.pk)
    assert held_level_ids(user_id=world.users["member"].pk) == {world.premium.pk}


@pytest.mark.parametrize("level_id,code", [("missing", "does_not_exist"), ("inactive", "level_inactive"),
                                           ("elsewhere", "does_not_exist"), ("not-a-uuid", "invalid")])
def test_a_level_that_cannot_be_bought_here_is_refused_naming_level_id(world, level_id, code):
    ids = {"missing": uuid.uuid4(), "not-a-uuid": "not-a-uuid",
           "inactive": level_create(world.community, name="Old", is_active=False).pk,
           "elsewhere": level_create(CommunityFactory(), name="Other").pk}
    response = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                          {"level_id": str(ids[level_id])})
    # An id naming no level of this community is a 400 on the field (404 is for the path), a level
    # not offered any more a 409 (its state refuses it, as renewing it is), a malformed id a 400.
    expected = {"does_not_exist": 400, "level_inactive": 409, "invalid": 400}[code]
    assert response.status_code == expected and response.json()["code"] == code and "level_id" in response.json()
    assert not Subscription.objects.filter(user=world.users["member"]).exists() and LEDGER.calls == 0


def test_a_second_live_subscription_in_a_community_is_a_409_and_the_database_refuses_it_too(world):
    assert subscribe(world, "subscriber").json()["code"] == "already_subscribed"
    with pytest.raises(IntegrityError), transaction.atomic():
        # about creation: the database itself refuses a second live subscription.
        Subscription.objects.create(level=world.premium, user=world.users["subscriber"], community=world.community)
    assert LEDGER.calls == 0


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_subscribes_with_different_keys_make_one_subscription_and_one_charge():
    world = build_world()
    api = world.client("member")
    responses = run_concurrently([lambda: subscribe(world, "member") for _ in range(10)])
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, codes
    assert Subscription.objects.filter(user=world.users["member"]).count() == 1
    assert len(LEDGER.charges) == 1 and api is not None


def test_a_declined_first_payment_fails_the_subscription_which_then_no_longer_blocks(world):
    response = subscribe(world, payment_method="pm_sandbox_decline")
    assert (response.status_code, response.json()["code"]) == (402, "payment_declined")
    failed = Subscription.objects.get(user=world.users["member"])
    assert failed.status == SubscriptionStatus.FAILED and failed.ended_at is not None
    assert events("payment.failed", purpose="subscription_start")
    assert subscribe(world).status_code == 201


def test_my_subscriptions_lists_every_community_with_constant_queries(world):
    api = world.client("subscriber")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url_for("my-subscriptions"))
        assert response.status_code == 200
        return len(queries)

    api.get(url_for("my-subscriptions"))  # warm the caller's cached user row
    small = count()
    for _ in range(5):
        other = CommunityFactory()
        subscription_active(level_create(other), world.users["subscriber"])
    assert count() == small
    items = api.get(url_for("my-subscriptions")).json()["items"]
    assert len(items) == 6 and all(item["has_access"] for item in items)


def test_cancel_keeps_access_until_expiry_and_is_idempotent(world):
    url = url_for("subscription-cancel", subscription_id=world.subscription.pk)
    first = world.client("subscriber").post(url)
    assert first.status_code == 200 and first.json()["status"] == "cancelled" and first.json()["has_access"]
    assert world.client("subscriber").post(url).status_code == 200
    assert len(events("subscription.cancelled", subscription_id=str(world.subscription.pk))) == 1
    assert held_level_ids(user_id=world.users["subscriber"].pk) == {world.level.pk}


def test_renewal_adds_a_period_after_the_time_already_paid_and_reactivates_a_cancelled_one(world):
    world.client("subscriber").post(url_for("subscription-cancel", subscription_id=world.subscription.pk))
    old_expiry = Subscription.objects.get(pk=world.subscription.pk).expires_at
    response = money_post(world.client("subscriber"),
                          url_for("subscription-renew", subscription_id=world.subscription.pk))
    assert response.status_code == 200, response.content
    subscription = Subscription.objects.get(pk=world.subscription.pk)
    assert subscription.status == SubscriptionStatus.ACTIVE and subscription.cancelled_at is None
    assert subscription.expires_at == old_expiry + timedelta(days=30)
    assert response.json()["payment"]["amount"] == "5.00"
    assert events("subscription.renewed", subscription_id=str(subscription.pk))


def test_renewing_an_archived_level_or_an_ended_subscription_is_a_409(world):
    SubscriptionLevel.objects.filter(pk=world.level.pk).update(is_active=False)
    url = url_for("subscription-renew", subscription_id=world.subscription.pk)
    assert money_post(world.client("subscriber"), url).json()["code"] == "level_inactive"
    SubscriptionLevel.objects.filter(pk=world.level.pk).update(is_active=True)
    Subscription.objects.filter(pk=world.subscription.pk).update(status="expired", ended_at=timezone.now())
    assert money_post(world.client("subscriber"), url).json()["code"] == "invalid_transition"
    assert LEDGER.calls == 0


def test_upgrade_takes_effect_now_and_credits_the_unused_time_at_the_old_price(world):
    # 20 of 30 days left on a 5.00 level: 5.00 × 20/30 = 3.33 credit (rounded down), 15.00 − 3.33 = 11.67.
    response = money_post(world.client("subscriber"),
                          url_for("subscription-upgrade", subscription_id=world.subscription.pk),
                          {"level_id": str(world.premium.pk)})
    assert response.status_code == 200, response.content
    payment = Payment.objects.get(subscription=world.subscription, purpose="subscription_upgrade")
    assert (payment.amount, payment.credit) == (Decimal("11.67"), Decimal("3.33"))
    subscription = Subscription.objects.get(pk=world.subscription.pk)
    assert subscription.level_id == world.premium.pk
    assert subscription.expires_at == subscription.starts_at + timedelta(days=30)
    assert held_level_ids(user_id=world.users["subscriber"].pk) == {world.premium.pk}
    [event] = events("subscription.upgraded", subscription_id=str(subscription.pk))
    assert (event.payload["credit"], event.payload["amount"], event.payload["previous_level_id"]) == (
        "3.33", "11.67", str(world.level.pk))


def test_the_upgrade_quote_never_credits_more_than_was_paid():
    now = timezone.now()
    cheap = SubscriptionLevel(price=Decimal("10.00"), currency="USD", duration_days=30)
    dear = SubscriptionLevel(price=Decimal("10.01"), currency="USD", duration_days=30)
    quote = upgrade_quote(current=cheap, target=dear, expires_at=now + timedelta(days=30), now=now)
    assert quote == type(quote)(credit=Decimal("10.00"), amount=Decimal("0.01"))
    gone = upgrade_quote(current=cheap, target=dear, expires_at=now - timedelta(days=1), now=now)
    assert gone.credit == Decimal("0.00") and gone.amount == Decimal("10.01")


@pytest.mark.parametrize("target,status,code", [
    ("cheaper", 409, "not_an_upgrade"), ("same", 409, "same_level"), ("euro", 409, "currency_mismatch"),
    ("inactive", 409, "level_inactive"), ("elsewhere", 400, "does_not_exist"), ("missing", 400, "does_not_exist"),
])
def test_an_upgrade_must_go_to_a_dearer_offered_level_of_the_community_in_the_same_currency(world, target, status,
                                                                                            code):
    levels = {"cheaper": level_create(world.community, name="Cheap", price="1.00"), "same": world.level,
              "euro": level_create(world.community, name="Euro", price="50.00", currency="EUR"),
              "inactive": level_create(world.community, name="Gone", price="50.00", is_active=False),
              "elsewhere": level_create(CommunityFactory(), name="Other", price="50.00"),
              "missing": SubscriptionLevel(pk=uuid.uuid4())}
    response = money_post(world.client("subscriber"),
                          url_for("subscription-upgrade", subscription_id=world.subscription.pk),
                          {"level_id": str(levels[target].pk)})
    assert response.status_code == status and response.json()["code"] == code and "level_id" in response.json()
    assert Subscription.objects.get(pk=world.subscription.pk).level_id == world.level.pk
    assert not Payment.objects.filter(subscription=world.subscription, purpose="subscription_upgrade").exists()
    assert LEDGER.calls == 0


def test_the_sweep_ends_what_is_past_expiry_publishes_subscription_ended_and_the_command_prints_it(world):
    past = timezone.now() - timedelta(seconds=1)
    Subscription.objects.filter(pk=world.subscription.pk).update(expires_at=past)
    cancelled = subscription_active(level_create(world.community, name="Extra"), world.users["member"],
                                    status=SubscriptionStatus.CANCELLED)
    Subscription.objects.filter(pk=cancelled.pk).update(expires_at=past)
    # Access ends at expires_at even before the sweep runs.
    assert held_level_ids(user_id=world.users["subscriber"].pk) == frozenset()
    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    printed = out.getvalue()
    assert f"ended {world.subscription.pk}" in printed and "reason=expired" in printed
    assert f"ended {cancelled.pk}" in printed and "reason=cancelled" in printed
    assert printed.strip().endswith("2 subscription(s) ended.")
    expired = Subscription.objects.get(pk=world.subscription.pk)
    assert expired.status == SubscriptionStatus.EXPIRED and expired.ended_at is not None
    assert Subscription.objects.get(pk=cancelled.pk).status == SubscriptionStatus.CANCELLED
    assert {e.payload["reason"] for e in events("subscription.ended")} == {"expired", "cancelled"}
    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    assert out.getvalue().strip() == "0 subscription(s) ended."
    # The user may subscribe again once it has ended.
    assert subscribe(world, "subscriber").status_code == 201


def test_the_beat_task_runs_the_same_sweep(world):
    Subscription.objects.filter(pk=world.subscription.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    subscriptions_expire_task()
    assert Subscription.objects.get(pk=world.subscription.pk).status == SubscriptionStatus.EXPIRED


def test_managers_read_a_subscription_but_only_its_subscriber_changes_it(world):
    url = url_for("subscription-detail", subscription_id=world.subscription.pk)
    assert world.client("admin").get(url).json()["status"] == "active"
    refused = world.client("admin").post(f"{url}/cancel")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_subscriber")
    assert world.client("member").get(url).status_code == 404
    unknown = url_for("subscription-detail", subscription_id=uuid.uuid4())
    assert client_for(world.users["subscriber"]).get(unknown).status_code == 404


def test_payment_is_recorded_once_per_operation(world):
    subscribe(world)
    assert Payment.objects.filter(user=world.users["member"], status=PaymentStatus.COMPLETED).count() == 1
