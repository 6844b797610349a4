"""Events and registrations in the moderation console; cancelling goes through the service."""

import pytest
from django.test import Client
from django.urls import reverse

from community_service.outbox.models import OutboxEvent
from events.models import EventStatus
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.mark.parametrize("model", ["event", "registration"])
def test_list_search_filter_and_detail_pages_load(staff_client, model):
    community = CommunityFactory()
    event = event_make(community, title="Python night")
    registration = registration_make(event, member_add(community))
    url = reverse(f"admin:events_{model}_changelist")
    assert staff_client.get(url).status_code == 200
    assert staff_client.get(url, {"q": "Python"}).status_code == 200
    assert staff_client.get(url, {"status__exact": "going" if model == "registration" else "scheduled"}
                            ).status_code == 200
    obj = event if model == "event" else registration
    assert staff_client.get(reverse(f"admin:events_{model}_change", args=[obj.pk])).status_code == 200


def test_cancelling_from_the_console_tells_registrants(staff_client):
    community = CommunityFactory()
    event = event_make(community)
    done = event_make(community, status=EventStatus.COMPLETED)
    attendee = member_add(community)
    registration_make(event, attendee)
    response = staff_client.post(reverse("admin:events_event_changelist"),
                                 {"action": "cancel_events", "_selected_action": [str(event.pk), str(done.pk)],
                                  "index": 0, "confirmed": "yes"})
    assert response.status_code == 302
    event.refresh_from_db()
    done.refresh_from_db()
    assert (event.status, event.cancel_reason, done.status) == ("cancelled", "Cancelled by staff.", "completed")
    row = OutboxEvent.objects.get(event_type="event.cancelled")
    assert row.payload["registrant_user_ids"] == [str(attendee.pk)]
    assert row.metadata["actor_id"] == str(staff_client.staff.pk)
