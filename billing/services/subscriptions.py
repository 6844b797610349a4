"""Writes for subscriptions: subscribe, cancel, renew, upgrade, and the expiry sweep.

Statuses: pending → active | failed; active → cancelled | expired. A cancelled
subscription keeps its access until `expires_at`; then the sweep ends it. At most one
live (not ended) subscription per user and community, enforced by `uq_subscription_one_live`.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import (
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionLevel,
    SubscriptionStatus,
)
from billing.money import CENT
from billing.providers.breaker import breaker_require_closed
from billing.services.payments import payment_execute, payment_open, payment_to_resume, subscription_event_record
from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound, PaymentRequired, UnknownReference
from members.models import User

SECONDS_PER_DAY = 86400


def _declined(payment: Payment) -> PaymentRequired:
    return PaymentRequired(f"The payment was declined ({payment.failure_code}).", code="payment_declined",
                           payment_id=str(payment.pk))


def _default_provider() -> str:
    return settings.BILLING_DEFAULT_PROVIDER


def _charge(payment: Payment, payment_method: str, subscription: Subscription) -> tuple[Subscription, Payment]:
    payment = payment_execute(payment=payment, payment_method=payment_method)
    subscription.refresh_from_db()
    if payment.status == PaymentStatus.FAILED:
        raise _declined(payment)
    return subscription, payment


def subscription_subscribe(
    *, community: Community, user: User, level_id: UUID, payment_method: str, idempotency_key: str = "",
) -> tuple[Subscription, Payment]:
    """Subscribe `user` to a level of `community` and take the first payment.

    Returns the subscription (active, or pending while the provider settles) and its payment.
    Raises UnknownReference (level_id), Conflict `level_inactive` or `already_subscribed`,
    PaymentRequired (declined), ServiceUnavailable (provider down). A retry with the
    `idempotency_key` of an attempt that charged but never answered resumes its payment.
    """
    earlier = payment_to_resume(user=user, idempotency_key=idempotency_key, community_id=community.pk,
                                purpose=PaymentPurpose.SUBSCRIPTION_START, level_id=level_id)
    if earlier is not None and earlier.subscription is not None:
        if earlier.status == PaymentStatus.PENDING:
            return _charge(earlier, payment_method, earlier.subscription)
        return earlier.subscription, earlier
    provider = _default_provider()
    breaker_require_closed(provider)
    with transaction.atomic():
        level = (SubscriptionLevel.objects.select_for_update(no_key=True).filter(pk=level_id, community=community)
                 .first())
        if level is None:
            raise UnknownReference("No such level in this community.", field="level_id")
        if not level.is_active:
            # The level exists but its state refuses new subscribers: 409, as renewing it is.
            raise Conflict("This level is not offered any more.", field="level_id", code="level_inactive")
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(level=level, user=user, community=community)
        except IntegrityError:
            raise Conflict("You already have a subscription in this community; renew or upgrade it instead.",
                           code="already_subscribed") from None
        payment = payment_open(community_id=community.pk, user=user, purpose=PaymentPurpose.SUBSCRIPTION_START,
                               amount=level.price, currency=level.currency, provider=provider,
                               subscription=subscription, level_id=level.pk, idempotency_key=idempotency_key)
    return _charge(payment, payment_method, subscription)


def _own_live(subscription_id: UUID, user: User) -> Subscription:
    subscription = Subscription.objects.select_for_update(no_key=True).filter(pk=subscription_id, user=user).first()
    if subscription is None:
        raise NotFound("Subscription not found.")
    return subscription


def _require_access(subscription: Subscription, now: datetime) -> None:
    has_access = (subscription.ended_at is None
                  and subscription.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED)
                  and subscription.expires_at is not None and subscription.expires_at > now)
    if not has_access:
        raise Conflict(f"This subscription is {subscription.status} and has no access to extend.",
                       code="invalid_transition")


def _no_payment_in_flight(subscription: Subscription) -> None:
    if Payment.objects.filter(subscription=subscription, status=PaymentStatus.PENDING).exists():
        raise Conflict("A payment for this subscription is still being processed; wait for it to settle.",
                       code="payment_pending")


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, user: User) -> Subscription:
    """Stop renewal. Access lasts until expires_at. Cancelling twice changes nothing."""
    subscription = _own_live(subscription.pk, user)
    if subscription.status == SubscriptionStatus.CANCELLED and subscription.ended_at is None:
        return subscription
    if subscription.status != SubscriptionStatus.ACTIVE or subscription.ended_at is not None:
        raise Conflict(f"A {subscription.status} subscription cannot be cancelled.", code="invalid_transition")
    subscription.status, subscription.cancelled_at = SubscriptionStatus.CANCELLED, timezone.now()
    subscription.save(update_fields=["status", "cancelled_at", "updated_at"])
    subscription_event_record("subscription.cancelled", subscription, expires_at=subscription.expires_at)
    return subscription


class _LevelMoved(Exception):
    """The subscription changed level between the read of its level and the lock."""


def _lock_levels_and_subscription(
    subscription_id: UUID, user: User, *, also: UUID | None = None
) -> tuple[dict[UUID, SubscriptionLevel], Subscription]:
    """Lock the subscription's current level (and `also`, another level of its community) in
    primary-key order, then the subscription: the documented order, level → subscription.

    The level is read before its lock, so an upgrade settling meanwhile (it moves the
    subscription to another level under the subscription's lock) would leave us holding the
    old level and charging its price. Then the locks taken here are dropped (the savepoint
    rolls back) and the reading starts over; a level that keeps moving is a 409 `stale`.
    Levels are locked FOR NO KEY UPDATE: a settling payment's new level reference takes KEY
    SHARE on its level at commit, which FOR UPDATE would block (a deadlock with that payment,
    which waits for nothing else while it holds the subscription).
    """
    for _ in range(3):
        current = Subscription.objects.filter(pk=subscription_id, user=user).values_list(
            "level_id", "community_id").first()
        if current is None:
            raise NotFound("Subscription not found.")
        try:
            with transaction.atomic():
                wanted = [current[0]] if also is None else [current[0], also]
                levels = {level.pk: level for level in SubscriptionLevel.objects.select_for_update(no_key=True)
                          .filter(pk__in=wanted, community_id=current[1]).order_by("pk")}
                subscription = _own_live(subscription_id, user)
                if subscription.level_id not in levels:
                    raise _LevelMoved
                return levels, subscription
        except _LevelMoved:
            continue
    raise Conflict("The subscription kept changing while this request waited; send it again.", code="stale")


@atomic_with_retry
def _renewal_open(*, subscription_id: UUID, user: User, provider: str) -> tuple[Subscription, Payment]:
    levels, subscription = _lock_levels_and_subscription(subscription_id, user)
    level = levels[subscription.level_id]
    _require_access(subscription, timezone.now())
    if not level.is_active:
        raise Conflict("This level is not offered any more; upgrade to another level.", code="level_inactive")
    _no_payment_in_flight(subscription)
    payment = payment_open(community_id=subscription.community_id, user=user,
                           purpose=PaymentPurpose.SUBSCRIPTION_RENEW, amount=level.price, currency=level.currency,
                           provider=provider, subscription=subscription, level_id=level.pk)
    return subscription, payment


def subscription_renew(*, subscription: Subscription, user: User, payment_method: str) -> tuple[Subscription, Payment]:
    """Pay one more period of the current level (at its current price), added after the time
    already paid for; a cancelled subscription becomes active again."""
    provider = _default_provider()
    breaker_require_closed(provider)
    subscription, payment = _renewal_open(subscription_id=subscription.pk, user=user, provider=provider)
    return _charge(payment, payment_method, subscription)


@dataclass(frozen=True)
class UpgradeQuote:
    credit: Decimal
    amount: Decimal


def upgrade_quote(*, current: SubscriptionLevel, target: SubscriptionLevel, expires_at: datetime,
                  now: datetime) -> UpgradeQuote:
    """The remaining-time rule (docs/billing.md): the unused part of the time already paid,
    valued at the current level's price per day, is taken off the new level's price.
    Rounded down to the cent, so the credit never exceeds what was paid."""
    remaining = max((expires_at - now).total_seconds(), 0)
    credit = current.price * Decimal(remaining) / Decimal(current.duration_days * SECONDS_PER_DAY)
    credit = min(credit, target.price - CENT).quantize(CENT, rounding=ROUND_DOWN)
    return UpgradeQuote(credit=credit, amount=target.price - credit)


@atomic_with_retry
def _upgrade_open(*, subscription_id: UUID, user: User, level_id: UUID,
                  provider: str) -> tuple[Subscription, Payment]:
    target_id = uuid.UUID(str(level_id))
    levels, subscription = _lock_levels_and_subscription(subscription_id, user, also=target_id)
    now = timezone.now()
    _require_access(subscription, now)
    target = levels.get(target_id)
    if target is None:
        raise UnknownReference("No such level in this community.", field="level_id")
    # The level exists; whether it is an upgrade depends on the subscription's state: 409s.
    if target.pk == subscription.level_id:
        raise Conflict("The subscription is already at this level.", field="level_id", code="same_level")
    current = levels[subscription.level_id]
    if not target.is_active:
        raise Conflict("This level is not offered any more.", field="level_id", code="level_inactive")
    if target.currency != current.currency:
        raise Conflict("The new level is priced in another currency; cancel and subscribe instead.",
                       field="level_id", code="currency_mismatch")
    if target.price <= current.price:
        raise Conflict("An upgrade goes to a more expensive level; cancel and subscribe instead.",
                       field="level_id", code="not_an_upgrade")
    _no_payment_in_flight(subscription)
    assert subscription.expires_at is not None, "an active subscription has its period"
    quote = upgrade_quote(current=current, target=target, expires_at=subscription.expires_at, now=now)
    payment = payment_open(community_id=subscription.community_id, user=user,
                           purpose=PaymentPurpose.SUBSCRIPTION_UPGRADE, amount=quote.amount,
                           currency=target.currency, provider=provider, subscription=subscription,
                           level_id=target.pk, credit=quote.credit)
    return subscription, payment


def subscription_upgrade(
    *, subscription: Subscription, user: User, level_id: UUID, payment_method: str
) -> tuple[Subscription, Payment]:
    """Move to a more expensive level of the same community at once, paying the difference
    (upgrade_quote); the new level's full period starts when the payment completes. A level
    of another community is a 400 `does_not_exist`; the current level, an inactive one, one in
    another currency or not dearer are 409s."""
    provider = _default_provider()
    breaker_require_closed(provider)
    subscription, payment = _upgrade_open(subscription_id=subscription.pk, user=user, level_id=level_id,
                                          provider=provider)
    return _charge(payment, payment_method, subscription)


@dataclass(frozen=True)
class Ended:
    subscription_id: UUID
    user_id: UUID
    level_id: UUID
    reason: str
    expires_at: datetime


def subscriptions_expire(*, now: datetime | None = None, batch_size: int = 500) -> list[Ended]:
    """End every subscription whose paid time is over: active ones become expired, cancelled
    ones stay cancelled; both get ended_at and a subscription.ended event. Batches lock rows
    with SKIP LOCKED, so the beat task and the command can run at once without doing a row twice."""
    now = now or timezone.now()
    ended: list[Ended] = []
    while True:
        with transaction.atomic():
            due = list(Subscription.objects.select_for_update(no_key=True, skip_locked=True)
                       .filter(ended_at__isnull=True, expires_at__lte=now,
                               status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED])
                       .order_by("pk")[:batch_size])
            for subscription in due:
                reason = "expired" if subscription.status == SubscriptionStatus.ACTIVE else "cancelled"
                if subscription.status == SubscriptionStatus.ACTIVE:
                    subscription.status = SubscriptionStatus.EXPIRED
                subscription.ended_at, subscription.end_reason = now, reason
                subscription.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
                subscription_event_record("subscription.ended", subscription, reason=reason)
                assert subscription.expires_at is not None  # selected by expires_at <= now
                ended.append(Ended(subscription.pk, subscription.user_id, subscription.level_id, reason,
                                   subscription.expires_at))
        if len(due) < batch_size:
            return ended
