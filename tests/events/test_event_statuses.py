"""The status clock: scheduled → ongoing → completed by Celery beat or the management command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from events.models import EventStatus
from events.services.events import event_statuses_advance
from events.tasks import event_statuses_advance_task
from tests.events.world import event_make
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _timeline():
    community = CommunityFactory()
    return {
        "future": event_make(community, starts_in=HOUR),
        "started": event_make(community, starts_in=-HOUR, duration=2 * HOUR),
        "missed entirely": event_make(community, starts_in=-3 * HOUR, duration=HOUR),
        "running": event_make(community, starts_in=-HOUR, duration=2 * HOUR, status=EventStatus.ONGOING),
        "ran out": event_make(community, starts_in=-2 * HOUR, duration=HOUR, status=EventStatus.ONGOING),
        "cancelled": event_make(community, starts_in=-3 * HOUR, duration=HOUR, status=EventStatus.CANCELLED),
        "deleted": event_make(community, starts_in=-HOUR, deleted_at=timezone.now()),
    }


def _statuses(events: dict) -> dict[str, str]:
    for event in events.values():
        event.refresh_from_db()
    return {name: event.status for name, event in events.items()}


def test_events_start_and_complete_when_their_time_comes():
    events = _timeline()
    result = event_statuses_advance()
    assert (result.started, result.completed) == (1, 2)
    assert _statuses(events) == {
        "future": "scheduled", "started": "ongoing", "missed entirely": "completed", "running": "ongoing",
        "ran out": "completed", "cancelled": "cancelled", "deleted": "scheduled",
    }
    assert event_statuses_advance() == type(result)(started=0, completed=0)


def test_small_batches_still_reach_every_due_event():
    events = _timeline()
    result = event_statuses_advance(batch_size=1)
    assert (result.started, result.completed) == (1, 2)
    assert _statuses(events)["ran out"] == "completed"


def test_the_management_command_and_the_beat_task_do_the_same():
    events = _timeline()
    out = StringIO()
    call_command("advance_event_statuses", stdout=out)
    assert out.getvalue().strip() == "started 1, completed 2 event(s)"
    later = event_make(events["future"].community, starts_in=-HOUR)
    event_statuses_advance_task.apply()
    later.refresh_from_db()
    assert later.status == EventStatus.ONGOING


def test_beat_runs_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["event-statuses-advance"]
    assert entry["task"] == event_statuses_advance_task.name == "events.statuses_advance"
