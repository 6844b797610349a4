"""End subscriptions whose paid time is over, now, and print each one changed."""

from typing import Any

from django.core.management.base import BaseCommand

from billing.services.subscriptions import subscriptions_expire


class Command(BaseCommand):
    help = "End every subscription past expires_at (as the beat task does) and print what changed."

    def handle(self, *args: Any, **options: Any) -> None:
        ended = subscriptions_expire()
        for item in ended:
            self.stdout.write(f"ended {item.subscription_id} user={item.user_id} level={item.level_id} "
                              f"reason={item.reason} expires_at={item.expires_at.isoformat()}")
        self.stdout.write(f"{len(ended)} subscription(s) ended.")
