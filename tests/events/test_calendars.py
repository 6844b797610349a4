"""iCalendar output, parsed back with the icalendar library: UIDs, SEQUENCE, STATUS, zones, links."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, EventStatus
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, getattr(response, "data", response.content)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _ical(client, event) -> icalendar.Event:
    [entry] = _calendar(client.get(url_for("event-ical", event_id=event.pk))).events
    return entry


def test_an_event_file_has_a_stable_uid_its_zone_and_its_fields():
    community = CommunityFactory()
    event = event_make(community, title="Sprint", description="Bring a laptop", location="Library",
                       starts_at=datetime(2031, 6, 2, 10, 0, tzinfo=UTC), timezone="Asia/Tokyo")
    response = APIClient().get(url_for("event-ical", event_id=event.pk))
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    calendar = _calendar(response)
    [entry] = calendar.events
    assert str(entry["uid"]) == f"event-{event.pk}@community-service"
    assert entry.start == datetime(2031, 6, 2, 19, 0, tzinfo=entry.start.tzinfo)
    assert str(entry.start.tzinfo) == "Asia/Tokyo" and entry.start.utcoffset() == timedelta(hours=9)
    assert entry.end - entry.start == timedelta(hours=2)
    assert (str(entry["summary"]), str(entry["description"]), str(entry["location"])) == (
        "Sprint", "Bring a laptop", "Library")
    assert (entry["sequence"], str(entry["status"])) == (0, "CONFIRMED")
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_changes_bump_sequence_under_the_same_uid_and_cancelling_says_so():
    community = CommunityFactory()
    event = event_make(community)
    owner = client_for(community.owner)
    before = _ical(owner, event)
    owner.patch(url_for("event-detail", event_id=event.pk), {"title": "Moved", "location": "Cafe"})
    owner.patch(url_for("event-detail", event_id=event.pk),
                {"ends_at": (event.ends_at + timedelta(hours=1)).isoformat()})
    changed = _ical(owner, event)
    assert str(changed["uid"]) == str(before["uid"])
    assert changed["sequence"] == 2 and str(changed["summary"]) == "Moved"
    owner.post(url_for("event-cancel", event_id=event.pk), {"reason": "Speaker ill"})
    cancelled = _ical(owner, event)
    assert (str(cancelled["uid"]), cancelled["sequence"], str(cancelled["status"])) == (
        str(before["uid"]), 3, "CANCELLED")
    assert str(cancelled["description"]).startswith("Cancelled: Speaker ill")
    assert cancelled["dtstamp"].dt >= changed["dtstamp"].dt


def test_a_dst_crossing_event_keeps_its_wall_clock_in_the_file():
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("event-list", community_pk=community.pk), {
        "title": "Night hack", "timezone": "Europe/Berlin", "starts_at": "2031-03-30T01:00:00",
        "ends_at": "2031-03-30T04:00:00", "location": "Hackerspace"})
    entry = _ical(APIClient(), Event.objects.get(pk=response.data["id"]))
    assert (entry.start.hour, entry.end.hour) == (1, 4)
    assert (entry.start.utcoffset(), entry.end.utcoffset()) == (timedelta(hours=1), timedelta(hours=2))
    # (Python subtracts wall clocks within one zone; the real length is in UTC.)
    assert entry.end.astimezone(UTC) - entry.start.astimezone(UTC) == timedelta(hours=2)


def test_the_online_link_is_in_the_file_only_for_people_going():
    community = CommunityFactory()
    event = event_make(community, location="", online_url="https://meet.example.com/room")
    going, other = member_add(community), member_add(community)
    registration_make(event, going)
    mine = _ical(client_for(going), event)
    room = "https://meet.example.com/room"
    assert (str(mine["url"]), str(mine["location"])) == (room, room)
    theirs = _ical(client_for(other), event)
    assert "url" not in theirs and str(theirs["location"]) == "Online"


def test_the_community_feed_lists_upcoming_and_recent_events_cancelled_included():
    community = CommunityFactory(name="Python Berlin")
    kept = [
        event_make(community, title="recent", starts_in=timedelta(days=-10), status=EventStatus.COMPLETED),
        event_make(community, title="soon", starts_in=timedelta(days=1)),
        event_make(community, title="off", starts_in=timedelta(days=2), status=EventStatus.CANCELLED,
                   cancel_reason="Rain"),
    ]
    event_make(community, title="old", starts_in=timedelta(days=-60), status=EventStatus.COMPLETED)
    event_make(community, title="gone", deleted_at=timezone.now())
    event_make(community, title="secret", is_members_only=True)
    event_make(CommunityFactory(), title="elsewhere")
    response = APIClient().get(url_for("event-feed", community_pk=community.slug))
    assert response["Content-Disposition"] == f'inline; filename="{community.slug}-events.ics"'
    calendar = _calendar(response)
    assert str(calendar["x-wr-calname"]) == "Python Berlin"
    assert [str(e["summary"]) for e in calendar.events] == ["recent", "soon", "off"]
    assert [str(e["uid"]) for e in calendar.events] == [f"event-{e.pk}@community-service" for e in kept]
    assert str(calendar.events[2]["status"]) == "CANCELLED"
    member_feed = _calendar(client_for(member_add(community)).get(url_for("event-feed", community_pk=community.pk)))
    assert "secret" in [str(e["summary"]) for e in member_feed.events]


def test_calendar_errors_are_json_whatever_the_client_accepts():
    community = CommunityFactory(community_type="private")
    event = event_make(community)
    for url in (url_for("event-ical", event_id=event.pk), url_for("event-feed", community_pk=community.pk)):
        response = client_for(UserFactory()).get(url, HTTP_ACCEPT="text/calendar")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"
    ok = client_for(member_add(community)).get(url_for("event-ical", event_id=event.pk), HTTP_ACCEPT="text/calendar")
    assert _calendar(ok).events


def test_the_schema_documents_calendars_as_text_calendar(client):
    import json

    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    # The schema's keys are its documented path templates, not paths a client requests.
    ical = schema["paths"]["/api/v1/events/{event_id}/ical"]["get"]["responses"]
    assert "text/calendar" in ical["200"]["content"] and "404" in ical
    assert "text/calendar" in schema["paths"]["/api/v1/communities/{community_pk}/events.ics"]["get"][
        "responses"]["200"]["content"]


def test_a_community_name_with_line_breaks_is_one_line_in_the_feed():
    # icalendar refuses to write a raw line break in NAME/X-WR-CALNAME: that was a 500 (found by fuzzing).
    community = CommunityFactory(name="Python\nBerlin\r\n meetups")
    event_make(community, title="Two\nlines")
    calendar = _calendar(APIClient().get(url_for("event-feed", community_pk=community.pk)))
    assert str(calendar["x-wr-calname"]) == str(calendar["name"]) == "Python Berlin meetups"
    assert [str(e["summary"]) for e in calendar.events] == ["Two\nlines"]  # text values escape their breaks
