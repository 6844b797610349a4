"""Every content endpoint has a row in one of the content RBAC tables."""

from django.urls import URLPattern, URLResolver, get_resolver

import importlib
import pkgutil

import tests.content

# Every tests/content/test_rbac_<resource>.py module with a MATRIX contributes its rows.
TABLES = [
    module.MATRIX
    for info in pkgutil.iter_modules(tests.content.__path__)
    if info.name.startswith("test_rbac_") and info.name != "test_rbac_complete"
    for module in [importlib.import_module(f"tests.content.{info.name}")]
]


def _content_endpoints() -> set[tuple[str, str]]:
    found = set()

    def walk(patterns: list) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and entry.callback.__module__.startswith("content."):
                callback = entry.callback
                if hasattr(callback, "actions"):
                    methods = callback.actions.keys()
                else:
                    methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(callback.view_class, m)]
                found.update((entry.name, m.upper()) for m in methods if m != "head")

    walk(get_resolver().url_patterns)
    return found


def test_every_content_endpoint_has_a_row():
    covered = set().union(*(set(table) for table in TABLES))
    missing = _content_endpoints() - covered
    assert not missing, f"add rows for: {sorted(missing)}"
