"""Delete published outbox rows older than the retention (pending and failed rows stay)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from community_service.outbox.services import outbox_prune


class Command(BaseCommand):
    help = "Delete published outbox events older than --days (default OUTBOX_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.OUTBOX_RETENTION_DAYS,
                            help="Keep published events younger than this many days (pending and failed are kept).")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        deleted = outbox_prune(older_than=timedelta(days=days))
        self.stdout.write(f"pruned {deleted} published events older than {days} days")
