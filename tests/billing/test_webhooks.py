"""Provider webhooks: signed bodies settle pending payments, refunds, replays change nothing twice."""

import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from billing.models import Donation, DonationStatus, Payment, PaymentStatus, Subscription, SubscriptionStatus
from billing.providers.sandbox import SIGNATURE_HEADER, sandbox_webhook
from billing.services.payments import payment_refund
from community_service.contracts.entitlements import held_level_ids
from members.selectors.access import CommunityAccess
from tests.billing.helpers import events, money_post, webhook_post
from tests.billing.world import World, build_world
from tests.concurrency import run_concurrently
from tests.routes import url_for

URL = url_for("billing-webhook", provider="sandbox")


@pytest.fixture
def world(db) -> World:
    return build_world()


def pending_donation(world: World, amount: str = "4.00") -> Payment:
    response = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                          {"amount": amount, "currency": "USD", "payment_method": "pm_sandbox_pending"})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    return Payment.objects.get(donation_id=response.json()["id"])


def test_the_payment_id_a_webhook_names_is_in_the_write_response(world):
    # docs/billing.md: a client finds the provider's payment id in the response that made the payment.
    donation = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                          {"amount": "4.00", "currency": "USD", "payment_method": "pm_sandbox_pending"}).json()
    payment = Payment.objects.get(donation_id=donation["id"])
    assert donation["payment"]["provider"] == "sandbox"
    assert donation["payment"]["provider_payment_id"] == payment.provider_payment_id
    assert payment.provider_payment_id.startswith("sbx_")
    subscription = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                              {"level_id": str(world.premium.pk), "payment_method": "pm_sandbox_pending"}).json()
    assert subscription["payment"]["provider_payment_id"] == Payment.objects.get(
        subscription_id=subscription["id"]).provider_payment_id
    # Lists show no payment: it is the payer's, and the feed is public.
    paid = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                      {"amount": "2.00", "currency": "USD", "payment_method": "pm_sandbox_ok"}).json()
    assert paid["payment"]["status"] == "completed"
    feed = world.client("member").get(url_for("donation-list", community_pk=world.community.pk)).json()["items"]
    assert paid["id"] in [item["id"] for item in feed] and {item["payment"] for item in feed} == {None}


def test_a_signed_success_completes_a_pending_donation_once(world):
    payment = pending_donation(world)
    body, headers = sandbox_webhook("payment.succeeded", payment.provider_payment_id, event_id="evt_1")
    send = lambda: APIClient().generic(  # noqa: E731
        "POST", URL, body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=headers[SIGNATURE_HEADER])
    first = send()
    assert (first.status_code, first.json()) == (200, {"status": "applied"})
    assert Donation.objects.get(pk=payment.donation_id).status == DonationStatus.COMPLETED
    replay = send()
    assert (replay.status_code, replay.json()) == (200, {"status": "duplicate"})
    assert len(events("donation.received", donation_id=str(payment.donation_id))) == 1


@pytest.mark.parametrize("tamper", ["body", "signature", "secret", "old", "missing", "malformed"])
def test_a_bad_signature_is_a_400_and_changes_nothing(world, settings, tamper):
    payment = pending_donation(world)
    body, headers = sandbox_webhook("payment.succeeded", payment.provider_payment_id)
    signature = headers[SIGNATURE_HEADER]
    if tamper == "body":
        body = body.replace(b"succeeded", b"refunded!")
    elif tamper == "signature":
        signature = signature[:-4] + "0000"
    elif tamper == "secret":
        settings.BILLING_SANDBOX_WEBHOOK_SECRET = "another-secret"
    elif tamper == "old":
        body, headers = sandbox_webhook("payment.succeeded", payment.provider_payment_id,
                                        timestamp=int(time.time()) - settings.BILLING_WEBHOOK_TOLERANCE_SECONDS - 5)
        signature = headers[SIGNATURE_HEADER]
    elif tamper == "missing":
        signature = ""
    else:
        body, headers = b"not json", {}
        from billing.providers.sandbox import sandbox_signature

        now = int(time.time())
        signature = f"t={now},v1={sandbox_signature(body, now)}"
    response = APIClient().generic("POST", URL, body, content_type="application/json",
                                   HTTP_SANDBOX_SIGNATURE=signature)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_signature")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert not events("donation.received", donation_id=str(payment.donation_id))


def test_a_failure_webhook_fails_a_pending_first_payment_and_its_subscription(world):
    response = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                          {"level_id": str(world.premium.pk), "payment_method": "pm_sandbox_pending"})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    payment = Payment.objects.get(subscription_id=response.json()["id"])
    webhook_post(APIClient(), "payment.failed", payment.provider_payment_id, failure_code="insufficient_funds")
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.status == SubscriptionStatus.FAILED and subscription.ended_at is not None
    assert Payment.objects.get(pk=payment.pk).failure_code == "insufficient_funds"
    late = webhook_post(APIClient(), "payment.succeeded", payment.provider_payment_id)
    assert late.json() == {"status": "ignored"}
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.FAILED


def test_a_pending_first_payment_completed_by_webhook_starts_the_subscription(world):
    response = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                          {"level_id": str(world.premium.pk), "payment_method": "pm_sandbox_pending"})
    payment = Payment.objects.get(subscription_id=response.json()["id"])
    assert held_level_ids(user_id=world.users["member"].pk) == frozenset()
    assert webhook_post(APIClient(), "payment.succeeded", payment.provider_payment_id).json()["status"] == "applied"
    assert held_level_ids(user_id=world.users["member"].pk) == {world.premium.pk}
    assert events("subscription.started", subscription_id=response.json()["id"])


def test_a_refund_webhook_takes_a_donation_out_of_the_totals(world):
    response = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                          {"amount": "2.50", "currency": "USD"})
    payment = Payment.objects.get(donation_id=response.json()["id"])
    summary = url_for("donation-summary", community_pk=world.community.pk)
    assert world.client("member").get(summary).json()["totals"][0]["amount"] == "10.00"
    assert webhook_post(APIClient(), "payment.refunded", payment.provider_payment_id).json()["status"] == "applied"
    assert Donation.objects.get(pk=payment.donation_id).status == DonationStatus.REFUNDED
    assert world.client("member").get(summary).json()["totals"][0]["amount"] == "7.50"
    assert events("payment.refunded", payment_id=str(payment.pk))
    assert events("donation.refunded", donation_id=str(payment.donation_id))


def test_refunding_a_subscription_payment_ends_its_access_at_once(world):
    response = money_post(world.client("member"), url_for("subscription-list", community_pk=world.community.pk),
                          {"level_id": str(world.premium.pk)})
    payment = Payment.objects.get(subscription_id=response.json()["id"])
    payment_refund(actor=CommunityAccess(community_id=payment.community_id, is_superadmin=True), payment=payment)
    subscription = Subscription.objects.get(pk=payment.subscription_id)
    assert (subscription.status, subscription.end_reason) == (SubscriptionStatus.EXPIRED, "refunded")
    assert held_level_ids(user_id=world.users["member"].pk) == frozenset()
    [ended] = events("subscription.ended", subscription_id=str(subscription.pk))
    assert ended.payload["reason"] == "refunded"
    # The provider's own refund notice afterwards changes nothing.
    assert webhook_post(APIClient(), "payment.refunded", payment.provider_payment_id).json()["status"] == "ignored"


def test_unknown_providers_payments_and_types(world):
    assert APIClient().post(url_for("billing-webhook", provider="stripe"), {}, format="json").status_code == 404
    assert webhook_post(APIClient(), "payment.succeeded", "sbx_unknown").json()["status"] == "unknown_payment"
    payment = pending_donation(world)
    assert webhook_post(APIClient(), "payment.disputed", payment.provider_payment_id).json()["status"] == \
        "unknown_type"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_delivered_ten_times_at_once_applies_once():
    world = build_world()
    payment = pending_donation(world, amount="3.00")
    body, headers = sandbox_webhook("payment.succeeded", payment.provider_payment_id, event_id="evt_same")

    def deliver() -> str:
        return APIClient().generic("POST", URL, body, content_type="application/json",
                                   HTTP_SANDBOX_SIGNATURE=headers[SIGNATURE_HEADER]).json()["status"]

    outcomes = run_concurrently([deliver for _ in range(10)])
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 9
    assert len(events("donation.received", donation_id=str(payment.donation_id))) == 1
    assert Donation.objects.get(pk=payment.donation_id).amount == Decimal("3.00")
