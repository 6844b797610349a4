"""Subscriptions: every endpoint × every kind of caller (see tests/billing/world.py)."""

import pytest

from tests.billing.world import ACTORS, MANAGERS, MEMBERS, allow, everyone, run_case
from tests.routes import url_for

# Subscribing needs an active membership (superadmins pass); the subscriber already has one.
SUBSCRIBE = {**allow(201, MEMBERS - {"subscriber"}), "subscriber": 409}
# One subscription: its subscriber acts; managers may read it but not act; everyone else: 404.
OWN = {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "subscriber": 200}
READ = {**OWN, **dict.fromkeys(MANAGERS, 200)}
ACT = {**OWN, **dict.fromkeys(MANAGERS, 403)}

MATRIX = {
    ("subscription-list", "GET"): (
        lambda w: (url_for("subscription-list", community_pk=w.community.pk), None), everyone(200),
    ),
    ("subscription-list", "POST"): (
        lambda w: (url_for("subscription-list", community_pk=w.community.pk), {"level_id": str(w.premium.pk)}),
        SUBSCRIBE,
    ),
    ("my-subscriptions", "GET"): (lambda w: (url_for("my-subscriptions"), None), {**everyone(200, banned=200),
                                                                                  "anonymous": 401}),
    ("subscription-detail", "GET"): (
        lambda w: (url_for("subscription-detail", subscription_id=w.subscription.pk), None), READ,
    ),
    ("subscription-cancel", "POST"): (
        lambda w: (url_for("subscription-cancel", subscription_id=w.subscription.pk), {}), ACT,
    ),
    ("subscription-renew", "POST"): (
        lambda w: (url_for("subscription-renew", subscription_id=w.subscription.pk), {}), ACT,
    ),
    ("subscription-upgrade", "POST"): (
        lambda w: (url_for("subscription-upgrade", subscription_id=w.subscription.pk),
                   {"level_id": str(w.premium.pk)}),
        ACT,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
