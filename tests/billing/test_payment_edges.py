"""Edges of the payment flow: pending renewals settled by webhook, an unknown provider outcome,
unknown and private communities, constant query counts on the level lists."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from billing.models import Donation, DonationStatus, Payment, PaymentStatus, Subscription
from billing.providers.sandbox import SandboxProvider
from tests.billing.helpers import money_post, webhook_post
from tests.billing.world import World, build_world, level_create
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_a_pending_renewal_blocks_a_second_one_and_its_webhook_extends_the_subscription(world):
    url = url_for("subscription-renew", subscription_id=world.subscription.pk)
    api = world.client("subscriber")
    before = Subscription.objects.get(pk=world.subscription.pk).expires_at
    pending = money_post(api, url, {"payment_method": "pm_sandbox_pending"})
    assert pending.status_code == 202 and pending.json()["payment"]["status"] == "pending"
    assert Subscription.objects.get(pk=world.subscription.pk).expires_at == before  # not paid yet
    assert money_post(api, url).json()["code"] == "payment_pending"
    payment = Payment.objects.get(subscription=world.subscription, purpose="subscription_renew")
    assert webhook_post(APIClient(), "payment.succeeded", payment.provider_payment_id).json()["status"] == "applied"
    assert Subscription.objects.get(pk=world.subscription.pk).expires_at == before + timedelta(days=30)


def test_a_provider_error_of_unknown_outcome_leaves_the_payment_pending_not_failed(world, monkeypatch):
    def explode(self, **kwargs):  # the provider is an outside party: its SDK may raise anything
        raise RuntimeError("connection reset after the request was sent")

    monkeypatch.setattr(SandboxProvider, "charge", explode)
    response = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                          {"amount": "4.00", "currency": "USD"})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    payment = Payment.objects.get(donation_id=response.json()["id"])
    assert payment.status == PaymentStatus.PENDING
    assert Donation.objects.get(pk=payment.donation_id).status == DonationStatus.PENDING


@pytest.mark.parametrize("method,route,actor", [
    ("get", "subscription-list", "member"), ("post", "subscription-list", "member"), ("get", "level-list", "admin"),
    ("post", "level-list", "admin"), ("post", "level-reorder", "admin"),
    ("get", "donation-list", "member"), ("post", "donation-list", "member"), ("get", "donation-summary", "member"),
])
def test_an_unknown_community_is_a_404_on_every_community_route(world, method, route, actor):
    response = getattr(world.client(actor), method)(url_for(route, community_pk=uuid.uuid4()), {},
                                                    format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 404


@pytest.mark.parametrize("route", ["subscription-list", "level-list", "donation-list", "donation-summary"])
def test_a_private_community_is_a_404_to_outsiders(route):
    private = CommunityFactory(community_type="private")
    assert client_for(UserFactory()).get(url_for(route, community_pk=private.pk)).status_code == 404
    level = level_create(private)
    assert client_for(UserFactory()).get(url_for("level-detail", level_id=level.pk)).status_code == 404


def test_unknown_subscription_and_level_ids_are_404(world):
    api = world.client("subscriber")
    for url in (url_for("subscription-detail", subscription_id=uuid.uuid4()),
                url_for("level-detail", level_id=uuid.uuid4())):
        assert api.get(url).status_code == 404
    for action in ("cancel", "renew", "upgrade"):
        response = money_post(api, url_for(f"subscription-{action}", subscription_id=uuid.uuid4()),
                              {"level_id": str(world.premium.pk)})
        assert response.status_code == 404


@pytest.mark.parametrize("body,field", [({"payment_method": 12}, "payment_method"),
                                        ({"payment_method": "x" * 256}, "payment_method")])
def test_bad_payment_methods_are_a_400_naming_the_field(world, body, field):
    for url in (url_for("subscription-list", community_pk=world.community.pk),
                url_for("subscription-renew", subscription_id=world.subscription.pk),
                url_for("donation-list", community_pk=world.community.pk)):
        response = money_post(world.client("subscriber"), url,
                              {"level_id": str(world.premium.pk), "amount": "1.00", "currency": "USD", **body})
        assert response.status_code == 400 and field in response.json(), (url, response.content)


@pytest.mark.parametrize("route", ["subscription-list", "level-list"])
def test_level_lists_cost_the_same_queries_for_2_and_20_levels(world, route):
    api = world.client("admin")
    url = url_for(route, community_pk=world.community.pk)

    def count() -> int:
        api.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    small = count()
    for n in range(18):
        level_create(world.community, name=f"Level {n}", benefits=["a", "b"])
    assert count() == small
