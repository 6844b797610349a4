"""Payments: open a charge, call the provider, settle the result (now or by webhook), refund.

The flow never holds a database transaction across a provider call:

1. the use case writes its pending rows (donation or subscription, and the Payment) and
   commits;
2. `payment_execute` calls the provider through the circuit breaker, with our payment id
   as the provider's idempotency key, so a retried call charges at most once;
3. `payment_settle` applies the answer in a new transaction: completed, failed, or still
   pending (a signed webhook settles it later through `webhook_receive`).

An open breaker refuses before step 1 (nothing written, nothing charged). A provider that
is down during step 2 charged nothing: the rows are settled as failed
(`provider_unavailable`) and the caller gets a 503 with Retry-After.
"""

# Why this is long: one payment flow (open, call the provider, settle, refund) whose steps share the charge's
# locks and states.

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.models import (
    Donation,
    DonationStatus,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
)
from billing.providers import provider_get
from billing.providers.base import ChargeStatus, InvalidSignature
from billing.providers.breaker import breaker_call
from billing.selectors.donations import donation_summary_invalidate
from community_service.cache.aside import invalidate_around_commit
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, ServiceUnavailable, ValidationFailed
from community_service.outbox.services import outbox_record
from members import policy
from members.catalogue import Permission
from members.models import User
from members.selectors.access import CommunityAccess

logger = logging.getLogger("billing.payments")

# Allowed moves; anything else (a replayed or late webhook) changes nothing.
TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.PENDING: {PaymentStatus.COMPLETED, PaymentStatus.FAILED},
    PaymentStatus.COMPLETED: {PaymentStatus.REFUNDED},
}
WEBHOOK_TYPES = {
    "payment.succeeded": PaymentStatus.COMPLETED,
    "payment.failed": PaymentStatus.FAILED,
    "payment.refunded": PaymentStatus.REFUNDED,
}


def subscription_event_record(event_type: str, subscription: Subscription, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="subscription", aggregate_id=subscription.pk,
        community_id=subscription.community_id,
        payload={"community_id": subscription.community_id, "subscription_id": subscription.pk,
                 "user_id": subscription.user_id, "level_id": subscription.level_id, **extra},
    )


def payment_event_record(event_type: str, payment: Payment, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="payment", aggregate_id=payment.pk, community_id=payment.community_id,
        payload={"community_id": payment.community_id, "payment_id": payment.pk, "user_id": payment.user_id,
                 "purpose": payment.purpose, "amount": payment.amount, "currency": payment.currency, **extra},
    )


def payment_open(
    *, community_id: UUID, user: User, purpose: str, amount: Decimal, currency: str, provider: str,
    donation: Donation | None = None, subscription: Subscription | None = None, level_id: UUID | None = None,
    credit: Decimal = Decimal("0"), idempotency_key: str = "",
) -> Payment:
    """A pending payment, written in the caller's transaction (before any provider call)."""
    return Payment.objects.create(
        community_id=community_id, user=user, purpose=purpose, amount=amount, currency=currency, provider=provider,
        donation=donation, subscription=subscription, level_id=level_id, credit=credit,
        idempotency_key=idempotency_key,
    )


def payment_to_resume(*, user: User, idempotency_key: str, community_id: UUID, purpose: str,
                      **same: object) -> Payment | None:
    """The payment an earlier attempt with this Idempotency-Key opened for the same purchase
    (`same`: amount and currency, or level_id), if it may have charged (pending) or did
    (completed), within the key's TTL. That attempt never stored its answer (a 5xx released
    the key after the charge, or its process died), so the retry reaches the use case again,
    which resumes this payment instead of opening a second one (docs/billing.md)."""
    if not idempotency_key:
        return None
    since = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    return (Payment.objects.filter(user=user, idempotency_key=idempotency_key, community_id=community_id,
                                   purpose=purpose, created_at__gte=since,
                                   status__in=(PaymentStatus.PENDING, PaymentStatus.COMPLETED), **same)
            .select_related("donation", "subscription").order_by("created_at").first())


def payment_execute(*, payment: Payment, payment_method: str) -> Payment:
    """Charge at the provider (outside any transaction) and settle what it answered.

    Raises ServiceUnavailable (503, Retry-After) when the breaker is open or the provider is
    down; the payment and what it pays for are then settled as failed, nothing charged.
    """
    provider = provider_get(payment.provider)
    description = f"{payment.purpose} {payment.pk}"
    try:
        result = breaker_call(payment.provider, lambda: provider.charge(
            idempotency_key=str(payment.pk), amount=payment.amount, currency=payment.currency,
            payment_method=payment_method, description=description,
        ))
    except ServiceUnavailable:
        payment_settle(payment_id=payment.pk, status=PaymentStatus.FAILED, failure_code="provider_unavailable",
                       failure_message="The payment provider was unavailable; nothing was charged.")
        raise
    except Exception:  # noqa: BLE001 - a provider boundary: the outcome is unknown, not a failure
        # It may have charged: keep the payment pending (answered 202 and kept for replays)
        # until the provider's webhook says what happened. Settling it failed could hide a charge.
        logger.exception("payment provider call ended unexpectedly; payment left pending",
                         extra={"payment_id": str(payment.pk), "provider": payment.provider})
        return payment
    if result.status == ChargeStatus.SUCCEEDED:
        return payment_settle(payment_id=payment.pk, status=PaymentStatus.COMPLETED,
                              provider_payment_id=result.provider_payment_id)
    if result.status == ChargeStatus.DECLINED:
        return payment_settle(payment_id=payment.pk, status=PaymentStatus.FAILED,
                              provider_payment_id=result.provider_payment_id,
                              failure_code=result.failure_code or "declined", failure_message=result.failure_message)
    # Pending: remember the provider's id so its webhook can find the payment.
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=result.provider_payment_id)
    payment.provider_payment_id = result.provider_payment_id
    return payment


def _lock_targets(payment_id: UUID) -> Payment:
    """Lock what the payment pays for, then the payment itself (the documented order)."""
    targets = Payment.objects.filter(pk=payment_id).values_list("subscription_id", "donation_id").first()
    if targets is None:
        raise Conflict("Payment not found.", code="not_found")
    subscription_id, donation_id = targets
    if subscription_id is not None:
        Subscription.objects.select_for_update(no_key=True).filter(pk=subscription_id).first()
    if donation_id is not None:
        Donation.objects.select_for_update(no_key=True).filter(pk=donation_id).first()
    return (Payment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("subscription", "donation", "level").get(pk=payment_id))


@atomic_with_retry
def payment_settle(
    *, payment_id: UUID, status: str, provider_payment_id: str | None = None, failure_code: str = "",
    failure_message: str = "",
) -> Payment:
    """Move a payment to `status` and apply it to what it pays for, with the domain events.

    Idempotent: a move the payment has already made, or may not make (a failure after a
    completion), changes nothing and returns the payment as it is.
    """
    payment = _lock_targets(payment_id)
    if status not in TRANSITIONS.get(payment.status, set()):
        return payment
    now = timezone.now()
    payment.status = status
    if provider_payment_id and not payment.provider_payment_id:
        payment.provider_payment_id = provider_payment_id
    if status == PaymentStatus.COMPLETED:
        payment.completed_at = now
        _apply_completed(payment, now)
    elif status == PaymentStatus.FAILED:
        payment.failure_code, payment.failure_message = failure_code[:50], failure_message[:500]
        _apply_failed(payment, now)
        payment_event_record("payment.failed", payment, failure_code=payment.failure_code)
    else:
        payment.refunded_at = now
        _apply_refunded(payment, now)
        payment_event_record("payment.refunded", payment)
    payment.save()
    return payment


def _apply_completed(payment: Payment, now: datetime) -> None:
    donation = payment.donation if payment.donation_id else None
    if donation is not None:
        donation.status, donation.completed_at = DonationStatus.COMPLETED, now
        donation.save(update_fields=["status", "completed_at", "updated_at"])
        extra = {"message": donation.message} if donation.message else {}
        outbox_record(
            event_type="donation.received", aggregate_type="donation", aggregate_id=donation.pk,
            community_id=donation.community_id,
            payload={"community_id": donation.community_id, "donation_id": donation.pk,
                     "donor_id": None if donation.is_anonymous else donation.donor_id, "amount": donation.amount,
                     "currency": donation.currency, **extra},
        )
        invalidate_around_commit(lambda: donation_summary_invalidate(donation.community_id))
        return
    subscription, level = payment.subscription, payment.level
    assert subscription is not None and level is not None, "a subscription payment names both"
    period = timedelta(days=level.duration_days)
    if payment.purpose == PaymentPurpose.SUBSCRIPTION_START:
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.starts_at, subscription.expires_at = now, now + period
        subscription.save()
        subscription_event_record("subscription.started", subscription, amount=payment.amount,
                                  currency=payment.currency, starts_at=subscription.starts_at,
                                  expires_at=subscription.expires_at)
        return
    if subscription.ended_at is not None:
        _revive(subscription, payment, now)
        return
    if payment.purpose == PaymentPurpose.SUBSCRIPTION_RENEW:
        # Paid time is added after the time already paid for, never lost by renewing early.
        subscription.expires_at = max(subscription.expires_at or now, now) + period
        subscription.status, subscription.cancelled_at = SubscriptionStatus.ACTIVE, None
        subscription.save()
        subscription_event_record("subscription.renewed", subscription, amount=payment.amount,
                                  currency=payment.currency, expires_at=subscription.expires_at)
        return
    previous_level_id = subscription.level_id
    subscription.level_id = level.pk
    subscription.status, subscription.cancelled_at = SubscriptionStatus.ACTIVE, None
    subscription.starts_at, subscription.expires_at = now, now + period
    subscription.save()
    subscription_event_record("subscription.upgraded", subscription, previous_level_id=previous_level_id,
                        amount=payment.amount, currency=payment.currency, credit=payment.credit,
                        starts_at=subscription.starts_at, expires_at=subscription.expires_at)


def _revive(subscription: Subscription, payment: Payment, now: datetime) -> None:
    """A renewal or upgrade that settled after its subscription ended: a new period from now,
    unless the user already has another live subscription (then logged for a manual refund)."""
    assert payment.level is not None, "a renewal or upgrade payment names its level"
    try:
        with transaction.atomic():
            subscription.level_id = payment.level.pk
            subscription.status, subscription.cancelled_at = SubscriptionStatus.ACTIVE, None
            subscription.ended_at, subscription.end_reason = None, ""
            subscription.starts_at = now
            subscription.expires_at = now + timedelta(days=payment.level.duration_days)
            subscription.save()
    except IntegrityError:
        subscription.refresh_from_db()
        logger.error("paid for an ended subscription while another is live; refund it",
                     extra={"payment_id": str(payment.pk), "subscription_id": str(subscription.pk)})
        return
    subscription_event_record("subscription.started", subscription, amount=payment.amount, currency=payment.currency,
                        starts_at=subscription.starts_at, expires_at=subscription.expires_at)


def _apply_failed(payment: Payment, now: datetime) -> None:
    donation = payment.donation if payment.donation_id else None
    if donation is not None:
        donation.status = DonationStatus.FAILED
        donation.save(update_fields=["status", "updated_at"])
    elif payment.purpose == PaymentPurpose.SUBSCRIPTION_START:
        subscription = payment.subscription
        assert subscription is not None, "a subscription payment names its subscription"
        subscription.status, subscription.ended_at, subscription.end_reason = SubscriptionStatus.FAILED, now, \
            "payment_failed"
        subscription.save()
    # A failed renewal or upgrade leaves the subscription as it was.


def _apply_refunded(payment: Payment, now: datetime) -> None:
    donation = payment.donation if payment.donation_id else None
    if donation is not None:
        donation.status = DonationStatus.REFUNDED
        donation.save(update_fields=["status", "updated_at"])
        outbox_record(
            event_type="donation.refunded", aggregate_type="donation", aggregate_id=donation.pk,
            community_id=donation.community_id,
            payload={"community_id": donation.community_id, "donation_id": donation.pk, "amount": donation.amount,
                     "currency": donation.currency},
        )
        invalidate_around_commit(lambda: donation_summary_invalidate(donation.community_id))
        return
    subscription = payment.subscription
    assert subscription is not None, "a payment pays for a donation or a subscription"
    if subscription.ended_at is None:
        # Money given back ends the access it bought, at once.
        if subscription.status == SubscriptionStatus.ACTIVE:
            subscription.status = SubscriptionStatus.EXPIRED
        subscription.ended_at, subscription.end_reason = now, "refunded"
        subscription.save()
        subscription_event_record("subscription.ended", subscription, reason="refunded")


def payment_refund(*, actor: CommunityAccess, payment: Payment) -> Payment:
    """Give a completed payment back in full at its provider, then settle it as refunded.

    Raises PermissionDenied unless `actor` holds billing.manage in the payment's community,
    Conflict (not completed) or ServiceUnavailable (provider down: nothing changed).
    """
    policy.require_permission(actor, Permission.BILLING_MANAGE)
    payment = Payment.objects.get(pk=payment.pk)
    if payment.status != PaymentStatus.COMPLETED:
        raise Conflict(f"Only a completed payment can be refunded; this one is {payment.status}.",
                       code="invalid_transition")
    provider = provider_get(payment.provider)
    breaker_call(payment.provider, lambda: provider.refund(
        idempotency_key=f"refund-{payment.pk}", provider_payment_id=payment.provider_payment_id or "",
        amount=payment.amount, currency=payment.currency,
    ))
    return payment_settle(payment_id=payment.pk, status=PaymentStatus.REFUNDED)


def webhook_receive(*, provider_name: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify and apply one provider webhook. Returns the outcome: applied | duplicate |
    ignored (a move the payment cannot make) | unknown_payment | unknown_type.

    Raises NotFound (no such provider) or ValidationFailed `invalid_signature` (nothing changes).
    """
    provider = provider_get(provider_name)
    try:
        event = provider.parse_webhook(body=body, headers=headers)
    except InvalidSignature as exc:
        logger.warning("webhook refused", extra={"provider": provider_name, "error": str(exc)})
        raise ValidationFailed("The webhook signature does not verify.", code="invalid_signature") from None
    with transaction.atomic():
        payment = Payment.objects.filter(provider=provider_name,
                                         provider_payment_id=event.provider_payment_id).first()
        wanted = WEBHOOK_TYPES.get(event.type)
        if payment is None:
            # Not recorded: a redelivery after we stored the provider's id may still apply.
            logger.warning("webhook for an unknown payment", extra={"provider": provider_name,
                                                                   "event_id": event.event_id})
            return "unknown_payment"
        if wanted is None:
            outcome = "unknown_type"
        else:
            outcome = "applied" if wanted in TRANSITIONS.get(payment.status, set()) else "ignored"
        try:
            # The event id is recorded with its effect; a second delivery finds it and stops.
            with transaction.atomic():
                WebhookEvent.objects.create(provider=provider_name, event_id=event.event_id, event_type=event.type,
                                            payment=payment, outcome=outcome)
        except IntegrityError:
            return "duplicate"
        if outcome == "applied":
            assert wanted is not None  # an applied outcome has a wanted status
            settled = payment_settle(payment_id=payment.pk, status=wanted, failure_code=event.failure_code,
                                     failure_message=event.failure_message)
            if settled.status != wanted:  # another delivery settled it first, under the lock
                outcome = "ignored"
                WebhookEvent.objects.filter(provider=provider_name, event_id=event.event_id).update(outcome=outcome)
    return outcome
