"""The inbox API: pages, filters, the cached unread count with its ETag, read marks, deletes,
preferences and levels."""

import pytest

from community_service.notifications.models import Notification, NotificationLevel
from tests.conftest import client_for
from tests.factories import ChannelFactory, CommunityFactory, MemberFactory, NotificationFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob():
    return UserFactory(username="bob")


def test_pages_newest_first_with_cursor_and_filters(bob):
    actor = UserFactory(username="alice")
    rows = [NotificationFactory(recipient_id=bob.pk, actor_id=actor.pk, type="mention" if i % 2 else "reply")
            for i in range(5)]
    NotificationFactory(recipient_id=bob.pk, read=True)
    NotificationFactory()  # someone else's
    api = client_for(bob)
    first = api.get(url_for("notification-list"), {"page_size": 2, "unread": "true"})
    assert [item["id"] for item in first.data["items"]] == [rows[4].pk, rows[3].pk]
    assert first.data["items"][0]["actor"]["username"] == "alice"
    second = api.get(first.data["next"])
    assert [item["id"] for item in second.data["items"]] == [rows[2].pk, rows[1].pk]
    mentions = api.get(url_for("notification-list"), {"type": "mention"})
    assert {item["id"] for item in mentions.data["items"]} == {rows[1].pk, rows[3].pk} | {
        n.pk for n in Notification.objects.filter(recipient_id=bob.pk, read_at__isnull=False)}
    bad = api.get(url_for("notification-list"), {"type": "gossip"})
    assert bad.status_code == 400 and "Unknown notice type(s): gossip." in str(bad.data)


def test_the_list_takes_the_same_number_of_queries_whatever_the_page(bob, django_assert_max_num_queries):
    for _ in range(3):
        NotificationFactory(recipient_id=bob.pk, actor_id=UserFactory().pk)
    api = client_for(bob)
    api.get(url_for("notification-list"))  # warm the caller's caches
    with django_assert_max_num_queries(4) as small:
        api.get(url_for("notification-list"), {"page_size": 3})
    for _ in range(30):
        NotificationFactory(recipient_id=bob.pk, actor_id=UserFactory().pk)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api.get(url_for("notification-list"), {"page_size": 30})
    assert len(response.data["items"]) == 30


def test_the_unread_count_answers_from_the_cache_with_an_etag(bob, django_assert_num_queries):
    NotificationFactory(recipient_id=bob.pk)
    api = client_for(bob)
    first = api.get(url_for("notification-unread-count"))
    assert first.data == {"unread": 1}
    etag = first.headers["ETag"]
    with django_assert_num_queries(0):  # the caller's token is checked without the database too
        again = api.get(url_for("notification-unread-count"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.headers["ETag"] == etag
    row = Notification.objects.get(recipient_id=bob.pk)
    assert api.post(url_for("notification-read", notification_id=row.pk)).data == {"marked": 1}
    changed = api.get(url_for("notification-unread-count"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.data == {"unread": 0} and changed.headers["ETag"] != etag


def test_mark_all_read_and_delete_touch_only_my_notices(bob):
    mine = [NotificationFactory(recipient_id=bob.pk) for _ in range(3)]
    theirs = NotificationFactory()
    api = client_for(bob)
    assert api.post(url_for("notification-read", notification_id=theirs.pk)).status_code == 404
    assert api.delete(url_for("notification-detail", notification_id=theirs.pk)).status_code == 404
    assert api.post(url_for("notification-read-all")).data == {"marked": 3}
    assert api.post(url_for("notification-read-all")).data == {"marked": 0}
    assert api.delete(url_for("notification-detail", notification_id=mine[0].pk)).status_code == 204
    assert Notification.objects.filter(recipient_id=bob.pk).count() == 2
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(bob).get(url_for("notification-list")).status_code == 200
    assert client_for(bob).get(url_for("notification-unread-count")).data == {"unread": 0}


def test_the_inbox_needs_a_signed_in_caller(client):
    assert client.get(url_for("notification-list")).status_code == 401
    assert client.get(url_for("notification-unread-count")).status_code == 401


def test_preferences_list_every_type_with_defaults_and_change(bob):
    api = client_for(bob)
    listed = {p["type"]: p for p in api.get(url_for("notification-preferences")).data}
    assert listed["mention"]["delivery"] == "both" and listed["reaction"]["delivery"] == "in_app"
    assert listed["post_moderated"]["urgent"] is True
    changed = api.patch(url_for("notification-preferences"), {"preferences": {"reaction": "off"}}, format="json")
    assert {p["type"]: p["delivery"] for p in changed.data}["reaction"] == "off"
    bad = api.patch(url_for("notification-preferences"), {"preferences": {"gossip": "off"}}, format="json")
    assert bad.status_code == 400 and bad.data["code"] == "unknown" and "preferences" in bad.data
    assert api.patch(url_for("notification-preferences"), {}, format="json").status_code == 200  # changes nothing
    bad = api.patch(url_for("notification-preferences"), {"preferences": {"reaction": "loud"}}, format="json")
    assert bad.status_code == 400


def test_levels_are_set_per_community_and_per_readable_channel(bob):
    community = CommunityFactory()
    MemberFactory(community=community, user=bob)
    channel = ChannelFactory(community=community)
    foreign = ChannelFactory()
    api = client_for(bob)
    url = url_for("notification-levels", community_pk=community.pk)
    assert api.put(url, {"level": "watching"}, format="json").data == {"channel_id": None, "level": "watching"}
    assert api.put(url, {"level": "muted", "channel_id": str(channel.pk)}, format="json").status_code == 200
    assert api.put(url, {"level": "muted", "channel_id": str(foreign.pk)}, format="json").status_code == 400
    assert api.put(url, {"level": "loud"}, format="json").status_code == 400
    assert api.put(url, {"level": "normal"}, format="json").status_code == 200
    assert {(str(r["channel_id"]) if r["channel_id"] else None, r["level"]) for r in api.get(url).data} == {
        (None, "normal"), (str(channel.pk), "muted")}
    assert NotificationLevel.objects.filter(user_id=bob.pk).count() == 2
    outsider = client_for(UserFactory())
    assert outsider.put(url, {"level": "watching"}, format="json").status_code == 403
