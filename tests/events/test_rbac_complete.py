"""Every events endpoint has a row in one of the events RBAC tables."""

import importlib
import pkgutil

import tests.events
from tests.routes import api_endpoints

# Every tests/events/test_rbac_<resource>.py module with a MATRIX contributes its rows.
TABLES = [
    module.MATRIX
    for info in pkgutil.iter_modules(tests.events.__path__)
    if info.name.startswith("test_rbac_") and info.name != "test_rbac_complete"
    for module in [importlib.import_module(f"tests.events.{info.name}")]
]


def test_every_events_endpoint_has_a_row():
    covered = set().union(*(set(table) for table in TABLES))
    endpoints = api_endpoints(view_modules=("events.",))
    assert len(endpoints) == 13
    missing = endpoints - covered
    assert not missing, f"add rows for: {sorted(missing)}"
