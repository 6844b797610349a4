"""Reports (flags): submitting, joining open items, the moderation queue, resolving and dismissing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import AuditLogEntry
from content.models import Comment, Post, PostStatus, Report, ReportEntry
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add


@pytest.fixture
def setting(db):
    community = CommunityFactory()
    author = member_add(community)
    post = Post.objects.create(community=community, author=author, title="Spam?", content="Buy now",
                               status=PostStatus.PUBLISHED)
    return community, author, post


def report(api, community, **body):
    return api.post(f"/api/v1/communities/{community.pk}/reports",
                    {"target_type": "post", "category": "spam", **body})


def test_a_second_report_joins_the_open_item(setting):
    community, author, post = setting
    first = report(client_for(member_add(community)), community, target_id=str(post.pk), text="ads")
    second = report(client_for(member_add(community)), community, target_id=str(post.pk), category="other")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.data["id"] == second.data["id"]
    item = Report.objects.get()
    assert (item.reporter_count, item.entries.count()) == (2, 2)


def test_reporting_twice_is_409_and_self_reports_are_400(setting):
    community, author, post = setting
    reporter = client_for(member_add(community))
    report(reporter, community, target_id=str(post.pk))
    assert report(reporter, community, target_id=str(post.pk)).data["code"] == "already_reported"
    own = report(client_for(author), community, target_id=str(post.pk))
    assert (own.status_code, "target_id" in own.data) == (400, True)


def test_unknown_or_foreign_targets_are_404_and_bad_input_400(setting):
    community, author, post = setting
    reporter = client_for(member_add(community))
    foreign = Post.objects.create(community=CommunityFactory(), author=UserFactory(), title="x", content="y",
                                  status=PostStatus.PUBLISHED)
    assert report(reporter, community, target_id=str(foreign.pk)).status_code == 404
    assert report(reporter, community, target_type="member", target_id=str(UserFactory().pk)).status_code == 404
    for body, field in (({"target_id": "nope"}, "target_id"), ({"target_id": str(post.pk), "category": "rude"},
                                                                "category"),
                        ({"target_id": str(post.pk), "target_type": "event"}, "target_type")):
        response = report(reporter, community, **body)
        assert (response.status_code, field in response.data) == (400, True), body


def test_comments_and_members_can_be_reported(setting):
    community, author, post = setting
    comment = Comment.objects.create(post=post, community=community, author=author, content="rude")
    reporter = client_for(member_add(community))
    assert report(reporter, community, target_type="comment", target_id=str(comment.pk)).status_code == 201
    assert report(reporter, community, target_type="member", target_id=str(author.pk),
                  category="harassment").status_code == 201


def test_the_queue_orders_by_reporters_then_recency_and_closing_is_audited(setting):
    community, author, post = setting
    other = Post.objects.create(community=community, author=author, title="b", content="b",
                                status=PostStatus.PUBLISHED)
    report(client_for(member_add(community)), community, target_id=str(other.pk))
    for _ in range(2):
        report(client_for(member_add(community)), community, target_id=str(post.pk))
    moderator = member_add(community, role="Moderator")
    mod = client_for(moderator)
    queue = mod.get(f"/api/v1/communities/{community.pk}/reports").data["items"]
    assert [item["target_id"] for item in queue] == [str(post.pk), str(other.pk)]
    assert len(queue[0]["entries"]) == 2
    closed = mod.post(f"/api/v1/reports/{queue[0]['id']}/resolve", {"note": "removed the post"})
    assert (closed.status_code, closed.data["status"], closed.data["resolution_note"]) == (
        200, "resolved", "removed the post")
    assert mod.post(f"/api/v1/reports/{queue[0]['id']}/dismiss", {}).data["code"] == "already_closed"
    assert [item["id"] for item in mod.get(f"/api/v1/communities/{community.pk}/reports").data["items"]] == [
        queue[1]["id"]]
    entry = AuditLogEntry.objects.get(action="report.resolved")
    assert (entry.actor_id, entry.reason) == (moderator.pk, "removed the post")
    # After closing, a new report opens a new item.
    assert report(client_for(member_add(community)), community, target_id=str(post.pk)).data["id"] != queue[0]["id"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_reports_end_in_one_open_item():
    community = CommunityFactory()
    author = member_add(community)
    post = Post.objects.create(community=community, author=author, title="t", content="c",
                               status=PostStatus.PUBLISHED)
    reporters = [client_for(member_add(community)) for _ in range(20)]

    statuses = run_concurrently([lambda api=api: report(api, community, target_id=str(post.pk)).status_code
                                 for api in reporters])
    assert statuses == [201] * 20
    item = Report.objects.get()
    assert item.reporter_count == ReportEntry.objects.count() == 20
