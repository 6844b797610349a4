"""Run the in-process subscribers over their pending events now (what beat's sweep does)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from community_service.outbox.subscribers import (
    deliveries_retry_failed,
    subscriber_dispatch,
    subscribers,
)


class Command(BaseCommand):
    help = "Hand pending domain events to the in-process subscribers; --retry-failed resends failed ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--subscriber", help="Only this subscriber (default: every registered one).")
        parser.add_argument("--retry-failed", action="store_true", help="Make failed rows pending first.")

    def handle(self, *args: Any, subscriber: str | None, retry_failed: bool, **options: Any) -> None:
        known = subscribers()
        if subscriber is not None and subscriber not in known:
            raise CommandError(f"No subscriber {subscriber!r}; registered: {', '.join(sorted(known)) or 'none'}.")
        if retry_failed:
            self.stdout.write(f"requeued {deliveries_retry_failed(subscriber=subscriber)} failed delivery(ies)")
        for name in [subscriber] if subscriber else sorted(known):
            stats = subscriber_dispatch(name)
            self.stdout.write(
                f"{name}: handled {stats.handled}, retrying {stats.retrying}, failed {stats.failed}"
                + (" (another dispatcher held the lock)" if stats.lock_busy else "")
            )
