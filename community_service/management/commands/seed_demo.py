"""Load a small, idempotent demo data set, asking each app for its part.

The platform sits below every app, so it imports none of them: each app that has demo
data provides `<app>/demo.py` with `seed(context)`, run in INSTALLED_APPS order (the
layer order), so an app finds what the apps below it seeded in `context`.

`--scale large` adds a data set for benchmarks (about 1,000 communities, 100,000 users,
1,000,000 posts and 2,000,000 likes, one community holding a large share), generated
inside PostgreSQL in bulk; each app's demo.py adds its part when `context["scale"]` says so.
"""

from argparse import ArgumentParser
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create demo users, communities and content (safe to run repeatedly). "
        "Each app with a demo.py adds its part; the accounts and password are printed at the end. "
        "--scale large adds the benchmark data set (a few minutes; progress bars on a terminal)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", choices=["small", "large"], default="small",
                            help="small: a few users and communities (default); large: the benchmark data set.")

    def handle(self, *args: Any, scale: str, **options: Any) -> None:
        with transaction.atomic():
            context = self._seed(scale)
        for line in context["notes"]:
            self.stdout.write(line)

    def _seed(self, scale: str) -> dict[str, Any]:
        context: dict[str, Any] = {"notes": [], "scale": scale, "progress": self.stdout.isatty()}
        for app in apps.get_app_configs():
            if find_spec(f"{app.name}.demo") is None:
                continue
            import_module(f"{app.name}.demo").seed(context)
        return context
