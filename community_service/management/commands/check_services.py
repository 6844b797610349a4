"""Is every service the app needs reachable? Exit 0 if so, 1 if not (usable as a healthcheck)."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from community_service.management.base import DocumentedCommand
from community_service.observability.service_checks import SERVICE_CHECKS, services_check


class Command(DocumentedCommand):
    help = (
        "Check the services this process depends on and print one line each: database (SELECT 1),\n"
        "cache (Redis PING), task_broker (Celery's broker; 'eager' without one), event_broker (Kafka\n"
        "metadata or a RabbitMQ connection, per EVENT_BROKER_TYPE), storage (the S3 bucket, or a\n"
        "write to MEDIA_ROOT) and outbox (down when the oldest pending event is older than\n"
        "OUTBOX_LAG_ALERT_SECONDS). Exits 1 when any checked service is down, so it also serves as\n"
        "a container healthcheck."
    )

    examples = (
        "manage.py check_services",
        "manage.py check_services --only database --only task_broker   # a worker's healthcheck",
        "manage.py check_services --json",
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", action="append", default=[], choices=list(SERVICE_CHECKS),
                            help="Check only this service (repeatable). Default: all.")
        parser.add_argument("--json", action="store_true", help='Print {"name": {"up": bool, "detail": str}}.')

    def handle(self, *args: Any, only: list[str], json: bool, **options: Any) -> None:
        results = services_check(only or None)
        if json:
            self.stdout.write(_dumps({name: {"up": up, "detail": detail} for name, (up, detail) in results.items()}))
        else:
            for name, (_up, detail) in results.items():
                self.stdout.write(f"{name}: {detail}")
        down = [name for name, (up, _) in results.items() if not up]
        if down:
            raise CommandError(f"down: {', '.join(down)}", returncode=1)


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2)
