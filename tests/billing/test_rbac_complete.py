"""Every billing endpoint has a row in one of the billing RBAC tables."""

import importlib
import pkgutil

import tests.billing
from tests.routes import api_endpoints

TABLES = [
    module.MATRIX
    for info in pkgutil.iter_modules(tests.billing.__path__)
    if info.name.startswith("test_rbac_") and info.name != "test_rbac_complete"
    for module in [importlib.import_module(f"tests.billing.{info.name}")]
]


def test_every_billing_endpoint_has_a_row():
    covered = set().union(*(set(table) for table in TABLES))
    missing = api_endpoints(view_modules=("billing.",)) - covered
    assert not missing, f"add rows for: {sorted(missing)}"
