"""Donations and webhooks: every endpoint × every kind of caller (see tests/billing/world.py)."""

import pytest

from tests.billing.world import ACTORS, everyone, run_case

MATRIX = {
    ("donation-list", "GET"): (lambda w: (f"{w.c}/donations", None), everyone(200)),
    # Anyone signed in who can see the community may give, members or not.
    ("donation-list", "POST"): (lambda w: (f"{w.c}/donations", {"amount": "3.00", "currency": "USD"}),
                                {**everyone(201), "anonymous": 401}),
    ("donation-summary", "GET"): (lambda w: (f"{w.c}/donations/summary", None), everyone(200)),
    # The provider authenticates with its signature, whoever calls: unsigned is a 400 for all.
    ("billing-webhook", "POST"): (lambda w: ("/api/v1/billing/webhooks/sandbox", {"id": "evt_1"}),
                                  everyone(400, banned=400)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
