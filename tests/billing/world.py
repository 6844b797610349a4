"""A shared setting for billing tests and RBAC tables: one public community with a level,
a caller of every kind, a subscriber with an active subscription and a completed donation."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Donation, DonationStatus, Subscription, SubscriptionLevel, SubscriptionStatus
from members.models import MemberStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add

ACTORS = ["anonymous", "non_member", "pending", "member", "muted", "subscriber", "moderator", "admin", "owner",
          "superadmin", "banned"]  # fmt: skip
MANAGERS = {"admin", "owner", "superadmin"}  # hold billing.manage and donation.view
MEMBERS = {"member", "muted", "subscriber", "moderator", "admin", "owner", "superadmin"}


def allow(ok: int, who: set[str], *, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    return {actor: ok if actor in who else (anonymous if actor == "anonymous" else other) for actor in ACTORS}


def everyone(ok: int, *, banned: int | None = 403) -> dict[str, int]:
    table = dict.fromkeys(ACTORS, ok)
    if banned is not None:
        table["banned"] = banned
    return table


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
class World:
    community: object
    users: dict
    level: SubscriptionLevel
    premium: SubscriptionLevel
    subscription: Subscription
    donation: Donation
    extra: dict = field(default_factory=dict)

    def client(self, actor: str) -> APIClient:
        if actor == "anonymous":
            return APIClient()
        return client_for(self.users[actor], is_superadmin=actor == "superadmin")


def build_world() -> World:
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="public")

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> object:
        return member_add(community, role=role, status=status, **fields)

    users = {
        "owner": owner,
        "admin": add(role="Admin"),
        "moderator": add(role="Moderator"),
        "member": add(),
        "subscriber": add(),
        "muted": add(muted_until=timezone.now() + timedelta(hours=1)),
        "pending": add(status=MemberStatus.PENDING, role=None),
        "banned": add(status=MemberStatus.BANNED, role=None),
        "non_member": UserFactory(),
        "superadmin": UserFactory(),
    }
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
    build, expected = matrix[endpoint]
    world = build_world()
    url, body = build(world)
    client = world.client(actor)
    response = getattr(client, endpoint[1].lower())(url, body, format="json",
                                                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == expected[actor], (endpoint, actor, getattr(response, "content", None))
