"""Billing in the console: pages load with data, payment amounts are read-only, refunds go through the service."""

import pytest
from django.test import Client
from django.urls import reverse

from billing.models import Donation, DonationStatus, Payment, PaymentStatus
from billing.providers.sandbox import LEDGER
from tests.billing.helpers import events, money_post
from tests.billing.world import build_world
from tests.factories import UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_console_lists_and_detail_pages_load_with_amounts_read_only(staff_client):
    world = build_world()
    money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
               {"amount": "3.00", "currency": "USD"})
    payment = Payment.objects.get(donation__donor=world.users["member"])
    for name in ("subscriptionlevel", "subscription", "donation", "payment", "webhookevent"):
        assert staff_client.get(reverse(f"admin:billing_{name}_changelist")).status_code == 200
    page = staff_client.get(reverse("admin:billing_payment_change", args=[payment.pk]))
    assert page.status_code == 200 and b'name="amount"' not in page.content
    level_page = staff_client.get(reverse("admin:billing_subscriptionlevel_change", args=[world.level.pk]))
    # A level's price is level_update's to check (tests/console/test_service_writes.py); its place, level_reorder's.
    assert level_page.status_code == 200 and b'name="position"' not in level_page.content


def test_the_refund_action_refunds_at_the_provider_and_in_the_books(staff_client):
    world = build_world()
    response = money_post(world.client("member"), url_for("donation-list", community_pk=world.community.pk),
                          {"amount": "3.00", "currency": "USD"})
    payment = Payment.objects.get(donation_id=response.json()["id"])
    staff_client.post(reverse("admin:billing_payment_changelist"),
                      {"action": "refund_payments", "_selected_action": [str(payment.pk)], "confirmed": "yes"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.provider_payment_id in LEDGER.refunds
    assert Donation.objects.get(pk=payment.donation_id).status == DonationStatus.REFUNDED
    assert events("payment.refunded", payment_id=str(payment.pk))
