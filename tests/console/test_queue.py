"""The moderation queue: open reports oldest first, the content inline, one click to decide."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import AuditLogEntry
from content.models import Post, Report
from members.models import Member
from tests.console.conftest import console_client, make_moderator, make_post, make_report
from tests.factories import CommentFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db

QUEUE = "admin:content_report_queue"


def decide(client, report, decision, **form):
    return client.post(reverse("admin:content_report_decide", args=[report.pk]),
                       {"decision": decision, **form}, follow=True)


def test_the_queue_shows_open_reports_oldest_first_with_content_and_reporter_count(world):
    newer = make_report(make_post(world.a, title="newer spam"), world.a)
    older = make_report(make_post(world.a, title="older spam", content="buy pills"), world.a,
                        member_add(world.a), member_add(world.a))
    Report.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    make_report(make_post(world.b, title="beta spam"), world.b)
    response = world.client.get(reverse(QUEUE))
    assert response.status_code == 200
    items = response.context["items"]
    assert [item.report.pk for item in items] == [older.pk, newer.pk]
    body = response.content.decode()
    assert "buy pills" in body and "beta spam" not in body
    assert items[0].report.reporter_count == 2 and items[0].report.spam_count == 2


def test_the_queue_page_reads_in_a_constant_number_of_queries(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert world.client.get(reverse(QUEUE)).status_code == 200
        return len(queries)

    make_report(make_post(world.a), world.a)
    make_report(member_add(world.a), world.a)
    post = make_post(world.a)
    make_report(CommentFactory(post=post, author=member_add(world.a), content="c"), world.a)
    world.client.get(reverse(QUEUE))  # the login's session writes happen once, before counting
    few = count()
    for _ in range(4):
        make_report(make_post(world.a), world.a)
        post = make_post(world.a)
        comment = CommentFactory(post=post, author=member_add(world.a), content="c")
        make_report(comment, world.a)
    assert count() == few


def test_remove_from_the_queue_soft_deletes_resolves_and_audits(world):
    post = make_post(world.a)
    report = make_report(post, world.a)
    response = decide(world.client, report, "remove", reason="spam link")
    assert response.status_code == 200
    post.refresh_from_db(), report.refresh_from_db()
    assert post.deleted_at is not None and report.status == "resolved"
    actions = set(AuditLogEntry.objects.filter(actor=world.moderator).values_list("action", flat=True))
    assert actions == {"post.removed", "report.resolved"}


def test_approve_keeps_the_content_and_dismisses(world):
    post = make_post(world.a)
    report = make_report(post, world.a)
    decide(world.client, report, "approve")
    post.refresh_from_db(), report.refresh_from_db()
    assert post.deleted_at is None and report.status == "dismissed"


def test_approve_publishes_a_post_waiting_for_review(world):
    post = make_post(world.a)
    Post.objects.filter(pk=post.pk).update(status="pending_review")
    decide(world.client, make_report(post, world.a), "approve")
    post.refresh_from_db()
    assert post.status == "published"
    assert AuditLogEntry.objects.filter(action="post.approved").exists()


def test_lock_on_a_reported_comment_locks_its_post(world):
    post = make_post(world.a)
    comment = CommentFactory(post=post, author=member_add(world.a), content="rude")
    decide(world.client, make_report(comment, world.a), "lock")
    post.refresh_from_db()
    assert post.comments_locked


def test_ban_from_the_queue_bans_the_author_for_the_chosen_duration(world):
    author = member_add(world.a)
    report = make_report(make_post(world.a, author=author), world.a)
    decide(world.client, report, "ban", duration="604800", reason="repeat spammer")
    member = Member.objects.get(community=world.a, user=author)
    assert member.status == "banned" and member.ban_reason == "repeat spammer"
    assert timedelta(days=6, hours=23) < member.banned_until - timezone.now() <= timedelta(days=7)
    report.refresh_from_db()
    assert report.status == "resolved"


def test_mute_from_the_queue_mutes_a_reported_member(world):
    target = member_add(world.a)
    decide(world.client, make_report(target, world.a), "mute", duration="3600", reason="cool off")
    member = Member.objects.get(community=world.a, user=target)
    assert member.muted_until is not None and member.muted_until > timezone.now()
    assert AuditLogEntry.objects.get(action="member.muted").reason == "cool off"


def test_a_permanent_mute_is_refused_and_changes_nothing(world):
    target = member_add(world.a)
    report = make_report(target, world.a)
    response = decide(world.client, report, "mute", duration="")
    assert "A mute needs a duration" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "open" and Member.objects.get(community=world.a, user=target).muted_until is None


def test_the_hierarchy_holds_in_the_queue_and_nothing_is_half_done(world):
    admin_user = member_add(world.a, role="Admin")
    report = make_report(make_post(world.a, author=admin_user), world.a)
    response = decide(world.client, report, "ban", duration="86400")
    assert "highest role is below yours" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "open"
    assert Member.objects.get(community=world.a, user=admin_user).status == "active"
    assert not AuditLogEntry.objects.exists()


def test_a_moderator_without_member_ban_gets_no_ban_button_and_cannot_post_one(world):
    role = world.a.roles.get(name="Moderator")
    role.permissions = [code for code in role.permissions if code != "member.ban"]
    role.save()
    author = member_add(world.a)
    report = make_report(make_post(world.a, author=author), world.a)
    page = world.client.get(reverse(QUEUE))
    assert page.context["items"][0].allowed["ban"] is False
    assert 'value="ban"' not in page.content.decode()
    response = decide(world.client, report, "ban", duration="86400")
    assert "member.ban" in response.content.decode()
    assert Member.objects.get(community=world.a, user=author).status == "active"


def test_deciding_another_communitys_report_is_a_404(world):
    report = make_report(make_post(world.b), world.b)
    response = world.client.post(reverse("admin:content_report_decide", args=[report.pk]), {"decision": "remove"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == "open"


def test_a_second_click_on_a_closed_report_changes_nothing(world):
    post = make_post(world.a)
    report = make_report(post, world.a)
    decide(world.client, report, "approve")
    response = decide(world.client, report, "remove")
    assert "already closed" in response.content.decode()
    post.refresh_from_db()
    assert post.deleted_at is None


def test_a_moderator_of_both_communities_sees_both_queues(world):
    both = make_moderator(world.a, world.b)
    make_report(make_post(world.a), world.a), make_report(make_post(world.b), world.b)
    assert len(console_client(both).get(reverse(QUEUE)).context["items"]) == 2


def test_the_console_index_links_the_queue_with_its_open_count(world):
    make_report(make_post(world.a), world.a), make_report(make_post(world.b), world.b)
    decided = make_report(make_post(world.b), world.b)
    Report.objects.filter(pk=decided.pk).update(status="dismissed")
    staff = console_client(UserFactory(is_staff=True, is_superuser=True))

    def index(client, **query) -> str:
        return " ".join(client.get(reverse("admin:index"), query).content.decode().split())

    link = f'<a href="{reverse(QUEUE)}">Moderation queue</a></th> <td class="num">%d</td>'
    assert link % 2 in index(staff)
    # A moderator's index counts their communities only.
    assert link % 1 in index(world.client)
