"""Writes for donations: give (pending → completed | failed through its payment)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from billing.models import Donation, PaymentPurpose, PaymentStatus
from billing.money import amount_check, currency_normalise
from billing.providers.breaker import breaker_require_closed
from billing.services.payments import payment_execute, payment_open, payment_to_resume
from communities.models import Community
from community_service.exceptions import PaymentRequired
from members.models import User


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
    earlier = payment_to_resume(user=donor, idempotency_key=idempotency_key, community_id=community.pk,
                                purpose=PaymentPurpose.DONATION, amount=amount, currency=currency)
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
