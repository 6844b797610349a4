"""A post in a watched community reaches its watchers in batches, after commit, once."""

import pytest
from django.db import transaction

from community_service.notifications.consumer import notifications_handle
from community_service.notifications.fanout import notice_fanout
from community_service.notifications.models import Notification
from community_service.outbox.models import OutboxEvent
from content.services.posts import _record
from tests.factories import CommunityFactory, MemberFactory, NotificationLevelFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_watchers_are_written_in_batches_in_the_background_and_once(settings, django_assert_max_num_queries):
    settings.NOTIFICATIONS_FANOUT_BATCH = 4
    community = CommunityFactory()
    watchers = [MemberFactory(community=community).user for _ in range(10)]
    for user in watchers:
        NotificationLevelFactory(user_id=user.pk, community_id=community.pk)
    muted = MemberFactory(community=community).user
    NotificationLevelFactory(user_id=muted.pk, community_id=community.pk, muted=True)
    post = PostFactory(community=community)
    with transaction.atomic():
        _record("post.created", post, title=post.title)
    event = OutboxEvent.objects.get(event_type="post.created", aggregate_id=str(post.pk))
    notifications_handle(event)  # the subscriber's part: no watcher is written here
    assert not Notification.objects.filter(type="watched_post").exists()
    # Once: the event, the rule's reads (post, author); then per batch of 4, whatever its size: the
    # audience page, levels, access, preferences, existing rows, the insert (and its savepoint).
    with django_assert_max_num_queries(6 + 3 * 7):
        result = notice_fanout(event_pk=event.pk, index=1, after=None)
    assert result.created == 10 and result.resume is None
    assert set(Notification.objects.filter(type="watched_post").values_list("recipient_id", flat=True)) == {
        user.pk for user in watchers}
    assert notice_fanout(event_pk=event.pk, index=1, after=None).created == 0  # a re-run task adds nothing
    assert Notification.objects.filter(type="watched_post").count() == 10


def test_a_budget_stops_the_task_and_says_where_to_resume(settings):
    settings.NOTIFICATIONS_FANOUT_BATCH = 2
    community = CommunityFactory()
    for _ in range(5):
        NotificationLevelFactory(user_id=MemberFactory(community=community).user.pk, community_id=community.pk)
    post = PostFactory(community=community)
    with transaction.atomic():
        _record("post.created", post, title=post.title)
    event = OutboxEvent.objects.get(event_type="post.created", aggregate_id=str(post.pk))
    first = notice_fanout(event_pk=event.pk, index=1, after=None, budget=0)
    assert first.created == 2 and first.resume is not None
    rest = notice_fanout(event_pk=event.pk, index=1, after=first.resume)
    assert rest.created == 3 and rest.resume is None
