"""Billing's reactions to hooks sent by the layers below (connected in BillingConfig.ready)."""

import functools
from typing import Any

from billing.models import Donation, DonationStatus, Subscription, SubscriptionStatus
from billing.selectors.donations import donation_summary_invalidate
from billing.services.subscriptions import subscription_cancel
from community_service.cache.aside import invalidate_around_commit
from community_service.exceptions import DomainError
from members.models import User


def forget_summaries_naming(*, user: User, **kwargs: Any) -> None:
    """A renamed user's name is in the top-donor lists of the communities they gave to by name."""
    named_in = (Donation.objects.filter(donor=user, status=DonationStatus.COMPLETED, is_anonymous=False)
                .values_list("community_id", flat=True).distinct())
    for community_id in named_in:
        invalidate_around_commit(functools.partial(donation_summary_invalidate, community_id))


def stop_renewals_of_closed_account(*, user: User, **kwargs: Any) -> None:
    """A closed account pays for nothing more: its active subscriptions stop renewing (as the
    user's own cancel: access lasts until expires_at, subscription.cancelled events)."""
    for subscription in Subscription.objects.filter(user=user, status=SubscriptionStatus.ACTIVE, ended_at__isnull=True):
        try:
            subscription_cancel(subscription=subscription, user=user)
        except DomainError:  # ended or changed meanwhile: nothing left to stop
            continue
