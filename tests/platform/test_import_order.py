"""Every module of every app imports in any order: no import circles hide behind load order.

`lint-imports` (make lint) checks the layer contracts; this checks the modules really load
when something other than Django's own app order imports them first.
"""

import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

APPS = ("community_service", "communities", "members", "content", "events", "billing", "analytics")


def _all_modules() -> list[str]:
    root = Path(settings.BASE_DIR)
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if "migrations" in relative.parts or relative.name == "settings_test":
                continue
            # The fuzz harness needs requirements/fuzz.txt, which only `make fuzz` installs.
            if relative.parts[:3] == ("community_service", "devtools", "fuzz"):
                continue
            found.append(".".join(relative.parts).removesuffix(".__init__"))
    return found


def _import_in_order(modules: list[str]) -> subprocess.CompletedProcess:
    script = (
        "import importlib, sys, django\n"
        "django.setup()\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *modules], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("order", ["forward", "reverse", "shuffled"])
def test_every_app_module_imports_in_any_order(order):
    modules = _all_modules()
    if order == "reverse":
        modules.reverse()
    elif order == "shuffled":
        random.Random(2026).shuffle(modules)
    result = _import_in_order(modules)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(modules) > 100  # the walk found the apps' modules
