"""Demo subscription levels for `manage.py seed_demo` (idempotent): members can subscribe and donate."""

from decimal import Decimal
from typing import Any

from django.db import connection

from billing.models import Donation, Subscription, SubscriptionLevel
from billing.services.donations import donation_create
from billing.services.levels import level_create
from billing.services.subscriptions import subscription_subscribe
from members.selectors.access import community_access

DEMO_LEVELS = {
    # community slug: [(name, price, currency, duration_days, benefits)]
    "python-developers-demo": [
        ("Supporter", "5.00", "USD", 30, ["Supporter badge", "Monthly Q&A"]),
        ("Patron", "15.00", "USD", 30, ["Everything in Supporter", "Early access to talks"]),
    ],
}
DEMO_SUBSCRIBERS = {
    # community slug: [(username, level name)]
    "python-developers-demo": [("carol", "Supporter"), ("dave", "Supporter"), ("erin", "Patron")],
}
DEMO_DONATIONS = {
    # community slug: [(donor, amount, currency, message, anonymous)]
    "python-developers-demo": [
        ("bob", "20.00", "USD", "Thanks for the meetups!", False),
        ("frank", "5.00", "EUR", "", True),
        ("carol", "10.00", "USD", "For the pizza.", False),
    ],
}


def seed(context: dict[str, Any]) -> None:
    """Levels for the demo communities members seeded (context["communities"] by slug)."""
    for slug, levels in DEMO_LEVELS.items():
        community = context.get("communities", {}).get(slug)
        if community is None:
            continue
        for name, price, currency, days, benefits in levels:
            if not SubscriptionLevel.objects.filter(community=community, name=name).exists():
                owner = community_access(community_id=community.pk, user=community.owner)  # holds billing.manage
                level_create(actor=owner, community=community, name=name, price=Decimal(price), currency=currency,
                             duration_days=days, benefits=benefits)
        _seed_money(community, context.get("users", {}))
    context["notes"].append("Subscription levels in python-developers-demo: Supporter, Patron. Pay with "
                            "payment_method pm_sandbox_ok (default), pm_sandbox_decline or pm_sandbox_pending; "
                            "money-moving POSTs take an optional Idempotency-Key header (a retry with it replays).")
    if context["scale"] == "large":
        seed_large()


def _seed_money(community: Any, users: dict[str, Any]) -> None:
    """Active subscribers and completed donations, paid through the sandbox provider (pm_sandbox_ok)."""
    levels = dict(SubscriptionLevel.objects.filter(community=community).values_list("name", "pk"))
    subscribed = set(Subscription.objects.filter(community=community).values_list("user__username", flat=True))
    for username, level in DEMO_SUBSCRIBERS.get(community.slug, []):
        if username in users and username not in subscribed:
            subscription_subscribe(community=community, user=users[username], level_id=levels[level],
                                   payment_method="pm_sandbox_ok")
    donors = set(Donation.objects.filter(community=community).values_list("donor__username", flat=True))
    for username, amount, currency, message, anonymous in DEMO_DONATIONS.get(community.slug, []):
        if username in users and username not in donors:
            donation_create(community=community, donor=users[username], amount=Decimal(amount), currency=currency,
                            message=message, is_anonymous=anonymous, payment_method="pm_sandbox_ok")


LARGE_DONATIONS = 200_000


def seed_large() -> None:
    """200,000 settled donations for `seed_demo --scale large`, 40% to scale-1, a tenth anonymous."""
    if Donation.objects.filter(message="scale donation").exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO billing_donation (id, community_id, donor_id, amount, currency, message, is_anonymous, status,
                                          completed_at, created_at, updated_at)
            SELECT gen_random_uuid(), c.id, u.id, round((1 + (n %% 5000) / 100.0)::numeric, 2),
                   (ARRAY['USD', 'EUR', 'RUB'])[1 + n %% 3], 'scale donation', n %% 10 = 0, 'completed',
                   now() - (n %% 180) * interval '1 day', now() - (n %% 180) * interval '1 day', now()
              FROM generate_series(1, %(n)s) AS n
              JOIN communities_community c ON c.slug = 'scale-' || CASE WHEN n %% 5 < 2 THEN 1 ELSE 2 + n %% 999 END
              JOIN members_user u ON u.username = 'scale-user-' || (1 + (n * 37) %% 100000)
            """,
            {"n": LARGE_DONATIONS},
        )
