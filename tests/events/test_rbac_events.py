"""Events and calendars: every endpoint × every kind of caller (see tests/events/world.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.events.world import ACTORS, CREATORS, MANAGERS, allow, everyone, run_case

ORGANISERS = MANAGERS | {"organizer"}


def _new_event(w) -> dict:
    starts = timezone.now() + timedelta(days=3)
    return {"title": "Sprint", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat(),
            "location": "Library"}


def _full_edit(w) -> dict:
    return {"title": "Renamed", "starts_at": w.event.starts_at.isoformat(), "ends_at": w.event.ends_at.isoformat()}


MATRIX = {
    ("event-list", "GET"): (lambda w: (f"{w.c}/events", None), everyone(200)),
    ("event-list", "POST"): (lambda w: (f"{w.c}/events", _new_event(w)), allow(201, CREATORS)),
    ("event-detail", "GET"): (lambda w: (w.e, None), everyone(200)),
    ("event-detail", "PUT"): (lambda w: (w.e, _full_edit(w)), allow(200, ORGANISERS)),
    ("event-detail", "PATCH"): (lambda w: (w.e, {"capacity": 5}), allow(200, ORGANISERS)),
    ("event-detail", "DELETE"): (lambda w: (w.e, None), allow(204, ORGANISERS)),
    ("event-cancel", "POST"): (lambda w: (f"{w.e}/cancel", {"reason": "Venue closed"}), allow(200, ORGANISERS)),
    ("event-ical", "GET"): (lambda w: (f"{w.e}/ical", None), everyone(200)),
    ("event-feed", "GET"): (lambda w: (f"{w.c}/events.ics", None), everyone(200)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
