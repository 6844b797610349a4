"""Load a small, idempotent demo data set, asking each app for its part.

The platform sits below every app, so it imports none of them: each app that has demo
data provides `<app>/demo.py` with `seed(context)`, run in INSTALLED_APPS order (the
layer order), so an app finds what the apps below it seeded in `context`.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create demo users, communities and content (safe to run repeatedly). "
        "Each app with a demo.py adds its part; the accounts and password are printed at the end."
    )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        context: dict[str, Any] = {"notes": []}
        for app in apps.get_app_configs():
            if find_spec(f"{app.name}.demo") is None:
                continue
            import_module(f"{app.name}.demo").seed(context)
        for line in context["notes"]:
            self.stdout.write(line)
