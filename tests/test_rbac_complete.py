"""Every endpoint of an app has a row in one of the app's RBAC tables.

Each tests/<app>/test_rbac_<resource>.py module with a MATRIX contributes its rows; members
and communities keep theirs in one table with its own check (tests/members/test_rbac_matrix.py).
"""

import importlib
import pkgutil

import pytest

from tests.routes import api_endpoints

# app -> how many endpoints it has, where the count is pinned (a route that vanishes from the
# URLconf would otherwise pass unnoticed), else None.
APPS = {"content": None, "events": 13, "billing": None, "analytics": 3}


def matrix_rows(app: str) -> set[tuple[str, str]]:
    package = importlib.import_module(f"tests.{app}")
    modules = [importlib.import_module(f"tests.{app}.{info.name}") for info in pkgutil.iter_modules(package.__path__)
               if info.name.startswith("test_rbac_")]
    return set().union(*(set(module.MATRIX) for module in modules))


@pytest.mark.parametrize("app", APPS)
def test_every_endpoint_of_the_app_has_a_row(app):
    endpoints = api_endpoints(view_modules=(f"{app}.",))
    if APPS[app] is not None:
        assert len(endpoints) == APPS[app]

    missing = endpoints - matrix_rows(app)

    assert not missing, f"add rows for: {sorted(missing)}"
