"""RSVP through the API: seats, the FIFO waitlist, promotion, leaving, participants."""

# Why this is long: one test per RSVP behaviour (capacity, waitlist, cancel, promotion) over HTTP.

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from community_service.outbox.models import OutboxEvent
from events.models import Event, EventStatus, Registration
from members.models import MemberStatus
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _register(user, event):
    return client_for(user).post(url_for("event-registration", event_id=event.pk))


def _withdraw(user, event):
    return client_for(user).delete(url_for("event-registration", event_id=event.pk))


def _statuses(event) -> dict:
    return dict(Registration.objects.filter(event=event).values_list("user_id", "status"))


def _counts_match_rows(event) -> tuple[int, int]:
    event.refresh_from_db()
    rows = Registration.objects.filter(event=event)
    assert event.going_count == rows.filter(status="going").count()
    assert event.waitlist_count == rows.filter(status="waitlisted").count()
    return event.going_count, event.waitlist_count


def _types(event) -> list[str]:
    return list(OutboxEvent.objects.filter(aggregate_type="event", aggregate_id=str(event.pk))
                .order_by("id").values_list("event_type", flat=True))


def test_members_are_going_while_seats_remain_then_waitlisted_in_order():
    community = CommunityFactory()
    event = event_make(community, capacity=2)
    users = [member_add(community) for _ in range(4)]
    bodies = [_register(user, event) for user in users]
    assert [b.status_code for b in bodies] == [201] * 4
    assert [(b.data["status"], b.data["waitlist_position"]) for b in bodies] == [
        ("going", None), ("going", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert _counts_match_rows(event) == (2, 2)
    rows = OutboxEvent.objects.filter(event_type="event.rsvp_created").order_by("id")
    assert [r.payload["status"] for r in rows] == ["going", "going", "waitlisted", "waitlisted"]
    assert rows[0].payload["user_id"] == str(users[0].pk)


def test_registering_again_changes_nothing():
    community = CommunityFactory()
    event = event_make(community)
    user = member_add(community)
    assert _register(user, event).status_code == 201
    again = _register(user, event)
    assert (again.status_code, again.data["status"]) == (200, "going")
    assert _counts_match_rows(event) == (1, 0)
    assert _types(event) == ["event.rsvp_created"]


def test_without_capacity_everyone_is_going():
    community = CommunityFactory()
    event = event_make(community, capacity=None)
    for _ in range(5):
        assert _register(member_add(community), event).data["status"] == "going"
    assert _counts_match_rows(event) == (5, 0)


def test_withdrawing_a_seat_promotes_the_first_waitlisted_member_at_once():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    seated, first, second = (member_add(community) for _ in range(3))
    for user in (seated, first, second):
        _register(user, event)
    assert _withdraw(seated, event).status_code == 204
    assert _statuses(event) == {seated.pk: "cancelled", first.pk: "going", second.pk: "waitlisted"}
    assert _counts_match_rows(event) == (1, 1)
    cancelled = OutboxEvent.objects.get(event_type="event.rsvp_cancelled")
    promoted = OutboxEvent.objects.get(event_type="event.rsvp_promoted")
    first_registration = Registration.objects.get(user=first)
    assert cancelled.payload["promoted_registration_id"] == str(first_registration.pk)
    assert promoted.payload == {"community_id": str(community.pk), "event_id": str(event.pk),
                                "registration_id": str(first_registration.pk), "user_id": str(first.pk),
                                "reason": "seat_freed"}
    body = client_for(second).get(url_for("event-detail", event_id=event.pk)).data["my_registration"]
    assert body == {"status": "waitlisted", "waitlist_position": 1}


def test_withdrawing_from_the_waitlist_promotes_nobody():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    seated, waiting = member_add(community), member_add(community)
    _register(seated, event)
    _register(waiting, event)
    _withdraw(waiting, event)
    assert _statuses(event) == {seated.pk: "going", waiting.pk: "cancelled"}
    assert "event.rsvp_promoted" not in _types(event)
    assert "promoted_registration_id" not in OutboxEvent.objects.get(event_type="event.rsvp_cancelled").payload


def test_registering_again_after_withdrawing_goes_to_the_back_of_the_queue():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    seated, waiting, returning = (member_add(community) for _ in range(3))
    _register(seated, event)
    _register(returning, event)
    _register(waiting, event)
    _withdraw(returning, event)
    response = _register(returning, event)
    assert (response.status_code, response.data["waitlist_position"]) == (201, 2)
    _withdraw(seated, event)
    assert _statuses(event)[waiting.pk] == "going"


def test_withdrawing_without_a_registration_is_a_quiet_204():
    community = CommunityFactory()
    event = event_make(community)
    assert _withdraw(member_add(community), event).status_code == 204
    assert _types(event) == []


def test_raising_capacity_promotes_the_waitlist_in_arrival_order():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    users = [member_add(community) for _ in range(5)]
    for user in users:
        _register(user, event)
    response = client_for(community.owner).patch(url_for("event-detail", event_id=event.pk), {"capacity": 3})
    assert (response.data["going_count"], response.data["waitlist_count"]) == (3, 2)
    assert [_statuses(event)[u.pk] for u in users] == ["going", "going", "going", "waitlisted", "waitlisted"]
    promoted = OutboxEvent.objects.filter(event_type="event.rsvp_promoted").order_by("id")
    assert [p.payload["user_id"] for p in promoted] == [str(users[1].pk), str(users[2].pk)]
    assert {p.payload["reason"] for p in promoted} == {"capacity_raised"}
    client_for(community.owner).patch(url_for("event-detail", event_id=event.pk), {"capacity": None})
    assert _counts_match_rows(event) == (5, 0)


@pytest.mark.parametrize("how", ["leave", "kick", "ban"])
def test_a_member_who_leaves_loses_their_registrations_and_the_seat_moves_on(how):
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    later = event_make(community, starts_in=timedelta(days=3))
    over = event_make(community, starts_in=timedelta(days=-3), status=EventStatus.COMPLETED)
    leaving, waiting = member_add(community), member_add(community)
    _register(leaving, event)
    _register(waiting, event)
    _register(leaving, later)
    registration_make(over, leaving)
    owner = client_for(community.owner)
    members = url_for("community-detail", pk=community.pk)
    response = {
        "leave": lambda: client_for(leaving).delete(f"{members}/members/{leaving.pk}"),
        "kick": lambda: owner.delete(f"{members}/members/{leaving.pk}"),
        "ban": lambda: owner.post(f"{members}/bans", {"user_id": str(leaving.pk)}),
    }[how]()
    assert response.status_code in (201, 204), response.data
    assert _statuses(event) == {leaving.pk: "cancelled", waiting.pk: "going"}
    assert _statuses(later) == {leaving.pk: "cancelled"}
    assert _statuses(over) == {leaving.pk: "going"}  # history of a finished event stays
    assert _counts_match_rows(event) == (1, 0) and _counts_match_rows(later) == (0, 0)
    dropped = OutboxEvent.objects.filter(event_type="event.rsvp_cancelled")
    assert {row.payload["reason"] for row in dropped} == {"membership_ended"}


def test_banned_members_and_non_members_cannot_register():
    community = CommunityFactory()
    event = event_make(community)
    banned = member_add(community, status=MemberStatus.BANNED, role=None)
    assert (_register(banned, event).status_code, _register(banned, event).data["code"]) == (403, "banned")
    response = _register(UserFactory(), event)
    assert (response.status_code, response.data["code"]) == (403, "not_member")
    pending = member_add(community, status=MemberStatus.PENDING, role=None)
    assert _register(pending, event).data["code"] == "not_member"
    superadmin = client_for(UserFactory(), is_superadmin=True)
    assert superadmin.post(url_for("event-registration", event_id=event.pk)).data["code"] == "not_member"
    assert APIClient().post(url_for("event-registration", event_id=event.pk)).status_code == 401
    assert _counts_match_rows(event) == (0, 0)


def test_a_temporary_ban_that_ran_out_still_needs_joining_again():
    community = CommunityFactory()
    event = event_make(community)
    former = member_add(community, status=MemberStatus.BANNED, role=None,
                        banned_until=timezone.now() - timedelta(days=1))
    assert _register(former, event).data["code"] == "not_member"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"status": EventStatus.CANCELLED}, "registration_closed"),
        ({"status": EventStatus.ONGOING, "starts_in": timedelta(hours=-1)}, "registration_closed"),
        ({"starts_in": timedelta(minutes=-5)}, "registration_closed"),  # the beat is late: the clock decides
        ({"registration_deadline": timezone.now() - timedelta(minutes=1)}, "registration_closed"),
    ],
)
def test_registration_closes_at_the_deadline_the_start_or_a_cancellation(fields, code):
    community = CommunityFactory()
    event = event_make(community, **fields)
    response = _register(member_add(community), event)
    assert (response.status_code, response.data["code"]) == (409, code)


def test_withdrawing_after_the_start_is_refused():
    community = CommunityFactory()
    event = event_make(community, starts_in=timedelta(hours=-1), status=EventStatus.ONGOING)
    user = member_add(community)
    registration_make(event, user)
    response = _withdraw(user, event)
    assert (response.status_code, response.data["code"]) == (409, "registration_closed")


def test_an_invisible_event_cannot_be_registered_for():
    community = CommunityFactory(community_type="private")
    event = event_make(community)
    assert _register(UserFactory(), event).status_code == 404
    assert client_for(UserFactory()).post(url_for("event-registration", event_id="00000000-0000-0000-0000-000000000000")
                                          ).status_code == 404


def test_the_online_link_appears_once_you_are_going():
    community = CommunityFactory()
    event = event_make(community, capacity=1, online_url="https://meet.example.com/x")
    first, second = member_add(community), member_add(community)
    _register(first, event)
    _register(second, event)
    assert client_for(second).get(url_for("event-detail", event_id=event.pk)).data["online_url"] is None
    _withdraw(first, event)
    assert client_for(second).get(url_for("event-detail",
                                          event_id=event.pk)).data["online_url"] == "https://meet.example.com/x"


# --- participants -------------------------------------------------------------------------------


def test_participants_are_going_then_the_waitlist_in_order():
    community = CommunityFactory()
    event = event_make(community, capacity=2)
    users = [member_add(community, nickname=f"n{i}") for i in range(5)]
    for user in users:
        _register(user, event)
    body = client_for(users[0]).get(url_for("event-participants", event_id=event.pk)).data
    assert body["total"] == 5
    assert [(p["user"]["id"], p["status"], p["waitlist_position"]) for p in body["items"]] == [
        (str(users[0].pk), "going", None), (str(users[1].pk), "going", None),
        (str(users[2].pk), "waitlisted", 1), (str(users[3].pk), "waitlisted", 2),
        (str(users[4].pk), "waitlisted", 3)]
    assert body["items"][0]["nickname"] == "n0"
    waitlist = client_for(users[0]).get(url_for("event-participants", event_id=event.pk), {"status": "waitlisted"}).data
    assert [p["waitlist_position"] for p in waitlist["items"]] == [1, 2, 3]
    bad = client_for(users[0]).get(url_for("event-participants", event_id=event.pk), {"status": "cancelled"})
    assert bad.status_code == 400 and "status" in bad.data


def test_participants_are_for_members():
    community = CommunityFactory()
    event = event_make(community)
    response = client_for(UserFactory()).get(url_for("event-participants", event_id=event.pk))
    assert (response.status_code, response.data["code"]) == (403, "not_member")
    assert APIClient().get(url_for("event-participants", event_id=event.pk)).status_code == 401


def test_participants_query_count_does_not_grow_with_the_page():
    community = CommunityFactory()
    event = event_make(community, capacity=30)
    viewer = member_add(community)
    for _ in range(60):
        registration_make(event, member_add(community), status="going" if event.going_count < 30 else "waitlisted")
    api = client_for(viewer)

    def queries(page_size: int) -> int:
        api.get(url_for("event-participants", event_id=event.pk))  # warm the RBAC and user caches
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(url_for("event-participants", event_id=event.pk), {"page_size": page_size})
        assert len(response.data["items"]) == page_size
        return len(ctx.captured_queries)

    # event, count, page (the caller's user row comes from the cache)
    assert queries(5) == queries(60) == 3


def test_counters_stay_true_through_a_mixed_sequence():
    community = CommunityFactory()
    event = event_make(community, capacity=3)
    users = [member_add(community) for _ in range(8)]
    for user in users:
        _register(user, event)
    for user in users[::3]:
        _withdraw(user, event)
    client_for(community.owner).patch(url_for("event-detail", event_id=event.pk), {"capacity": 4})
    _register(users[0], event)
    going, waiting = _counts_match_rows(event)
    assert going == Event.objects.get(pk=event.pk).capacity == 4
    assert waiting == 8 - 3 + 1 - 4


def test_the_cancellation_is_published_before_the_promotion_it_caused():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    seated, waiting = member_add(community), member_add(community)
    _register(seated, event)
    _register(waiting, event)
    _withdraw(seated, event)
    assert _types(event)[-2:] == ["event.rsvp_cancelled", "event.rsvp_promoted"]
