"""A shared setting for billing tests and RBAC tables: the cast of tests/rbac_world.py, two
levels, "subscriber" with an active subscription to the cheaper one and a completed donation."""

import functools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.models import Donation, DonationStatus, Subscription, SubscriptionLevel, SubscriptionStatus
from tests import rbac_world
from tests.rbac_world import Cast, actors, case_run, cast_build

ACTORS = actors("subscriber")
MANAGERS = {"admin", "owner", "superadmin"}  # hold billing.manage and donation.view
MEMBERS = {"member", "muted", "subscriber", "moderator", "admin", "owner", "superadmin"}
allow = functools.partial(rbac_world.allow, ACTORS)
everyone = functools.partial(rbac_world.everyone, ACTORS)


def level_create(community: object, *, name: str = "Supporter", price: str = "5.00", currency: str = "USD",
                 duration_days: int = 30, **fields: object) -> SubscriptionLevel:
    return SubscriptionLevel.objects.create(community=community, name=name, price=Decimal(price), currency=currency,
                                            duration_days=duration_days, **fields)


def subscription_active(level: SubscriptionLevel, user: object, *, days_left: float = 20,
                        status: str = SubscriptionStatus.ACTIVE) -> Subscription:
    now = timezone.now()
    return Subscription.objects.create(
        level=level, user=user, community=level.community, status=status,
        starts_at=now - timedelta(days=level.duration_days - days_left), expires_at=now + timedelta(days=days_left),
    )


@dataclass
class World(Cast):
    level: SubscriptionLevel
    premium: SubscriptionLevel
    subscription: Subscription
    donation: Donation
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    cast = cast_build("subscriber")
    community, users = cast.community, cast.users
    level = level_create(community, name="Supporter", price="5.00", position=0)
    premium = level_create(community, name="Premium", price="15.00", position=1)
    subscription = subscription_active(level, users["subscriber"])
    donation = Donation.objects.create(community=community, donor=users["subscriber"], amount=Decimal("7.50"),
                                       currency="USD", status=DonationStatus.COMPLETED, completed_at=timezone.now())
    return World(community=community, users=users, level=level, premium=premium, subscription=subscription,
                 donation=donation)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor` (money POSTs with a fresh
    Idempotency-Key), compare with the table."""
    case_run(build_world(), matrix, endpoint, actor, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
