"""Donations and webhooks: every endpoint × every kind of caller (see tests/billing/world.py)."""

import pytest

from tests.billing.world import ACTORS, everyone, run_case
from tests.routes import url_for

MATRIX = {
    ("donation-list", "GET"): (lambda w: (url_for("donation-list", community_pk=w.community.pk), None), everyone(200)),
    # Anyone signed in who can see the community may give, members or not.
    ("donation-list", "POST"): (
        lambda w: (url_for("donation-list", community_pk=w.community.pk), {"amount": "3.00", "currency": "USD"}),
        {**everyone(201), "anonymous": 401},
    ),
    ("donation-summary", "GET"): (
        lambda w: (url_for("donation-summary", community_pk=w.community.pk), None), everyone(200),
    ),
    # The provider authenticates with its signature, whoever calls: unsigned is a 400 for all.
    ("billing-webhook", "POST"): (lambda w: (url_for("billing-webhook", provider="sandbox"), {"id": "evt_1"}),
                                  everyone(400, banned=400)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
