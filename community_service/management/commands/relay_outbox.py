"""Publish pending outbox rows now (what the Celery beat relay does every few seconds)."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from community_service.outbox.selectors import outbox_lag
from community_service.outbox.services import outbox_relay, outbox_retry_failed


class Command(BaseCommand):
    help = "Publish pending domain events in order, in batches; --retry-failed resends failed ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=settings.OUTBOX_RELAY_BATCH_SIZE,
                            help="Events per broker round trip and transaction (default OUTBOX_RELAY_BATCH_SIZE).")
        parser.add_argument(
            "--min-age", type=float, default=settings.OUTBOX_RELAY_MIN_AGE_SECONDS,
            help="Only rows older than this many seconds (younger ones are the after-commit path's).",
        )
        parser.add_argument("--retry-failed", action="store_true", help="Make failed rows pending first.")

    def handle(self, *args: Any, batch_size: int, min_age: float, retry_failed: bool, **options: Any) -> None:
        if retry_failed:
            self.stdout.write(f"requeued {outbox_retry_failed()} failed event(s)")
        stats = outbox_relay(min_age=min_age, batch_size=batch_size)
        lag = outbox_lag()
        self.stdout.write(
            f"published {stats.published}, retrying {stats.retrying}, failed {stats.failed} "
            f"in {stats.batches} batch(es); pending {lag.pending}, failed total {lag.failed}"
            + (" (another publisher held the lock)" if stats.lock_busy else "")
        )
