"""Billing's reactions to hooks sent by the layers below (connected in BillingConfig.ready)."""

import functools
from typing import Any

from billing.models import Donation, DonationStatus
from billing.selectors.donations import donation_summary_invalidate
from community_service.cache import invalidate_around_commit
from members.models import User


def forget_summaries_naming(*, user: User, **kwargs: Any) -> None:
    """A renamed user's name is in the top-donor lists of the communities they gave to by name."""
    named_in = (Donation.objects.filter(donor=user, status=DonationStatus.COMPLETED, is_anonymous=False)
                .values_list("community_id", flat=True).distinct())
    for community_id in named_in:
        invalidate_around_commit(functools.partial(donation_summary_invalidate, community_id))
