"""Docs that cannot drift: every error code the apps raise is in docs/api.md, and the rules
the schema cannot state are the same in the docs and in the fuzz configuration."""

import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
APPS = ["community_service", "communities", "members", "content", "events", "billing", "analytics"]
API_DOC = (BASE_DIR / "docs" / "api.md").read_text()


def _raised_codes() -> set[str]:
    codes: set[str] = set()
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            codes |= set(re.findall(r'\bcode="([a-z_]+)"', path.read_text()))
    return codes


def test_every_error_code_the_apps_raise_is_documented_in_api_md():
    documented = set(re.findall(r"`([a-z_]+)`", API_DOC))
    assert _raised_codes() - documented == set()


def test_the_rules_beyond_the_schema_match_the_fuzz_hooks():
    hooks = (BASE_DIR / "community_service" / "devtools" / "fuzz" / "hooks.py").read_text()
    in_hooks = set(re.findall(r'^    "([a-z_]+)": \(\d', hooks, flags=re.M))
    section = API_DOC.split("### Rules beyond the schema", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith(("| `", "| ("))]
    in_docs = {code for row in rows for code in re.findall(r"`([a-z_]+)`", row[2])}
    assert in_hooks and in_hooks == in_docs
