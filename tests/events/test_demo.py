"""The events part of seed_demo: a meetup to RSVP to, and the benchmark set's events whose
counters equal their registrations (on a few communities instead of a thousand)."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from events import demo
from events.models import Event, Registration
from members.models import Member, MemberStatus
from tests.factories import CommunityFactory, member_add

pytestmark = pytest.mark.django_db


def test_the_large_set_keeps_counters_equal_to_registrations_and_seats(monkeypatch):
    big = CommunityFactory(slug="scale-1")
    for _ in range(20):  # fewer than some events' RSVP counts (up to 40): each takes at most everyone
        member_add(big)
    member_add(big, status=MemberStatus.LEFT)  # never registered
    monkeypatch.setattr(demo, "LARGE_EVENTS", 400)  # a year back and a month ahead
    context = {"notes": [], "scale": "large", "progress": False, "communities": {}}
    demo.seed_large(context)
    demo.seed_large(context)  # idempotent

    events = Event.objects.filter(description="scale event").annotate(
        going=Count("registrations", filter=Q(registrations__status="going")),
        waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
        total=Count("registrations"),
    )
    assert events.count() == 160  # n % 5 < 2 → scale-1; the others go to scale-(2 + n % 999), absent here
    for event in events:
        assert (event.going_count, event.waitlist_count, event.registration_seq) == (
            event.going, event.waiting, event.total)
        assert event.capacity is None or event.going_count <= event.capacity
        assert 0 < event.total <= 21
    assert events.filter(status="cancelled").exists() and events.filter(status="completed").exists()
    assert events.filter(status="scheduled").exists()
    strangers = Registration.objects.exclude(
        member__in=Member.objects.filter(status=MemberStatus.ACTIVE)).count()
    assert strangers == 0
    mismatched = Registration.objects.exclude(member__community_id=F("event__community_id")).count()
    assert mismatched == 0


def test_the_small_demo_has_a_meetup_to_rsvp_to():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Event.objects.filter(title=demo.DEMO_EVENT, community__slug="python-developers-demo").count() == 1
