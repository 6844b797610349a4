"""Subscription levels, subscriptions, donations, payments and provider webhooks.

Rows as the services leave them after the provider answered; no payment is charged and no
outbox row written. Billing keeps no counters of its own.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from billing.models import (
    Donation,
    DonationStatus,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionLevel,
    SubscriptionStatus,
    WebhookEvent,
)
from tests.factories.communities import CommunityFactory
from tests.factories.members import UserFactory


class SubscriptionLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionLevel

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Level {n}")
    price = Decimal("5.00")
    currency = "USD"
    duration_days = 30
    benefits = factory.LazyFunction(lambda: ["Early access"])

    class Params:
        inactive = factory.Trait(is_active=False)  # not offered to new subscribers
        archived = factory.Trait(is_active=False, archived_at=factory.LazyFunction(timezone.now))


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """An active subscription with `days_left` (20) of its level's period to run."""

    class Meta:
        model = Subscription

    class Params:
        days_left = 20
        pending = factory.Trait(status=SubscriptionStatus.PENDING, starts_at=None, expires_at=None)
        # Renewal stopped; access lasts until expires_at.
        cancelled = factory.Trait(status=SubscriptionStatus.CANCELLED, cancelled_at=factory.LazyFunction(timezone.now))
        expired = factory.Trait(status=SubscriptionStatus.EXPIRED, days_left=-1, end_reason="expired",
                                ended_at=factory.LazyAttribute(lambda s: s.expires_at))
        failed = factory.Trait(status=SubscriptionStatus.FAILED, starts_at=None, expires_at=None,
                               end_reason="payment_failed", ended_at=factory.LazyFunction(timezone.now))

    level = factory.SubFactory(SubscriptionLevelFactory)
    user = factory.SubFactory(UserFactory)
    community = factory.SelfAttribute("level.community")
    status = SubscriptionStatus.ACTIVE
    starts_at = factory.LazyAttribute(
        lambda s: timezone.now() - timedelta(days=s.level.duration_days - s.days_left))
    expires_at = factory.LazyAttribute(lambda s: timezone.now() + timedelta(days=s.days_left))


class DonationFactory(factory.django.DjangoModelFactory):
    """A completed donation of 10.00 USD."""

    class Meta:
        model = Donation

    community = factory.SubFactory(CommunityFactory)
    donor = factory.SubFactory(UserFactory)
    amount = Decimal("10.00")
    currency = "USD"
    message = "Keep it up!"
    status = DonationStatus.COMPLETED
    completed_at = factory.LazyFunction(timezone.now)

    class Params:
        pending = factory.Trait(status=DonationStatus.PENDING, completed_at=None)
        failed = factory.Trait(status=DonationStatus.FAILED, completed_at=None)
        refunded = factory.Trait(status=DonationStatus.REFUNDED)
        anonymous = factory.Trait(is_anonymous=True)


class PaymentFactory(factory.django.DjangoModelFactory):
    """A completed sandbox payment of a donation; `for_subscription` pays a subscription's
    start at its level's price instead."""

    class Meta:
        model = Payment

    donation = factory.SubFactory(DonationFactory)
    subscription = None
    community = factory.LazyAttribute(lambda p: (p.donation or p.subscription).community)
    user = factory.LazyAttribute(lambda p: p.donation.donor if p.donation else p.subscription.user)
    purpose = PaymentPurpose.DONATION
    amount = factory.LazyAttribute(lambda p: p.donation.amount if p.donation else p.subscription.level.price)
    currency = factory.LazyAttribute(lambda p: (p.donation or p.subscription.level).currency)
    status = PaymentStatus.COMPLETED
    provider = "sandbox"
    provider_payment_id = factory.LazyFunction(lambda: f"sbx_{uuid.uuid4().hex}")
    completed_at = factory.LazyFunction(timezone.now)

    class Params:
        for_subscription = factory.Trait(
            donation=None, subscription=factory.SubFactory(SubscriptionFactory),
            purpose=PaymentPurpose.SUBSCRIPTION_START, level=factory.SelfAttribute("subscription.level"),
        )
        # Opened, the provider not answered yet: no provider id.
        pending = factory.Trait(status=PaymentStatus.PENDING, provider_payment_id=None, completed_at=None)
        failed = factory.Trait(status=PaymentStatus.FAILED, completed_at=None, failure_code="card_declined",
                               failure_message="The card was declined.")
        refunded = factory.Trait(status=PaymentStatus.REFUNDED, refunded_at=factory.LazyFunction(timezone.now))


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    provider = "sandbox"
    event_id = factory.LazyFunction(lambda: f"evt_{uuid.uuid4().hex}")
    event_type = "payment.succeeded"
    payment = factory.SubFactory(PaymentFactory)
    outcome = "applied"
