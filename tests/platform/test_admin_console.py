"""The admin is the moderators' console: every page loads, and its actions go through services."""

import pytest
from django.test import Client
from django.urls import reverse

from communities.models import AuditLogEntry
from tests.factories import CommunityFactory, PostFactory, ReportFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db

MODELS = ["communities.community", "communities.invite", "communities.auditlogentry", "members.user",
          "members.member", "members.role", "content.channel", "content.post", "content.comment",
          "content.report", "content.attachment", "community_service.outboxevent",
          "billing.subscriptionlevel", "billing.subscription", "billing.donation", "billing.payment",
          "billing.webhookevent", "community_service.idempotencykey"]


@pytest.fixture
def staff_client():
    # Django's own client: the admin takes form posts (the suite's `client` speaks JSON).
    client = Client()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_console_list_and_add_page_loads(staff_client, model):
    CommunityFactory()
    app, name = model.split(".")
    assert staff_client.get(reverse(f"admin:{app}_{name}_changelist"), follow=True).status_code == 200


def test_removing_posts_from_the_console_is_soft_counted_and_audited(staff_client):
    community = CommunityFactory()
    post = PostFactory(community=community, author=member_add(community), title="spam", content="x")
    response = staff_client.post(reverse("admin:content_post_changelist"),
                                 {"action": "remove_posts", "_selected_action": [str(post.pk)], "index": 0,
                                  "confirmed": "yes"})
    assert response.status_code == 302
    post.refresh_from_db()
    community.refresh_from_db()
    assert post.deleted_at is not None and community.post_count == 0
    assert AuditLogEntry.objects.get(action="post.removed").actor_id == staff_client.staff.pk


def test_resolving_reports_from_the_console_is_audited(staff_client):
    community = CommunityFactory()
    report = ReportFactory(community=community, target=community.owner)
    staff_client.post(reverse("admin:content_report_changelist"),
                      {"action": "resolve_reports", "_selected_action": [str(report.pk)], "index": 0})
    report.refresh_from_db()
    assert report.status == "resolved"
    assert AuditLogEntry.objects.filter(action="report.resolved", actor=staff_client.staff).exists()
