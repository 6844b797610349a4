"""Events and calendars: every endpoint × every kind of caller (see tests/events/world.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.events.world import ACTORS, CREATORS, MANAGERS, allow, everyone, run_case
from tests.routes import url_for

ORGANISERS = MANAGERS | {"organizer"}


def _new_event(w) -> dict:
    starts = timezone.now() + timedelta(days=3)
    return {"title": "Sprint", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "location": "Library"}


def _full_edit(w) -> dict:
    return {"title": "Renamed", "starts_at": w.event.starts_at.isoformat(), "ends_at": w.event.ends_at.isoformat()}


MATRIX = {
    ("event-list", "GET"): (lambda w: (url_for("event-list", community_pk=w.community.pk), None), everyone(200)),
    # Your own list: anyone signed in (a banned member's has nothing of that community).
    ("my-events", "GET"): (lambda w: (url_for("my-events"), None), {**everyone(200, banned=None), "anonymous": 401}),
    ("event-list", "POST"): (lambda w: (url_for("event-list", community_pk=w.community.pk), _new_event(w)),
                             allow(201, CREATORS)),
    ("event-detail", "GET"): (lambda w: (url_for("event-detail", event_id=w.event.pk), None), everyone(200)),
    ("event-detail", "PUT"): (lambda w: (url_for("event-detail", event_id=w.event.pk), _full_edit(w)),
                              allow(200, ORGANISERS)),
    ("event-detail", "PATCH"): (lambda w: (url_for("event-detail", event_id=w.event.pk), {"capacity": 5}),
                                allow(200, ORGANISERS)),
    ("event-detail", "DELETE"): (lambda w: (url_for("event-detail", event_id=w.event.pk), None),
                                 allow(204, ORGANISERS)),
    ("event-cancel", "POST"): (lambda w: (url_for("event-cancel", event_id=w.event.pk), {"reason": "Venue closed"}),
                               allow(200, ORGANISERS)),
    ("event-ical", "GET"): (lambda w: (url_for("event-ical", event_id=w.event.pk), None), everyone(200)),
    ("event-feed", "GET"): (lambda w: (url_for("event-feed", community_pk=w.community.pk), None), everyone(200)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
