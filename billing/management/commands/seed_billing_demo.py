"""Demo subscription levels for the demo communities (idempotent); `make run` calls it after seed_demo."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from billing.models import SubscriptionLevel
from billing.services.levels import level_create
from communities.models import Community

DEMO_LEVELS = {
    # community slug: [(name, price, currency, duration_days, benefits)]
    "python-developers-demo": [
        ("Supporter", "5.00", "USD", 30, ["Supporter badge", "Monthly Q&A"]),
        ("Patron", "15.00", "USD", 30, ["Everything in Supporter", "Early access to talks"]),
    ],
}


class Command(BaseCommand):
    help = "Create demo subscription levels (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        for slug, levels in DEMO_LEVELS.items():
            community = Community.objects.filter(slug=slug, deleted_at__isnull=True).first()
            if community is None:
                continue
            for name, price, currency, days, benefits in levels:
                if not SubscriptionLevel.objects.filter(community=community, name=name).exists():
                    level_create(community=community, name=name, price=Decimal(price), currency=currency,
                                 duration_days=days, benefits=benefits)
        self.stdout.write("Demo subscription levels: python-developers-demo (Supporter, Patron); "
                          "pay with payment_method pm_sandbox_ok (default), pm_sandbox_decline, pm_sandbox_pending.")
