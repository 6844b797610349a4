"""Writes for donations: give (pending → completed | failed through its payment)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Donation, Payment, PaymentPurpose, PaymentStatus
from billing.money import amount_check, currency_normalise
from billing.providers.breaker import breaker_require_closed
from billing.services.payments import payment_execute, payment_open
from communities.models import Community
from community_service.exceptions import PaymentRequired
from members.models import User


def _earlier_attempt(*, donor: User, idempotency_key: str, community: Community, amount: Decimal,
                    currency: str) -> Payment | None:
    """The payment an earlier attempt with this key opened for the same gift, if it may have
    charged (pending) or did (completed). Its key was released because it ended in a 5xx (the
    database went away after the charge), so the retry reaches the service again."""
    if not idempotency_key:
        return None
    # A key is remembered IDEMPOTENCY_KEY_TTL_HOURS; reused after that, it is a new gift.
    since = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    return (Payment.objects.filter(user=donor, idempotency_key=idempotency_key, donation__isnull=False,
                                   created_at__gte=since,
                                   community_id=community.pk, amount=amount, currency=currency,
                                   status__in=(PaymentStatus.PENDING, PaymentStatus.COMPLETED))
            .select_related("donation").order_by("created_at").first())


def donation_create(
    *, community: Community, donor: User, amount: Decimal, currency: str, message: str = "",
    is_anonymous: bool = False, payment_method: str, idempotency_key: str = "",
) -> Donation:
    """Give to a community. Returns the donation: completed, or pending while the provider
    settles it (a webhook completes it). Raises ValidationFailed (bad amount or currency),
    PaymentRequired (declined: the donation is kept as failed), ServiceUnavailable (503).

    With an `idempotency_key` whose earlier attempt opened a payment that may have charged,
    that payment is resumed (charged again under the same provider key, which the provider
    answers with the same charge) instead of a second donation and a second charge.
    """
    currency = currency_normalise(currency)
    amount = amount_check(amount, currency)
    provider = settings.BILLING_DEFAULT_PROVIDER
    earlier = _earlier_attempt(donor=donor, idempotency_key=idempotency_key, community=community, amount=amount,
                               currency=currency)
    if earlier is not None and earlier.donation is not None:
        donation, payment = earlier.donation, earlier
    else:
        breaker_require_closed(provider)
        with transaction.atomic():
            donation = Donation.objects.create(community=community, donor=donor, amount=amount, currency=currency,
                                               message=message, is_anonymous=is_anonymous)
            payment = payment_open(community_id=community.pk, user=donor, purpose=PaymentPurpose.DONATION,
                                   amount=amount, currency=currency, provider=provider, donation=donation,
                                   idempotency_key=idempotency_key)
    if payment.status == PaymentStatus.PENDING:
        payment = payment_execute(payment=payment, payment_method=payment_method)
    donation.refresh_from_db()
    if payment.status == PaymentStatus.FAILED:
        raise PaymentRequired(f"The payment was declined ({payment.failure_code}).", code="payment_declined",
                              donation_id=str(donation.pk))
    return donation
