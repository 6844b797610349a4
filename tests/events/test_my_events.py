"""GET /me/events: the caller's events in every community (Meetup's "Your events")."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Community
from events.models import Event, EventStatus, Registration, RegistrationStatus
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db
MINE = url_for("my-events")


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def me():
    return UserFactory()


@pytest.fixture
def two_communities(me):
    """The caller is a member of both; each has events they are and are not registered for."""
    communities = [CommunityFactory(name="Chess club"), CommunityFactory(name="Go club", community_type="private")]
    for community in communities:
        member_add(community, user=me)
    return communities


def test_your_upcoming_events_in_every_community_soonest_first_with_your_registration(me, two_communities):
    chess, go = two_communities
    later = event_make(chess, title="Chess later", starts_in=timedelta(days=5))
    sooner = event_make(go, title="Go sooner", starts_in=timedelta(days=1), capacity=1)
    event_make(chess, title="Not registered", starts_in=timedelta(days=2))
    registration_make(later, me)
    registration_make(sooner, member_add(go))  # takes the one seat
    registration_make(sooner, me, status=RegistrationStatus.WAITLISTED)
    response = client_for(me).get(MINE)
    assert _titles(response) == ["Go sooner", "Chess later"]
    first, second = response.json()["items"]
    assert first["community"] == {"id": str(go.pk), "name": "Go club", "slug": go.slug}
    assert first["my_registration"] == {"status": "waitlisted", "waitlist_position": 1}
    assert second["my_registration"] == {"status": "going", "waitlist_position": None}
    # What depends on the caller's rights in each community is on the event's own page.
    assert "online_url" not in first and "can_manage" not in first and "has_online_url" in first
    assert response.json()["total"] == 2


def test_withdrawn_deleted_and_past_events_and_deleted_communities_are_left_out(me, two_communities):
    chess, go = two_communities
    withdrawn, deleted, past, in_deleted, cancelled = (
        event_make(chess, title="Withdrawn"), event_make(chess, title="Deleted"),
        event_make(chess, title="Past", starts_in=timedelta(days=-3)), event_make(go, title="Gone community"),
        event_make(chess, title="Cancelled"),
    )
    for event in (withdrawn, deleted, past, in_deleted, cancelled):
        registration_make(event, me)
    Registration.objects.filter(event=withdrawn).update(status=RegistrationStatus.CANCELLED,
                                                        cancelled_at=timezone.now())
    Event.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    Community.objects.filter(pk=go.pk).update(deleted_at=timezone.now())
    Event.objects.filter(pk=cancelled.pk).update(status=EventStatus.CANCELLED, cancel_reason="Rain",
                                                 cancelled_at=timezone.now())
    api = client_for(me)
    # A cancelled event stays (the registration is the record of who meant to come), marked so.
    assert _titles(api.get(MINE)) == ["Cancelled"]
    assert api.get(MINE).json()["items"][0]["status"] == "cancelled"
    assert _titles(api.get(MINE, {"when": "past"})) == ["Past"]
    assert _titles(api.get(MINE, {"when": "all"})) == ["Past", "Cancelled"]


def test_nobody_elses_registrations_show(me, two_communities):
    chess, _ = two_communities
    registration_make(event_make(chess, title="Theirs"), member_add(chess))
    assert _titles(client_for(me).get(MINE)) == []
    assert _titles(client_for(UserFactory()).get(MINE)) == []


def test_the_list_costs_the_same_queries_for_two_events_or_ten(me, two_communities):
    def queries(n: int) -> int:
        for i in range(n):
            registration_make(event_make(two_communities[i % 2], title=f"E{i}", starts_in=timedelta(days=i + 1)), me)
        api = client_for(me)
        api.get(MINE)  # the bearer's user row is cached from here on
        with CaptureQueriesContext(connection) as captured:
            assert len(_titles(api.get(MINE, {"page_size": 50}))) >= n
        return len(captured)

    assert queries(2) == queries(8)


def test_a_cursor_walks_the_same_order_and_bad_filters_are_named(me, two_communities):
    for i in range(3):
        registration_make(event_make(two_communities[0], title=f"E{i}", starts_in=timedelta(days=i + 1)), me)
    api = client_for(me)
    page = api.get(MINE, {"cursor": "", "page_size": 2}).json()
    assert [item["title"] for item in page["items"]] == ["E0", "E1"] and page["next"]
    assert [item["title"] for item in api.get(page["next"]).json()["items"]] == ["E2"]
    response = api.get(MINE, {"when": "someday"})
    assert response.status_code == 400 and "when" in response.json()


def test_anonymous_callers_get_a_401():
    from rest_framework.test import APIClient

    assert APIClient().get(MINE).status_code == 401
