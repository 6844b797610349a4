"""RSVP and participants: every endpoint × every kind of caller (see tests/events/world.py).

Registering needs an active membership (muted members may: an RSVP is not speech); a
superadmin who is not a member cannot attend either. The organiser is already going: 200.
"""

import pytest

from tests.events.world import ACTORS, MEMBERS, allow, everyone, run_case
from tests.routes import url_for

REGISTER = {**allow(201, MEMBERS), "organizer": 200}

MATRIX = {
    ("event-registration", "POST"): (lambda w: (url_for("event-registration", event_id=w.event.pk), None), REGISTER),
    # Idempotent: withdrawing without a registration is a 204 too.
    ("event-registration", "DELETE"): (lambda w: (url_for("event-registration", event_id=w.event.pk), None),
                                       {**everyone(204), "anonymous": 401}),
    ("event-participants", "GET"): (lambda w: (url_for("event-participants", event_id=w.event.pk), None),
                                    allow(200, MEMBERS | {"superadmin"})),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
