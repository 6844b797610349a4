"""Subscription levels (tiers), subscriptions, donations, payments and provider webhooks.

Money is `Decimal` with two places (`numeric(12, 2)`) plus an ISO 4217 code; amounts in
different currencies are never added together.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
CURRENCY_FORMAT = Q(currency__regex=r"^[A-Z]{3}$")


class SubscriptionLevel(models.Model):
    """A paid tier of a community. Archived (never deleted) once anyone subscribed to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_levels_community_pos, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True, default="")
    price = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    duration_days = models.PositiveIntegerField()
    # The seed's `features`: what a subscriber gets, one line each.
    benefits = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # Offered to new subscribers. Archived levels are inactive and stay so.
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="ck_level_price_positive"),
            models.CheckConstraint(condition=Q(duration_days__gt=0), name="ck_level_duration_positive"),
            models.CheckConstraint(condition=CURRENCY_FORMAT, name="ck_level_currency"),
            models.CheckConstraint(condition=Q(archived_at__isnull=True) | Q(is_active=False),
                                   name="ck_level_archived_inactive"),
            models.UniqueConstraint(fields=["community", "name"], condition=Q(archived_at__isnull=True),
                                    name="uq_level_community_name"),
        ]
        indexes = [models.Index(fields=["community", "position"], name="idx_levels_community_pos")]

    def __str__(self) -> str:
        return f"{self.name} ({self.price} {self.currency})"


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Payment failed"
    # Renewal stopped; access lasts until expires_at.
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


# A subscription is live (blocks a second one) until it has ended.
LIVE_STATUSES = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED)


class Subscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    level = models.ForeignKey(SubscriptionLevel, on_delete=models.PROTECT, related_name="subscriptions")
    # Indexed by idx_subscriptions_user, which it leads.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=False, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING)
    starts_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when access is over (expired, failed, cancelled and past expires_at, refunded).
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubscriptionStatus.values), name="ck_subscription_status"),
            # The rule: at most one live subscription per user and community.
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(ended_at__isnull=True, status__in=LIVE_STATUSES),
                name="uq_subscription_one_live",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="idx_subscriptions_user"),
            # The expiry sweep: live subscriptions by expiry time.
            models.Index(fields=["expires_at"], condition=Q(ended_at__isnull=True), name="idx_subscriptions_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.level.name} in {self.community} ({self.get_status_display().lower()})"


class DonationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


class Donation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_donations_feed, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    message = models.CharField(max_length=500, blank=True, default="")
    is_anonymous = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=DonationStatus.choices, default=DonationStatus.PENDING)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_donation_amount_positive"),
            models.CheckConstraint(condition=CURRENCY_FORMAT, name="ck_donation_currency"),
            models.CheckConstraint(condition=Q(status__in=DonationStatus.values), name="ck_donation_status"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-created_at", "-id"], name="idx_donations_feed"),
            models.Index(fields=["community", "currency"], condition=Q(status="completed"),
                         name="idx_donations_totals"),
        ]

    def __str__(self) -> str:
        donor = "anonymous" if self.is_anonymous else self.donor or "a closed account"
        return f"{self.amount} {self.currency} from {donor} to {self.community}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


class PaymentPurpose(models.TextChoices):
    DONATION = "donation", "Donation"
    SUBSCRIPTION_START = "subscription_start", "Subscription start"
    SUBSCRIPTION_RENEW = "subscription_renew", "Subscription renewal"
    SUBSCRIPTION_UPGRADE = "subscription_upgrade", "Subscription upgrade"


class Payment(models.Model):
    """One charge at a provider. Its result (now, or later by webhook) settles what it pays for."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_payments_community, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    purpose = models.CharField(max_length=30, choices=PaymentPurpose.choices)
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, null=True, blank=True, related_name="payments")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="payments")
    # The level paid for (subscriptions): an upgrade moves the subscription to it when paid.
    level = models.ForeignKey(SubscriptionLevel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    # Upgrades: the unused value of the old period, already taken off `amount`.
    credit = models.DecimalField(**MONEY, default=0)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    provider = models.CharField(max_length=30)
    # NULL until the provider answers: several pending payments coexist under uq_payment_provider_id.
    provider_payment_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    failure_code = models.CharField(max_length=50, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # The Idempotency-Key of the request that opened it (scoped to `user`), so a retry whose first
    # attempt charged but never stored its answer (a database restart) resumes this payment.
    idempotency_key = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_payment_amount_positive"),
            models.CheckConstraint(condition=CURRENCY_FORMAT, name="ck_payment_currency"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="ck_payment_status"),
            models.CheckConstraint(
                condition=(Q(donation__isnull=False) & Q(subscription__isnull=True))
                | (Q(donation__isnull=True) & Q(subscription__isnull=False)),
                name="ck_payment_one_target",
            ),
            models.UniqueConstraint(fields=["provider", "provider_payment_id"], name="uq_payment_provider_id"),
        ]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="idx_payments_community"),
            models.Index(fields=["idempotency_key"], condition=~Q(idempotency_key=""),
                         name="idx_payments_idempotency_key"),
        ]

    def __str__(self) -> str:
        payer = self.user or "a closed account"
        return (f"{self.amount} {self.currency}, {self.get_purpose_display().lower()} by {payer}"
                f" ({self.get_status_display().lower()})")


class WebhookEvent(models.Model):
    """A provider event we have applied; a second delivery of the same id changes nothing."""

    id = models.BigAutoField(primary_key=True)
    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=50)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="uq_webhook_provider_event")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} ({self.outcome})"
