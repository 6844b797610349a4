"""Event lists: upcoming/past/all, date ranges, status, pages and cursors, time zones, query counts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from community_service.api.pagination import CappedCountPagination
from events.models import Event, EventStatus
from tests.conftest import client_for
from tests.events.world import event_make, registration_make
from tests.factories import CommunityFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _url(community) -> str:
    return url_for("event-list", community_pk=community.pk)


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [item["title"] for item in response.data["items"]]


def _timeline(community) -> dict[str, Event]:
    hour = timedelta(hours=1)
    return {
        title: event_make(community, title=title, starts_in=starts, duration=duration, status=status)
        for title, starts, duration, status in [
            ("last month", -30 * 24 * hour, 2 * hour, EventStatus.COMPLETED),
            ("yesterday", -24 * hour, 2 * hour, EventStatus.COMPLETED),
            ("now", -hour, 3 * hour, EventStatus.ONGOING),
            ("tomorrow", 24 * hour, 2 * hour, EventStatus.SCHEDULED),
            ("next week", 7 * 24 * hour, 2 * hour, EventStatus.SCHEDULED),
            ("called off", 48 * hour, 2 * hour, EventStatus.CANCELLED),
        ]
    }


def test_upcoming_is_the_default_soonest_first_with_ongoing_and_cancelled_events():
    community = CommunityFactory()
    _timeline(community)
    assert _titles(APIClient().get(_url(community))) == ["now", "tomorrow", "called off", "next week"]


def test_past_is_latest_first_and_all_is_everything_soonest_first():
    community = CommunityFactory()
    _timeline(community)
    assert _titles(APIClient().get(_url(community), {"when": "past"})) == ["yesterday", "last month"]
    assert _titles(APIClient().get(_url(community), {"when": "all"})) == [
        "last month", "yesterday", "now", "tomorrow", "called off", "next week"]


def test_status_filter():
    community = CommunityFactory()
    _timeline(community)
    assert _titles(APIClient().get(_url(community), {"status": "cancelled"})) == ["called off"]
    assert _titles(APIClient().get(_url(community), {"when": "past", "status": "scheduled"})) == []


def test_a_date_range_lists_every_event_starting_in_it():
    community = CommunityFactory()
    events = _timeline(community)
    start = events["yesterday"].starts_at - timedelta(minutes=1)
    end = events["tomorrow"].starts_at + timedelta(minutes=1)
    response = APIClient().get(_url(community), {"starts_after": start.isoformat(), "starts_before": end.isoformat()})
    assert _titles(response) == ["yesterday", "now", "tomorrow"]
    response = APIClient().get(_url(community), {"starts_after": start.isoformat(), "when": "upcoming"})
    assert _titles(response) == ["now", "tomorrow", "called off", "next week"]


@pytest.mark.parametrize("params", [{"when": "soon"}, {"status": "done"}, {"starts_after": "yesterday"},
                                    {"status": ""}, {"page": 0}, {"page_size": 101}, {"cursor": "garbage"}])
def test_bad_list_parameters_are_a_400_naming_the_parameter(params):
    community = CommunityFactory()
    response = APIClient().get(_url(community), params)
    assert response.status_code == 400
    assert list(params)[0] in response.data


def test_the_page_envelope():
    community = CommunityFactory()
    for day in range(5):
        event_make(community, title=f"day {day}", starts_in=timedelta(days=day + 1))
    body = APIClient().get(_url(community), {"page": 2, "page_size": 2}).data
    assert {k: body[k] for k in ("total", "page", "page_size", "pages", "total_exact")} == {
        "total": 5, "page": 2, "page_size": 2, "pages": 3, "total_exact": True}
    assert [item["title"] for item in body["items"]] == ["day 2", "day 3"]


def test_pages_count_at_most_the_cap_read_deep_ids_in_order_and_stop_deep(monkeypatch):
    # Past events grow without bound: the list pages as posts and donations do.
    community = CommunityFactory()
    for day in range(5):
        event_make(community, title=f"day {day}", starts_in=timedelta(days=day + 1))
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 3)
    assert APIClient().get(_url(community), {"page_size": 2}).data["total_exact"] is False
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 1)  # pages 2 and 3 by the id subquery
    titles = [item["title"] for page in (1, 2, 3)
              for item in APIClient().get(_url(community), {"page": page, "page_size": 2}).data["items"]]
    assert titles == [f"day {day}" for day in range(5)]
    too_deep = APIClient().get(_url(community), {"page": CappedCountPagination.MAX_PAGE_OFFSET // 20 + 1})
    assert too_deep.status_code == 400 and too_deep.data["code"] == "page_too_deep"


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_a_cursor_walks_every_event_once_forward_and_back(when):
    community = CommunityFactory()
    sign = 1 if when == "upcoming" else -1
    start = timezone.now() + sign * timedelta(days=1)
    # Ties on starts_at: the id decides, so no event is skipped or repeated.
    for i in range(13):
        event_make(community, title=f"e{i:02}", starts_at=start + sign * timedelta(hours=i // 3))
    url = f"{_url(community)}?when={when}&cursor=&page_size=4"
    seen, pages = [], []
    while url:
        body = APIClient().get(url).data
        assert set(body) == {"items", "next", "previous"}
        pages.append(body)
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 13
    starts = [Event.objects.get(pk=pk).starts_at for pk in seen]
    assert starts == sorted(starts, reverse=when == "past")
    back = APIClient().get(pages[-1]["previous"]).data
    assert [item["id"] for item in back["items"]] == [item["id"] for item in pages[-2]["items"]]


def test_an_asia_tokyo_event_lists_on_its_utc_day_with_its_local_time():
    """19:00 in Tokyo on 2 June is 10:00 UTC on 2 June; 08:00 in Tokyo on 2 June is 23:00 UTC on 1 June."""
    community = CommunityFactory()
    owner = client_for(community.owner)
    for title, local in (("evening", "2031-06-02T19:00:00"), ("breakfast", "2031-06-02T08:00:00")):
        response = owner.post(_url(community), {"title": title, "timezone": "Asia/Tokyo", "starts_at": local,
                                                "ends_at": local.replace("T19", "T21").replace("T08", "T09"),
                                                "location": "Shibuya"})
        assert response.status_code == 201, response.data
    utc_day = {"starts_after": "2031-06-02T00:00:00Z", "starts_before": "2031-06-03T00:00:00Z"}
    [item] = APIClient().get(_url(community), utc_day).data["items"]
    assert (item["title"], item["starts_at"], item["timezone"]) == ("evening", "2031-06-02T10:00:00Z", "Asia/Tokyo")
    assert item["starts_at_local"] == "2031-06-02T19:00:00+09:00"
    previous_utc_day = {"starts_after": "2031-06-01T00:00:00", "starts_before": "2031-06-02T00:00:00"}  # no offset: UTC
    [item] = APIClient().get(_url(community), previous_utc_day).data["items"]
    assert (item["title"], item["starts_at"]) == ("breakfast", "2031-06-01T23:00:00Z")
    assert item["starts_at_local"] == "2031-06-02T08:00:00+09:00"


def test_an_event_across_the_dst_change_keeps_its_wall_clock_times_and_real_length():
    """Berlin springs forward at 02:00 on 30 March 2031: 01:00 → 04:00 local is two real hours."""
    community = CommunityFactory()
    response = client_for(community.owner).post(_url(community), {
        "title": "Night hack", "timezone": "Europe/Berlin", "starts_at": "2031-03-30T01:00:00",
        "ends_at": "2031-03-30T04:00:00", "location": "Hackerspace"})
    assert response.status_code == 201, response.data
    assert (response.data["starts_at"], response.data["ends_at"]) == ("2031-03-30T00:00:00Z", "2031-03-30T02:00:00Z")
    assert (response.data["starts_at_local"], response.data["ends_at_local"]) == (
        "2031-03-30T01:00:00+01:00", "2031-03-30T04:00:00+02:00")
    event = Event.objects.get()
    assert event.ends_at - event.starts_at == timedelta(hours=2)


def test_a_repeated_local_time_on_the_fall_back_night_means_the_first_one():
    """Berlin falls back at 03:00 on 26 October 2031; 02:30 happens twice, first at +02:00."""
    community = CommunityFactory()
    response = client_for(community.owner).post(_url(community), {
        "title": "Late", "timezone": "Europe/Berlin", "starts_at": "2031-10-26T02:30:00",
        "ends_at": "2031-10-26T05:00:00", "location": "Bar"})
    assert response.status_code == 201, response.data
    assert response.data["starts_at"] == "2031-10-26T00:30:00Z"
    assert response.data["ends_at_local"] == "2031-10-26T05:00:00+01:00"


def test_a_local_time_in_the_spring_gap_is_refused_with_the_reason():
    community = CommunityFactory()
    response = client_for(community.owner).post(_url(community), {
        "title": "Ghost", "timezone": "America/New_York", "starts_at": "2031-03-09T02:15:00",
        "ends_at": "2031-03-09T04:00:00", "location": "Nowhere"})
    assert response.status_code == 400
    assert "does not exist in America/New_York" in response.data["starts_at"][0]


def test_list_query_count_does_not_grow_with_the_page():
    community = CommunityFactory()
    viewer = member_add(community)
    api = client_for(viewer)
    for i in range(60):
        event = event_make(community, title=f"e{i}", starts_in=timedelta(hours=i + 1), capacity=1,
                           organizer=member_add(community) if i % 10 == 0 else None)
        if i % 3 == 0:
            registration_make(event, member_add(community))
            registration_make(event, viewer, status="waitlisted")
        elif i % 3 == 1:
            registration_make(event, viewer)

    def queries(page_size: int, cursor: bool = False) -> int:
        api.get(_url(community))  # warm the RBAC and user caches
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(_url(community), {"page_size": page_size, **({"cursor": ""} if cursor else {})})
        assert len(response.data["items"]) == page_size
        return len(ctx.captured_queries)

    # community, count, page (the caller's user row and access come from the cache)
    assert queries(5) == queries(50) == 3
    assert queries(5, cursor=True) == queries(50, cursor=True) == 2
    item = api.get(_url(community), {"page_size": 1}).data["items"][0]
    assert item["my_registration"] == {"status": "waitlisted", "waitlist_position": 1}


def test_my_waitlist_place_is_counted_per_event():
    community = CommunityFactory()
    viewer = member_add(community)
    event = event_make(community, capacity=1)
    registration_make(event, member_add(community))
    for _ in range(3):
        registration_make(event, member_add(community), status="waitlisted")
    registration_make(event, viewer, status="waitlisted")
    other = event_make(community, capacity=1, starts_in=timedelta(days=2))
    registration_make(other, member_add(community))
    registration_make(other, viewer, status="waitlisted")
    items = client_for(viewer).get(_url(community)).data["items"]
    assert [item["my_registration"]["waitlist_position"] for item in items] == [4, 1]


def test_times_are_shown_in_utc_with_z():
    community = CommunityFactory()
    event_make(community, starts_at=datetime(2031, 5, 5, 12, 0, tzinfo=UTC), timezone="Australia/Sydney")
    item = APIClient().get(_url(community)).data["items"][0]
    assert item["starts_at"] == "2031-05-05T12:00:00Z"
    assert item["starts_at_local"] == "2031-05-05T22:00:00+10:00"
