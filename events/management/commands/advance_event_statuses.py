"""Move events whose time has come: scheduled → ongoing → completed (what Celery beat does)."""

from typing import Any

from django.core.management.base import BaseCommand

from events.services.events import event_statuses_advance


class Command(BaseCommand):
    help = "Start events whose start has passed and complete those whose end has passed (safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = event_statuses_advance()
        self.stdout.write(f"started {result.started}, completed {result.completed} event(s)")
