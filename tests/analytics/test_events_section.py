"""The events sections against hand-counted events and RSVPs.

Two days ago (D1): E1 completed, 10 seats, a and b going, c cancelled; E2 completed, no
capacity, a going; E3 cancelled; E4 completed but deleted (never counts). 40 days ago: E5
completed, a going. Upcoming: F1 in 3 days with 1 seat (a going, b and c waitlisted: full),
F2 in 10 days without capacity (d going).
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.selectors.communities import community_analytics
from analytics.selectors.members import member_analytics
from analytics.selectors.ranges import day_range
from events.models import EventStatus, RegistrationStatus
from members.models import Member
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, RegistrationFactory, member_add

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
D1 = TODAY - dt.timedelta(days=2)
RANGE = day_range(since=D1, until=TODAY)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(18), tzinfo=dt.UTC)


@pytest.fixture
def meetups():
    community = CommunityFactory()
    a, b, c, d = (member_add(community) for _ in range(4))
    completed = {"status": EventStatus.COMPLETED}
    e1 = event_make(community, starts_at=at(D1), capacity=10, **completed)
    registration_make(e1, a), registration_make(e1, b)
    RegistrationFactory(event=e1, user=c, cancelled=True, position=99, registered_at=at(D1), cancelled_at=at(D1))
    registration_make(event_make(community, starts_at=at(D1), **completed), a)
    event_make(community, starts_at=at(D1), capacity=5, status=EventStatus.CANCELLED)
    registration_make(event_make(community, starts_at=at(D1), deleted_at=timezone.now(), **completed), b)
    registration_make(event_make(community, starts_at=at(TODAY - dt.timedelta(days=40)), capacity=4, **completed),
                      a)
    f1 = event_make(community, starts_in=dt.timedelta(days=3), capacity=1)
    registration_make(f1, a)
    registration_make(f1, b, RegistrationStatus.WAITLISTED), registration_make(f1, c, RegistrationStatus.WAITLISTED)
    registration_make(event_make(community, starts_in=dt.timedelta(days=10)), d)
    community.refresh_from_db()
    return {"community": community, "a": a, "b": b, "f1": f1}


def _member(community, user):
    return Member.objects.get(community=community, user=user)


def test_the_community_section_counts_upcoming_demand_and_held_events(meetups):
    section = community_analytics(community=meetups["community"], days=RANGE)["events"]
    assert section == {
        "upcoming": 2, "next_starts_at": meetups["f1"].starts_at, "upcoming_going": 2, "waitlisted": 2,
        "full_upcoming": 1, "held": 2, "cancelled": 1, "going_at_held": 3,
        "attendance_rate": 0.2,  # E1 only has seats: 2 going of 10
    }


def test_a_range_without_events_has_no_attendance_rate(meetups):
    quiet = day_range(since=TODAY - dt.timedelta(days=20), until=TODAY - dt.timedelta(days=10))
    section = community_analytics(community=meetups["community"], days=quiet)["events"]
    assert (section["held"], section["cancelled"], section["attendance_rate"]) == (0, 0, None)
    assert section["upcoming"] == 2  # upcoming is now, whatever the range


def test_a_member_section_counts_their_held_rsvps_and_upcoming_ones(meetups):
    community = meetups["community"]
    a = member_analytics(member=_member(community, meetups["a"]), days=RANGE)["events"]
    assert a == {"attended_all_time": 3, "attended_in_range": 2, "upcoming_going": 1, "upcoming_waitlisted": 0}
    b = member_analytics(member=_member(community, meetups["b"]), days=RANGE)["events"]
    assert b == {"attended_all_time": 1, "attended_in_range": 1, "upcoming_going": 0, "upcoming_waitlisted": 1}


def test_the_api_and_schema_carry_the_events_sections(meetups):
    api = APIClient()
    api.force_authenticate(meetups["community"].owner)
    body = api.get(reverse("community-analytics", args=[meetups["community"].pk]),
                   {"from": D1.isoformat(), "to": TODAY.isoformat()}).json()
    assert body["events"]["held"] == 2 and body["events"]["attendance_rate"] == 0.2
    schema = api.get(reverse("schema"), {"format": "json"}).json()["components"]["schemas"]
    assert "events" in schema["CommunityAnalytics"]["required"]
    assert "events" in schema["MemberAnalytics"]["required"]
