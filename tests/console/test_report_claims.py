"""Reports grouped as Discourse does: one queue item per reported object, claimed by one
moderator at a time, decided once for every report of it, with an event carrying the reason."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from communities.models import AuditLogEntry
from community_service.exceptions import Conflict
from community_service.outbox.models import OutboxEvent
from content.models import Report, ReportEntry
from content.services.reports import report_claim, report_decide
from members.models import Member
from members.selectors.access import community_access
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.console.conftest import console_client, make_moderator, make_post, make_report
from tests.factories import CommentFactory, CommunityFactory, ReportEntryFactory, UserFactory, member_add
from tests.routes import url_for

QUEUE = "admin:content_report_queue"


def claim(client, report, value="claim"):
    return client.post(reverse("admin:content_report_claim", args=[report.pk]), {"claim": value}, follow=True)


def decide(client, report, decision, **form):
    return client.post(reverse("admin:content_report_decide", args=[report.pk]),
                       {"decision": decision, **form}, follow=True)


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_every_report_of_one_post_is_one_item_with_each_reporters_reason_and_one_decision_closes_them(world):
    post = make_post(world.a, title="Buy cheap watches")
    report = make_report(post, world.a)
    reasons = ["ads everywhere", "same link twice", "bot account", "phishing"]
    for text in reasons[1:]:
        ReportEntryFactory(report=report, reporter=member_add(world.a), category="spam", text=text)
    ReportEntry.objects.filter(report=report, text="please look").update(text=reasons[0])
    report.refresh_from_db()
    assert Report.objects.filter(status="open").count() == 1 and report.reporter_count == 4

    response = world.client.get(reverse(QUEUE))
    (item,) = response.context["items"]
    assert item.report.pk == report.pk and item.report.reporter_count == 4
    body = response.content.decode()
    assert all(reason in body for reason in reasons)  # every one, not only the latest three

    response = decide(world.client, report, "remove", reason="selling fakes")
    assert "Buy cheap watches&#x27; by" in response.content.decode()
    assert "removed; 4 reports resolved." in response.content.decode()
    report.refresh_from_db(), post.refresh_from_db()
    assert report.status == "resolved" and post.deleted_at is not None
    assert not Report.objects.filter(status="open").exists()
    audit = AuditLogEntry.objects.get(action="report.resolved")
    assert audit.reason == "selling fakes" and audit.actor_id == world.moderator.pk


@pytest.mark.django_db
def test_a_claimed_item_shows_its_holder_to_others_who_cannot_decide_it(world):
    other = make_moderator(world.a, username="ola")
    report = make_report(make_post(world.a), world.a)
    response = claim(world.client, report)
    assert "claimed by you until" in page_text(response)
    report.refresh_from_db()
    assert report.claimed_by_id == world.moderator.pk

    theirs = console_client(other)
    page = theirs.get(reverse(QUEUE))
    (item,) = page.context["items"]
    assert item.claimed_by_other and item.allowed == {key: False for key in item.allowed}
    text = page_text(page)
    assert f"Claimed by <b class=\"claim-holder\">{world.moderator.username}</b>" in text
    assert 'value="remove"' not in text

    refused = decide(theirs, report, "remove")
    assert f"{world.moderator.username} is working on this report" in page_text(refused)
    assert "is working on this report" in page_text(claim(theirs, report))
    report.refresh_from_db()
    assert report.status == "open" and report.claimed_by_id == world.moderator.pk
    assert not AuditLogEntry.objects.exists()

    # The holder decides it.
    decide(world.client, report, "approve", reason="fine")
    report.refresh_from_db()
    assert report.status == "dismissed" and report.claimed_by_id is None


@pytest.mark.django_db
def test_a_superadmin_decides_a_claimed_item(world):
    report = make_report(make_post(world.a), world.a)
    claim(world.client, report)
    boss = console_client(UserFactory(is_staff=True, is_superuser=True))
    (item,) = boss.get(reverse(QUEUE)).context["items"]
    assert item.claimed_by_other and item.allowed["decide"] and item.allowed["remove"]
    decide(boss, report, "remove", reason="overruled")
    report.refresh_from_db()
    assert report.status == "resolved"


@pytest.mark.django_db
@override_settings(REPORT_CLAIM_MINUTES=5)
def test_a_claim_lasts_the_configured_time_and_then_anyone_may_take_it(world):
    other = make_moderator(world.a)
    report = make_report(make_post(world.a), world.a)
    claim(world.client, report)
    report.refresh_from_db()
    assert timedelta(minutes=4) < report.claimed_until - timezone.now() <= timedelta(minutes=5)
    Report.objects.filter(pk=report.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    claim(console_client(other), report)
    report.refresh_from_db()
    assert report.claimed_by_id == other.pk


@pytest.mark.django_db
def test_the_holder_releases_a_claim(world):
    report = make_report(make_post(world.a), world.a)
    claim(world.client, report)
    claim(world.client, report, "release")
    report.refresh_from_db()
    assert report.claimed_by_id is None and report.claimed_until is None


@pytest.mark.django_db
def test_the_api_refuses_to_close_an_item_another_moderator_claimed(world):
    report = make_report(make_post(world.a), world.a)
    claim(world.client, report)
    api_moderator = member_add(world.a, role="Moderator")
    response = client_for(api_moderator).post(url_for("report-resolve", report_id=report.pk), {"note": "x"})
    assert response.status_code == 409 and response.data["code"] == "claimed"
    detail = client_for(api_moderator).get(url_for("report-detail", report_id=report.pk))
    assert detail.data["claimed_by_id"] == str(world.moderator.pk) and detail.data["claimed_until"]


@pytest.mark.django_db
def test_a_decision_records_report_decided_with_the_reason_the_author_and_every_reporter(world):
    author = member_add(world.a)
    comment = CommentFactory(post=make_post(world.a), author=author, content="rude words")
    first, second = member_add(world.a), member_add(world.a)
    report = make_report(comment, world.a, first, second)
    decide(world.client, report, "remove", reason="personal attack")
    event = OutboxEvent.objects.get(event_type="report.decided")
    assert event.payload == {
        "community_id": str(world.a.pk), "report_id": str(report.pk), "target_type": "comment",
        "target_id": str(comment.pk), "author_id": str(author.pk), "decision": "remove", "status": "resolved",
        "moderator_id": str(world.moderator.pk), "reason": "personal attack",
        "reporter_ids": [str(first.pk), str(second.pk)],
    }
    assert event.metadata["actor_id"] == str(world.moderator.pk)


@pytest.mark.django_db
def test_a_mute_decision_says_until_when(world):
    target = member_add(world.a)
    response = decide(world.client, make_report(target, world.a), "mute", duration="3600", reason="cool off")
    assert "author muted for 1 hour; 1 report resolved." in response.content.decode()
    payload = OutboxEvent.objects.get(event_type="report.decided").payload
    muted_until = Member.objects.get(community=world.a, user=target).muted_until
    assert payload["decision"] == "mute" and payload["reason"] == "cool off"
    assert abs(parse_datetime(payload["until"]) - muted_until) < timedelta(milliseconds=1)


@pytest.mark.django_db
def test_a_refused_decision_records_no_event(world):
    report = make_report(make_post(world.a, author=member_add(world.a, role="Admin")), world.a)
    decide(world.client, report, "ban", duration="86400")
    assert not OutboxEvent.objects.filter(event_type="report.decided").exists()


# --- two moderators at once, on PostgreSQL -------------------------------------------------------


@pytest.fixture
def contested(transactional_db):
    community = CommunityFactory()
    moderators = [make_moderator(community) for _ in range(2)]
    post = make_post(community)
    report = make_report(post, community, member_add(community), member_add(community))
    return community, moderators, post, report


def _outcome(call) -> str:
    try:
        call()
    except Conflict as exc:
        return exc.code
    return "ok"


def test_two_moderators_claiming_at_once_exactly_one_wins(contested):
    community, moderators, _, report = contested

    def claim_as(user):
        return lambda: _outcome(lambda: report_claim(
            report=report, moderator=user, access=community_access(community_id=community.pk, user=user)))

    outcomes = run_concurrently([claim_as(user) for user in moderators * 4])
    assert sorted(set(outcomes)) == ["claimed", "ok"]
    report.refresh_from_db()
    winners = {user.pk for user, outcome in zip(moderators * 4, outcomes, strict=True) if outcome == "ok"}
    assert winners == {report.claimed_by_id}


def test_two_moderators_deciding_at_once_exactly_one_acts(contested):
    community, moderators, post, report = contested

    def decide_as(user, decision):
        return lambda: _outcome(lambda: report_decide(
            report=report, moderator=user, access=community_access(community_id=community.pk, user=user),
            decision=decision, reason=f"{decision} by {user.username}"))

    outcomes = run_concurrently([decide_as(moderators[0], "remove"), decide_as(moderators[1], "approve")] * 3)
    assert outcomes.count("ok") == 1 and set(outcomes) == {"ok", "already_closed"}
    report.refresh_from_db(), post.refresh_from_db()
    (event,) = OutboxEvent.objects.filter(event_type="report.decided")
    assert event.payload["decision"] == ("remove" if report.status == "resolved" else "approve")
    assert (post.deleted_at is not None) == (report.status == "resolved")
    assert AuditLogEntry.objects.filter(action__in=["report.resolved", "report.dismissed"]).count() == 1
