"""`manage.py seed_demo` (small) fills every console page and dashboard, through the services,
and a second run adds nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum

from analytics.models import CommunityDay
from billing.models import Donation, DonationStatus, Subscription, SubscriptionStatus
from communities.models import Community
from content.models import Channel, Comment, Post, Reaction, Report, ReportStatus, ReportTarget
from events.models import Event
from members.models import Member, MemberStatus

pytestmark = pytest.mark.django_db

PYTHON = "python-developers-demo"
BERLIN = "django-meetup-berlin-demo"


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_a_second_run_creates_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = _row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _row_counts() == first


def test_the_demo_has_something_on_every_page():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    python = Community.objects.get(slug=PYTHON)

    assert Channel.objects.filter(community=python).count() >= 3
    posts = Post.objects.filter(community=python)
    days = {post.published_at.date() for post in posts}
    assert len(days) >= 6  # a week of posts, not one burst
    assert python.post_count == posts.count() > 5  # counted by the service
    assert Post.objects.exclude(search_vector=None).filter(community=python).count() == posts.count()
    assert Comment.objects.filter(community=python).count() >= 5
    assert Reaction.objects.filter(post__community=python).count() >= 10

    open_reports = Report.objects.filter(community=python, status=ReportStatus.OPEN)
    assert set(open_reports.values_list("target_type", flat=True)) == {
        ReportTarget.POST, ReportTarget.COMMENT, ReportTarget.MEMBER}
    assert open_reports.filter(reporter_count__gte=2).exists()  # one queue item, several reporters

    assert Member.objects.filter(community__slug=BERLIN, status=MemberStatus.PENDING).count() >= 2

    event = Event.objects.get(community=python, title="Monthly Python meetup")
    assert event.starts_at > event.created_at
    assert event.going_count == event.capacity and event.waitlist_count > 0

    assert Subscription.objects.filter(community=python, status=SubscriptionStatus.ACTIVE).count() >= 2
    assert Donation.objects.filter(community=python, status=DonationStatus.COMPLETED).count() >= 2

    week = CommunityDay.objects.filter(community=python)
    assert week.filter(posts__gt=0).count() >= 6
    assert week.aggregate(likes=Sum("likes"))["likes"] == Reaction.objects.filter(post__community=python).count()

    for email in ("admin@example.com", "alice@example.com", "bob@example.com"):
        assert email in out.getvalue()
