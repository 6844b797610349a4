"""Demo subscription levels for `manage.py seed_demo` (idempotent): members can subscribe and donate."""

from decimal import Decimal
from typing import Any

from billing.models import SubscriptionLevel
from billing.services.levels import level_create

DEMO_LEVELS = {
    # community slug: [(name, price, currency, duration_days, benefits)]
    "python-developers-demo": [
        ("Supporter", "5.00", "USD", 30, ["Supporter badge", "Monthly Q&A"]),
        ("Patron", "15.00", "USD", 30, ["Everything in Supporter", "Early access to talks"]),
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
                level_create(community=community, name=name, price=Decimal(price), currency=currency,
                             duration_days=days, benefits=benefits)
    context["notes"].append("Subscription levels in python-developers-demo: Supporter, Patron. Pay with "
                            "payment_method pm_sandbox_ok (default), pm_sandbox_decline or pm_sandbox_pending; "
                            "money-moving POSTs need an Idempotency-Key header.")
