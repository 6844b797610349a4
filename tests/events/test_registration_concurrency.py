"""Seats are exact under load: threads on their own PostgreSQL connections, through the API.

The full 20-run version is bench/bench_registrations.py; the suite repeats it twice.
"""

import pytest
from django.db.models import F

from community_service.outbox.models import OutboxEvent
from events.models import Event, Registration
from members.models import Member
from tests.concurrency import run_concurrently
from tests.conftest import client_for, create_test_token
from tests.events.world import event_make
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)


def _members(community, count: int) -> list:
    from django.utils import timezone

    users = UserFactory.create_batch(count)
    role = community.roles.get(name="Member")
    members = Member.objects.bulk_create(
        Member(community=community, user=user, status="active", joined_at=timezone.now()) for user in users)
    Member.roles.through.objects.bulk_create(Member.roles.through(member_id=m.pk, role_id=role.pk) for m in members)
    type(community).objects.filter(pk=community.pk).update(member_count=F("member_count") + count)
    return users


@pytest.mark.parametrize("run", range(2))
def test_200_registrations_for_50_seats_give_50_going_and_150_waitlisted_in_arrival_order(run):
    community = CommunityFactory()
    event = event_make(community, capacity=50)
    users = _members(community, 200)
    tokens = [create_test_token(user.pk) for user in users]

    def register(token: str):
        from rest_framework.test import APIClient

        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = api.post(url_for("event-registration", event_id=event.pk))
        return response.status_code, response.data["status"], response.data["waitlist_position"]

    results = run_concurrently([lambda t=t: register(t) for t in tokens])
    assert [code for code, _, _ in results] == [201] * 200
    event.refresh_from_db()
    rows = list(Registration.objects.filter(event=event).order_by("position"))
    assert (event.going_count, event.waitlist_count, event.registration_seq) == (50, 150, 200)
    # Arrival order is the order requests took the event's lock: positions 1..200 without gaps,
    # the first 50 arrivals hold the seats, and registration times follow the positions.
    assert [r.position for r in rows] == list(range(1, 201))
    assert [r.status for r in rows] == ["going"] * 50 + ["waitlisted"] * 150
    assert [r.registered_at for r in rows] == sorted(r.registered_at for r in rows)
    assert sorted(place for _, status, place in results if status == "waitlisted") == list(range(1, 151))
    assert OutboxEvent.objects.filter(event_type="event.rsvp_created", aggregate_id=str(event.pk)).count() == 200


def test_withdrawals_racing_new_registrations_keep_seats_full_and_counters_true():
    community = CommunityFactory()
    event = event_make(community, capacity=20)
    seated = _members(community, 20)
    newcomers = _members(community, 40)
    for user in seated:
        client_for(user).post(url_for("event-registration", event_id=event.pk))
    withdraw = [lambda u=u: client_for(u).delete(url_for("event-registration", event_id=event.pk)).status_code
                for u in seated[:10]]
    register = [lambda u=u: client_for(u).post(url_for("event-registration", event_id=event.pk)).status_code
                for u in newcomers]
    results = run_concurrently(withdraw + register)
    assert results.count(204) == 10 and results.count(201) == 40
    event = Event.objects.get(pk=event.pk)
    going = Registration.objects.filter(event=event, status="going").count()
    waiting = list(Registration.objects.filter(event=event, status="waitlisted").order_by("position"))
    assert (event.going_count, event.waitlist_count) == (going, len(waiting)) == (20, 30)
    # Every promotion took the earliest arrival still waiting: no one waiting arrived before a seat holder
    # who was promoted from the waitlist.
    promoted = Registration.objects.filter(event=event, status="going", promoted_at__isnull=False)
    assert all(p.position < waiting[0].position for p in promoted)


def test_a_member_leaving_while_others_register_frees_their_seat_exactly_once():
    community = CommunityFactory()
    event = event_make(community, capacity=5)
    leavers = _members(community, 5)
    for user in leavers:
        client_for(user).post(url_for("event-registration", event_id=event.pk))
    newcomers = _members(community, 15)
    leave = [lambda u=u: client_for(u).delete(url_for("member-detail", community_pk=community.pk,
                                                      user_id=u.pk)).status_code
             for u in leavers]
    register = [lambda u=u: client_for(u).post(url_for("event-registration", event_id=event.pk)).status_code
                for u in newcomers]
    results = run_concurrently(leave + register)
    assert results.count(204) == 5 and results.count(201) == 15
    event.refresh_from_db()
    assert (event.going_count, event.waitlist_count) == (5, 10)
    assert not Registration.objects.filter(event=event, user__in=leavers, status__in=["going", "waitlisted"]).exists()
