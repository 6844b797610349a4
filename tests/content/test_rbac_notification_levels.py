"""My notification levels in a community: every endpoint × every kind of caller (see world.py).

Active members (muted ones too) have levels; everyone else hears nothing of the community anyway."""

import pytest

from tests.content.world import ACTORS, SPEAKERS, allow, run_case
from tests.routes import url_for

MEMBERS = SPEAKERS | {"muted"}  # a muted member still chooses what to hear; the superadmin bypasses

MATRIX = {
    ("notification-levels", "GET"): (
        lambda w: (url_for("notification-levels", community_pk=w.community.pk), None), allow(200, MEMBERS)),
    ("notification-levels", "PUT"): (
        lambda w: (url_for("notification-levels", community_pk=w.community.pk), {"level": "watching"}),
        allow(200, MEMBERS)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
