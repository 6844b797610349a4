"""Close the payment provider's circuit breaker by hand, after the provider is fixed."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.providers.breaker import breaker_reset


class Command(BaseCommand):
    help = ("Close the payment provider's circuit breaker now, for every process sharing its state "
            "(Redis, or the CACHE_DIR file cache under make run), and print the state it was in.")

    def add_arguments(self, parser: CommandParser) -> None:
        known = ", ".join(settings.BILLING_PROVIDERS)
        parser.add_argument("providers", nargs="*", metavar="PROVIDER",
                            help=f"provider name(s) from BILLING_PROVIDERS; default: all ({known})")

    def handle(self, *args: Any, providers: list[str], **options: Any) -> None:
        unknown = sorted(set(providers) - set(settings.BILLING_PROVIDERS))
        if unknown:
            raise CommandError(f"unknown provider(s) {', '.join(unknown)}; "
                               f"BILLING_PROVIDERS has {', '.join(settings.BILLING_PROVIDERS)}")
        for name in providers or settings.BILLING_PROVIDERS:
            self.stdout.write(f"{name}: {breaker_reset(name)} -> closed")
