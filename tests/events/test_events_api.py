"""Scheduling, reading, editing, cancelling and deleting events through the API."""

# Why this is long: one test per behaviour of the events endpoints (schedule, statuses, lists, calendars).

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from rest_framework.test import APIClient

from community_service.outbox.models import OutboxEvent
from events.models import Event, EventStatus
from members.models import MemberStatus, Role
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _body(**overrides: object) -> dict:
    starts = timezone.now() + timedelta(days=7)
    body = {"title": "Django sprint", "description": "Bring a laptop.", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(), "location": "Library, room 2"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}


def _events(community) -> str:
    return url_for("event-list", community_pk=community.pk)


def _outbox(event_type: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(event_type=event_type).order_by("id"))


# --- create -----------------------------------------------------------------------------------


def test_a_member_schedules_an_event_and_it_is_published():
    community = CommunityFactory()
    member = member_add(community)
    response = client_for(member).post(_events(community), _body(capacity=30, timezone="Europe/Berlin"))
    assert response.status_code == 201, response.data
    body = response.data
    assert body["organizer"]["id"] == str(member.pk) and body["status"] == "scheduled"
    assert (body["capacity"], body["going_count"], body["waitlist_count"], body["seats_left"]) == (30, 0, 0, 30)
    assert body["registration_open"] is True and body["my_registration"] is None and body["can_manage"] is True
    assert body["starts_at"].endswith("Z") and body["timezone"] == "Europe/Berlin"
    [row] = _outbox("event.created")
    assert row.payload == {"community_id": str(community.pk), "event_id": body["id"], "title": "Django sprint",
                           "starts_at": DjangoJSONEncoder().default(Event.objects.get().starts_at)}


def test_a_local_time_without_offset_is_read_in_the_events_time_zone():
    community = CommunityFactory()
    response = client_for(community.owner).post(_events(community), _body(
        timezone="Asia/Tokyo", starts_at="2031-06-01T19:00:00", ends_at="2031-06-01T21:30:00"))
    assert response.status_code == 201, response.data
    assert response.data["starts_at"] == "2031-06-01T10:00:00Z"
    assert response.data["starts_at_local"] == "2031-06-01T19:00:00+09:00"
    assert response.data["ends_at_local"] == "2031-06-01T21:30:00+09:00"


def test_a_time_with_an_offset_is_exact_whatever_the_zone():
    community = CommunityFactory()
    response = client_for(community.owner).post(_events(community), _body(
        timezone="America/New_York", starts_at="2031-01-10T18:00:00+01:00", ends_at="2031-01-10T20:00:00Z"))
    assert response.data["starts_at"] == "2031-01-10T17:00:00Z"
    assert response.data["starts_at_local"] == "2031-01-10T12:00:00-05:00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ...}, "title"),
        ({"title": ""}, "title"),
        ({"title": 12}, "title"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "2031-06-01"}, "starts_at"),
        ({"ends_at": ...}, "ends_at"),
        ({"starts_at": "2031-06-01T12:00:00Z", "ends_at": "2031-06-01T11:00:00Z"}, "ends_at"),
        ({"starts_at": "2031-06-01T12:00:00Z", "ends_at": "2031-06-01T12:00:00Z"}, "ends_at"),
        ({"starts_at": "2031-06-01T12:00:00Z", "ends_at": "2031-08-01T12:00:00Z"}, "ends_at"),
        ({"starts_at": "2020-06-01T12:00:00Z", "ends_at": "2020-06-01T14:00:00Z"}, "starts_at"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": 9}, "timezone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"capacity": 10**9}, "capacity"),
        ({"starts_at": "2031-06-01T12:00:00Z", "ends_at": "2031-06-01T14:00:00Z",
          "registration_deadline": "2031-06-01T12:00:01Z"}, "registration_deadline"),
        ({"location": "", "online_url": ""}, "location"),
        ({"location": ..., "online_url": ...}, "location"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://example.com/file"}, "online_url"),
        ({"online_url": 42}, "online_url"),
        # A host longer than DNS allows (253 characters), though well under max_length.
        ({"online_url": "https://" + ".".join(["a" * 63] * 5) + ".com/"}, "online_url"),
        ({"is_members_only": "yes"}, "is_members_only"),
        ({"description": "x" * 10001}, "description"),
        ({"timezone": "America/New_York", "starts_at": "9999-12-31T23:00:00",
          "ends_at": "9999-12-31T23:30:00"}, "starts_at"),
        # 02:30 does not exist in Berlin on the night clocks spring forward.
        ({"timezone": "Europe/Berlin", "starts_at": "2031-03-30T02:30:00", "ends_at": "2031-03-30T05:00:00"},
         "starts_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(overrides, field):
    community = CommunityFactory()
    response = client_for(community.owner).post(_events(community), _body(**overrides))
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert response.data["detail"].startswith(field)
    assert not Event.objects.exists()


def test_scheduling_needs_a_login_the_permission_and_no_mute():
    community = CommunityFactory()
    assert client_for(UserFactory()).post(_events(community), _body()).status_code == 403
    assert APIClient().post(_events(community), _body()).status_code == 401
    muted = member_add(community, muted_until=timezone.now() + timedelta(hours=1))
    assert client_for(muted).post(_events(community), _body()).data["code"] == "muted"
    Role.objects.filter(community=community, name="Member").update(permissions=["post.create"])
    response = client_for(member_add(community)).post(_events(community), _body())
    assert (response.status_code, response.data["code"]) == (403, "permission_denied")


def test_a_private_community_is_a_404_to_outsiders():
    community = CommunityFactory(community_type="private")
    event = event_make(community)
    outsider = client_for(UserFactory())
    assert outsider.get(_events(community)).status_code == 404
    assert outsider.post(_events(community), _body()).status_code == 404
    assert outsider.get(url_for("event-detail", event_id=event.pk)).status_code == 404
    assert client_for(member_add(community)).get(url_for("event-detail", event_id=event.pk)).status_code == 200


def test_unknown_community_or_event_is_a_404():
    user = client_for(UserFactory())
    assert user.get(url_for("event-list", community_pk="nope")).status_code == 404
    assert user.get(url_for("event-detail", event_id="00000000-0000-0000-0000-000000000000")).status_code == 404
    # Not an id at all: no route matches, so the path is written out (reverse() cannot build it).
    assert user.get("/api/v1/events/not-a-uuid").status_code == 404


# --- read -------------------------------------------------------------------------------------


def test_a_members_only_event_does_not_exist_for_outsiders():
    community = CommunityFactory()
    event = event_make(community, is_members_only=True)
    assert APIClient().get(url_for("event-detail", event_id=event.pk)).status_code == 404
    assert client_for(UserFactory()).get(url_for("event-detail", event_id=event.pk)).status_code == 404
    assert client_for(UserFactory()).get(_events(community)).data["total"] == 0
    member = client_for(member_add(community))
    assert member.get(url_for("event-detail", event_id=event.pk)).status_code == 200
    assert member.get(_events(community)).data["total"] == 1


def test_the_online_link_is_only_for_people_going_and_whoever_runs_the_event():
    community = CommunityFactory()
    organizer, going, waiting, other = (member_add(community) for _ in range(4))
    event = event_make(community, organizer=organizer, capacity=1, online_url="https://meet.example.com/abc")
    registration_make(event, going)
    registration_make(event, waiting, status="waitlisted")
    url = url_for("event-detail", event_id=event.pk)

    def link(client) -> str | None:
        body = client.get(url).data
        assert body["has_online_url"] is True
        return body["online_url"]

    assert link(client_for(going)) == "https://meet.example.com/abc"
    assert link(client_for(organizer)) == "https://meet.example.com/abc"
    assert link(client_for(community.owner)) == "https://meet.example.com/abc"  # event.manage
    assert link(client_for(waiting)) is None
    assert link(client_for(other)) is None
    assert link(APIClient()) is None
    listed = client_for(other).get(_events(community)).data["items"][0]
    assert listed["online_url"] is None


def test_deleted_events_and_events_of_deleted_communities_are_gone():
    community = CommunityFactory()
    event = event_make(community, deleted_at=timezone.now())
    assert client_for(community.owner).get(url_for("event-detail", event_id=event.pk)).status_code == 404
    live = event_make(community)
    type(community).objects.filter(pk=community.pk).update(deleted_at=timezone.now())
    assert client_for(community.owner).get(url_for("event-detail", event_id=live.pk)).status_code == 404


def test_banned_users_are_refused():
    community = CommunityFactory()
    event = event_make(community)
    banned = member_add(community, status=MemberStatus.BANNED, role=None)
    response = client_for(banned).get(url_for("event-detail", event_id=event.pk))
    assert (response.status_code, response.data["code"]) == (403, "banned")


# --- update -----------------------------------------------------------------------------------


def test_the_organiser_edits_their_event_and_the_change_is_published():
    community = CommunityFactory()
    organizer = member_add(community)
    event = event_make(community, organizer=organizer)
    response = client_for(organizer).patch(url_for("event-detail", event_id=event.pk),
                                           {"title": "Sprint #2", "capacity": 10})
    assert response.status_code == 200, response.data
    assert (response.data["title"], response.data["capacity"]) == ("Sprint #2", 10)
    [row] = _outbox("event.updated")
    assert row.payload["changed"] == ["capacity", "title"] and row.payload["title"] == "Sprint #2"
    event.refresh_from_db()
    assert event.sequence == 1  # the title is on calendars


def test_an_edit_that_changes_nothing_publishes_nothing():
    community = CommunityFactory()
    event = event_make(community)
    response = client_for(community.owner).patch(url_for("event-detail", event_id=event.pk), {"title": event.title})
    assert response.status_code == 200
    assert _outbox("event.updated") == []


def test_capacity_alone_does_not_touch_calendars():
    community = CommunityFactory()
    event = event_make(community)
    client_for(community.owner).patch(url_for("event-detail", event_id=event.pk), {"capacity": 3})
    event.refresh_from_db()
    assert event.sequence == 0


def test_a_local_time_in_an_edit_is_read_in_the_events_zone():
    community = CommunityFactory()
    event = event_make(community, timezone="Asia/Tokyo", starts_at=timezone.now() + timedelta(days=400))
    response = client_for(community.owner).patch(
        url_for("event-detail", event_id=event.pk), {"starts_at": "2031-02-01T10:00:00",
                                                     "ends_at": "2031-02-01T12:00:00"})
    assert response.status_code == 200, response.data
    assert response.data["starts_at"] == "2031-02-01T01:00:00Z"


def test_put_needs_the_core_fields_and_leaves_the_rest():
    community = CommunityFactory()
    event = event_make(community, capacity=4, timezone="Asia/Tokyo")
    owner = client_for(community.owner)
    assert owner.put(url_for("event-detail", event_id=event.pk), {"title": "x"}).status_code == 400
    response = owner.put(url_for("event-detail", event_id=event.pk), {
        "title": "New", "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat()})
    assert response.status_code == 200
    assert (response.data["capacity"], response.data["timezone"]) == (4, "Asia/Tokyo")


def test_others_need_event_manage_to_edit_and_moderators_do_not_hold_it():
    community = CommunityFactory()
    event = event_make(community, organizer=member_add(community))
    for user in (member_add(community), member_add(community, role="Moderator")):
        response = client_for(user).patch(url_for("event-detail", event_id=event.pk), {"title": "Mine now"})
        assert (response.status_code, response.data["code"]) == (403, "permission_denied")
    assert client_for(member_add(community, role="Admin")).patch(
        url_for("event-detail", event_id=event.pk), {"title": "Fixed typo"}).status_code == 200


def test_an_organiser_who_left_the_community_can_no_longer_edit():
    community = CommunityFactory()
    organizer = member_add(community)
    event = event_make(community, organizer=organizer)
    client_for(organizer).delete(url_for("member-detail", community_pk=community.pk, user_id=organizer.pk))
    assert client_for(organizer).patch(url_for("event-detail", event_id=event.pk), {"title": "x"}).status_code == 403


@pytest.mark.parametrize("status", [EventStatus.COMPLETED, EventStatus.CANCELLED])
def test_a_closed_event_takes_only_a_new_description(status):
    community = CommunityFactory()
    event = event_make(community, status=status)
    owner = client_for(community.owner)
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"description": "Slides: https://example.com/s",
                                                          "title": "Other"})
    assert response.status_code == 400
    assert (list(response.data)[0], response.data["code"]) == ("title", "event_closed")
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"description": "Slides: https://example.com/s"})
    assert response.status_code == 200 and response.data["description"].startswith("Slides")


def test_an_ongoing_event_keeps_its_start_but_may_run_longer():
    community = CommunityFactory()
    event = event_make(community, starts_in=timedelta(hours=-1), status=EventStatus.ONGOING)
    owner = client_for(community.owner)
    later = (event.starts_at + timedelta(days=1)).isoformat()
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"starts_at": later})
    assert (response.status_code, response.data["code"]) == (400, "event_started")
    response = owner.patch(url_for("event-detail", event_id=event.pk),
                           {"ends_at": (event.ends_at + timedelta(hours=1)).isoformat()})
    assert response.status_code == 200


def test_capacity_never_drops_below_the_members_going():
    community = CommunityFactory()
    event = event_make(community, capacity=5)
    for _ in range(3):
        registration_make(event, member_add(community))
    owner = client_for(community.owner)
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"capacity": 2})
    assert (response.status_code, list(response.data)[0], response.data["code"]) == (400, "capacity", "below_going")
    assert owner.patch(url_for("event-detail", event_id=event.pk), {"capacity": 3}).status_code == 200


def test_moving_the_start_keeps_the_rules():
    community = CommunityFactory()
    event = event_make(community, registration_deadline=timezone.now() + timedelta(hours=12))
    owner = client_for(community.owner)
    earlier = (timezone.now() + timedelta(hours=6)).isoformat()
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"starts_at": earlier})
    assert list(response.data)[0] == "registration_deadline"  # the deadline would now fall after the start
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"ends_at": event.starts_at.isoformat()})
    assert list(response.data)[0] == "ends_at"
    response = owner.patch(url_for("event-detail", event_id=event.pk), {"location": ""})
    assert list(response.data)[0] == "location"


# --- cancel and delete ------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_tells_every_registrant():
    community = CommunityFactory()
    event = event_make(community, capacity=1)
    going, waiting = member_add(community), member_add(community)
    registration_make(event, going)
    registration_make(event, waiting, status="waitlisted")
    owner = client_for(community.owner)
    assert list(owner.post(url_for("event-cancel", event_id=event.pk), {}).data)[0] == "reason"
    response = owner.post(url_for("event-cancel", event_id=event.pk), {"reason": "The venue flooded."})
    assert response.status_code == 200
    assert (response.data["status"], response.data["cancel_reason"]) == ("cancelled", "The venue flooded.")
    assert response.data["registration_open"] is False
    [row] = _outbox("event.cancelled")
    assert row.payload["registrant_user_ids"] == [str(going.pk), str(waiting.pk)]
    assert (row.payload["reason"], row.payload["part"], row.payload["parts"]) == ("The venue flooded.", 1, 1)
    again = owner.post(url_for("event-cancel", event_id=event.pk), {"reason": "Again"})
    assert (again.status_code, again.data["code"]) == (409, "already_cancelled")


def test_a_completed_event_cannot_be_cancelled():
    community = CommunityFactory()
    event = event_make(community, status=EventStatus.COMPLETED)
    response = client_for(community.owner).post(url_for("event-cancel", event_id=event.pk), {"reason": "x"})
    assert (response.status_code, response.data["code"]) == (409, "event_closed")


def test_a_large_cancellation_spreads_registrants_over_several_messages(monkeypatch):
    from events.services import events as services

    monkeypatch.setattr(services, "REGISTRANTS_PER_MESSAGE", 2)
    community = CommunityFactory()
    event = event_make(community)
    users = [member_add(community) for _ in range(5)]
    for user in users:
        registration_make(event, user)
    client_for(community.owner).post(url_for("event-cancel", event_id=event.pk), {"reason": "Storm"})
    rows = _outbox("event.cancelled")
    assert [(r.payload["part"], r.payload["parts"]) for r in rows] == [(1, 3), (2, 3), (3, 3)]
    assert sum((r.payload["registrant_user_ids"] for r in rows), []) == [str(u.pk) for u in users]


def test_deleting_is_soft_and_cancels_first_when_people_are_registered():
    community = CommunityFactory()
    event = event_make(community)
    registration_make(event, member_add(community))
    owner = client_for(community.owner)
    assert owner.delete(url_for("event-detail", event_id=event.pk)).status_code == 204
    assert owner.get(url_for("event-detail", event_id=event.pk)).status_code == 404
    assert owner.delete(url_for("event-detail", event_id=event.pk)).status_code == 404
    event.refresh_from_db()
    assert event.deleted_at is not None and event.status == EventStatus.CANCELLED
    assert [r.event_type for r in OutboxEvent.objects.filter(aggregate_type="event").order_by("id")] == [
        "event.cancelled", "event.deleted"]


def test_deleting_an_event_without_registrants_only_deletes_it():
    community = CommunityFactory()
    organizer = member_add(community)
    event = event_make(community, organizer=organizer)
    assert client_for(organizer).delete(url_for("event-detail", event_id=event.pk)).status_code == 204
    assert [r.event_type for r in OutboxEvent.objects.filter(aggregate_type="event")] == ["event.deleted"]
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [("get", "event-detail", None), ("put", "event-detail", {"title": "x", "starts_at": "2031-01-01T10:00:00Z",
                                                             "ends_at": "2031-01-01T11:00:00Z"}),
     ("patch", "event-detail", {"title": "x"}), ("delete", "event-detail", None),
     ("post", "event-cancel", {"reason": "x"}), ("post", "event-registration", None),
     ("delete", "event-registration", None), ("get", "event-participants", None), ("get", "event-ical", None)],
)
def test_every_event_route_is_a_404_for_an_unknown_or_deleted_event(method, route, body):
    community = CommunityFactory()
    deleted = event_make(community, deleted_at=timezone.now())
    owner = client_for(community.owner)
    for event_id in ("00000000-0000-0000-0000-000000000000", deleted.pk):
        response = getattr(owner, method)(url_for(route, event_id=event_id), body, format="json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), (event_id, response.content)
