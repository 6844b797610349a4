"""Every content endpoint has a row in one of the content RBAC tables."""

import importlib
import pkgutil

import tests.content
from tests.routes import api_endpoints

# Every tests/content/test_rbac_<resource>.py module with a MATRIX contributes its rows.
TABLES = [
    module.MATRIX
    for info in pkgutil.iter_modules(tests.content.__path__)
    if info.name.startswith("test_rbac_") and info.name != "test_rbac_complete"
    for module in [importlib.import_module(f"tests.content.{info.name}")]
]


def test_every_content_endpoint_has_a_row():
    covered = set().union(*(set(table) for table in TABLES))
    missing = api_endpoints(view_modules=("content.",)) - covered
    assert not missing, f"add rows for: {sorted(missing)}"
