"""Reports (flags): submitting, joining open items, the moderation queue, resolving and dismissing."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communities.models import AuditLogEntry
from content.models import Report, ReportEntry
from content.services.reports import report_close
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommentFactory, CommunityFactory, PostFactory, UserFactory, member_add
from tests.routes import url_for


@pytest.fixture
def setting(db):
    community = CommunityFactory()
    author = member_add(community)
    post = PostFactory(community=community, author=author, title="Spam?", content="Buy now")
    return community, author, post


def report(api, community, **body):
    return api.post(url_for("report-list", community_pk=community.pk),
                    {"target_type": "post", "category": "spam", **body})


def test_a_second_report_joins_the_open_item(setting):
    community, author, post = setting
    first = report(client_for(member_add(community)), community, target_id=str(post.pk), text="ads")
    second = report(client_for(member_add(community)), community, target_id=str(post.pk), category="other")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.data["id"] == second.data["id"]
    item = Report.objects.get()
    assert (item.reporter_count, item.entries.count()) == (2, 2)


def test_reporting_twice_or_your_own_content_is_409(setting):
    community, author, post = setting
    reporter = client_for(member_add(community))
    report(reporter, community, target_id=str(post.pk))
    assert report(reporter, community, target_id=str(post.pk)).data["code"] == "already_reported"
    own = report(client_for(author), community, target_id=str(post.pk))
    assert (own.status_code, "target_id" in own.data) == (409, True)


def test_unknown_or_foreign_targets_and_bad_input_are_400s_naming_the_field(setting):
    community, author, post = setting
    reporter = client_for(member_add(community))
    foreign = PostFactory(community=CommunityFactory(), author=UserFactory(), title="x", content="y")
    for refused in (report(reporter, community, target_id=str(foreign.pk)),
                    report(reporter, community, target_type="member", target_id=str(UserFactory().pk))):
        assert (refused.status_code, "target_id" in refused.data, refused.data["code"]) == (400, True, "does_not_exist")
    for body, field in (({"target_id": "nope"}, "target_id"), ({"target_id": str(post.pk), "category": "rude"},
                                                                "category"),
                        ({"target_id": str(post.pk), "target_type": "event"}, "target_type")):
        response = report(reporter, community, **body)
        assert (response.status_code, field in response.data) == (400, True), body


def test_comments_and_members_can_be_reported(setting):
    community, author, post = setting
    comment = CommentFactory(post=post, author=author, content="rude")
    reporter = client_for(member_add(community))
    assert report(reporter, community, target_type="comment", target_id=str(comment.pk)).status_code == 201
    assert report(reporter, community, target_type="member", target_id=str(author.pk),
                  category="harassment").status_code == 201


def test_the_queue_orders_by_reporters_then_recency_and_closing_is_audited(setting):
    community, author, post = setting
    other = PostFactory(community=community, author=author, title="b", content="b")
    report(client_for(member_add(community)), community, target_id=str(other.pk))
    for _ in range(2):
        report(client_for(member_add(community)), community, target_id=str(post.pk))
    moderator = member_add(community, role="Moderator")
    mod = client_for(moderator)
    queue = mod.get(url_for("report-list", community_pk=community.pk)).data["items"]
    assert [item["target_id"] for item in queue] == [str(post.pk), str(other.pk)]
    assert len(queue[0]["recent_entries"]) == 2 and queue[0]["categories"]["spam"] == 2
    closed = mod.post(url_for("report-resolve", report_id=queue[0]["id"]), {"note": "removed the post"})
    assert (closed.status_code, closed.data["status"], closed.data["resolution_note"]) == (
        200, "resolved", "removed the post")
    assert mod.post(url_for("report-dismiss", report_id=queue[0]["id"]), {}).data["code"] == "already_closed"
    assert [item["id"] for item in mod.get(url_for("report-list", community_pk=community.pk)).data["items"]] == [
        queue[1]["id"]]
    entry = AuditLogEntry.objects.get(action="report.resolved")
    assert (entry.actor_id, entry.reason) == (moderator.pk, "removed the post")
    # After closing, a new report opens a new item.
    assert report(client_for(member_add(community)), community, target_id=str(post.pk)).data["id"] != queue[0]["id"]


def test_the_queue_summarises_each_item_and_the_detail_lists_every_report(setting):
    community, author, post = setting
    categories = ["spam", "spam", "harassment", "other", "spam"]
    for category in categories:
        report(client_for(member_add(community)), community, target_id=str(post.pk), category=category)
    mod = client_for(member_add(community, role="Moderator"))
    [item] = mod.get(url_for("report-list", community_pk=community.pk)).data["items"]
    assert item["reporter_count"] == 5
    assert item["categories"] == {"spam": 3, "harassment": 1, "hate": 0, "nsfw": 0, "misinformation": 0, "other": 1}
    assert [e["category"] for e in item["recent_entries"]] == ["spam", "other", "harassment"]  # newest first
    detail = mod.get(url_for("report-detail", report_id=item["id"])).data
    assert [e["category"] for e in detail["entries"]] == categories  # oldest first
    assert detail["categories"] == item["categories"]


def test_the_queue_filters_by_status_and_refuses_an_unknown_one(setting):
    community, author, post = setting
    report(client_for(member_add(community)), community, target_id=str(post.pk))
    mod = client_for(community.owner)
    url = url_for("report-list", community_pk=community.pk)
    item = mod.get(url).data["items"][0]
    mod.post(url_for("report-dismiss", report_id=item["id"]), {"note": "fine"})
    assert mod.get(url).data["total"] == 0
    assert [i["status"] for i in mod.get(url, {"status": "dismissed"}).data["items"]] == ["dismissed"]
    for bad in ("closed", ""):
        response = mod.get(url, {"status": bad})
        assert (response.status_code, "status" in response.data) == (400, True)


def test_reports_of_another_community_do_not_appear_and_cannot_be_worked_from_here(setting):
    community, author, post = setting
    other = CommunityFactory()
    foreign = PostFactory(community=other, author=member_add(other), title="x", content="y")
    report(client_for(member_add(other)), other, target_id=str(foreign.pk))
    foreign_item = Report.objects.get()
    mod = client_for(member_add(community, role="Moderator"))
    assert mod.get(url_for("report-list", community_pk=community.pk)).data["total"] == 0
    # Reviewing here grants nothing there: the other community's report does not exist for us.
    assert mod.get(url_for("report-detail", report_id=foreign_item.pk)).status_code == 404
    assert mod.post(url_for("report-resolve", report_id=foreign_item.pk), {}).status_code == 404
    assert mod.get(url_for("report-detail", report_id="7d0c3e2a-1b4f-4c8e-9d6a-2f5b8e1c0a93")).status_code == 404


def test_invisible_targets_are_as_unknown_as_missing_ones(setting):
    community, author, post = setting
    draft = PostFactory(community=community, author=author, title="d", content="d", draft=True)
    gone = PostFactory(community=community, author=author, title="g", content="g", removed=True)
    reporter = client_for(member_add(community))
    for target in (draft, gone):
        assert report(reporter, community, target_id=str(target.pk)).data["code"] == "does_not_exist"
    banned = member_add(community, status="banned", role=None)
    assert report(reporter, community, target_type="member", target_id=str(banned.pk)).data["code"] == "does_not_exist"
    assert not Report.objects.exists()


def test_reporting_yourself_as_a_member_is_409(setting):
    community, author, post = setting
    response = report(client_for(author), community, target_type="member", target_id=str(author.pk))
    assert (response.status_code, response.data["code"]) == (409, "self_report")


def test_the_queue_runs_the_same_number_of_queries_for_2_and_20_items(setting):
    community, author, post = setting
    for index in range(20):
        target = PostFactory(community=community, author=author, title=f"p{index}", content="c")
        for _ in range(2):
            report(client_for(member_add(community)), community, target_id=str(target.pk))
    api = client_for(community.owner)
    url = url_for("report-list", community_pk=community.pk)
    api.get(url, {"page_size": 1})  # warm the access cache

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get(url, {"page_size": size}).data["items"]) == size
        return len(ctx.captured_queries)

    assert count(2) == count(20)


def test_closing_writes_the_audit_entry_in_the_same_transaction(setting):
    community, author, post = setting
    report(client_for(member_add(community)), community, target_id=str(post.pk))
    item = Report.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        report_close(report=item, moderator=community.owner, resolve=False, note="n")
        raise RuntimeError("the request failed after closing")
    item.refresh_from_db()
    assert item.status == "open" and not AuditLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_reports_end_in_one_open_item():
    community = CommunityFactory()
    author = member_add(community)
    post = PostFactory(community=community, author=author, title="t", content="c")
    reporters = [client_for(member_add(community)) for _ in range(20)]

    statuses = run_concurrently([lambda api=api: report(api, community, target_id=str(post.pk)).status_code
                                 for api in reporters])
    assert statuses == [201] * 20
    item = Report.objects.get()
    assert item.reporter_count == ReportEntry.objects.count() == 20
