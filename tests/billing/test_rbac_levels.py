"""Subscription levels: every endpoint × every kind of caller (see tests/billing/world.py)."""

import pytest

from tests.billing.world import ACTORS, MANAGERS, allow, everyone, run_case
from tests.routes import url_for

MATRIX = {
    ("level-list", "GET"): (lambda w: (url_for("level-list", community_pk=w.community.pk), None), allow(200, MANAGERS)),
    ("level-list", "POST"): (
        lambda w: (url_for("level-list", community_pk=w.community.pk),
                   {"name": "Gold", "price": "25.00", "currency": "EUR", "duration_days": 30}),
        allow(201, MANAGERS),
    ),
    ("level-reorder", "POST"): (
        lambda w: (url_for("level-reorder", community_pk=w.community.pk),
                   {"level_ids": [str(w.premium.pk), str(w.level.pk)]}),
        allow(200, MANAGERS),
    ),
    ("level-detail", "GET"): (lambda w: (url_for("level-detail", level_id=w.level.pk), None), everyone(200)),
    ("level-detail", "PATCH"): (lambda w: (url_for("level-detail", level_id=w.level.pk), {"description": "Thanks!"}),
                                allow(200, MANAGERS)),
    # The level has a subscriber, so it is archived (200), not deleted.
    ("level-detail", "DELETE"): (lambda w: (url_for("level-detail", level_id=w.level.pk), None),
                                 allow(200, MANAGERS)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
