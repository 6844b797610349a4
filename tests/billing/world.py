"""A shared setting for billing tests and RBAC tables: the cast of tests/rbac_world.py, two
levels, "subscriber" with an active subscription to the cheaper one and a completed donation."""

import functools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from billing.models import Donation, Subscription, SubscriptionLevel, SubscriptionStatus
from tests import rbac_world
from tests.factories import DonationFactory, SubscriptionFactory, SubscriptionLevelFactory
from tests.rbac_world import Cast, actors, case_run, cast_build

ACTORS = actors("subscriber")
MANAGERS = {"admin", "owner", "superadmin"}  # hold billing.manage and donation.view
MEMBERS = {"member", "muted", "subscriber", "moderator", "admin", "owner", "superadmin"}
allow = functools.partial(rbac_world.allow, ACTORS)
everyone = functools.partial(rbac_world.everyone, ACTORS)


def level_create(community: object, *, name: str = "Supporter", price: str = "5.00", currency: str = "USD",
                 duration_days: int = 30, **fields: object) -> SubscriptionLevel:
    """SubscriptionLevelFactory with the community first (not the level_create service)."""
    fields.setdefault("benefits", [])
    return SubscriptionLevelFactory(community=community, name=name, price=Decimal(price), currency=currency,
                                    duration_days=duration_days, **fields)


def subscription_active(level: SubscriptionLevel, user: object, *, days_left: float = 20,
                        status: str = SubscriptionStatus.ACTIVE) -> Subscription:
    """SubscriptionFactory: `days_left` of the level's period to run."""
    return SubscriptionFactory(level=level, user=user, days_left=days_left, status=status)


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
    donation = DonationFactory(community=community, donor=users["subscriber"], amount=Decimal("7.50"), message="")
    return World(community=community, users=users, level=level, premium=premium, subscription=subscription,
                 donation=donation)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor` (money POSTs with a fresh
    Idempotency-Key), compare with the table."""
    case_run(build_world(), matrix, endpoint, actor, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
