"""The console's landing page is the work: what waits in the moderator's communities, with
counts and ages, what other moderators did; superusers also see the platform's health, and
only they see the internal tables, grouped under "System"."""

import pytest
from django.urls import reverse

from community_service.outbox.models import OutboxEvent
from content.models import Post, PostStatus
from tests.console.conftest import console_client, every_row, make_post
from tests.factories import AuditLogEntryFactory, CommunityFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db


def _words(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_moderator_lands_on_the_work_waiting_in_their_communities():
    world = every_row()
    waiting = make_post(world.community, title="Waiting for review")
    member_add(world.community, status="pending", role=None)
    elsewhere = CommunityFactory(name="Elsewhere")
    Post.objects.filter(pk__in=[waiting.pk, make_post(elsewhere).pk]).update(status=PostStatus.PENDING_REVIEW)
    AuditLogEntryFactory(community=world.community, actor=world.bob, action="post.removed",
                         target_type="post", target_id=world.post.pk, reason="spam")
    AuditLogEntryFactory(community=elsewhere, actor=world.bob, action="member.banned",
                         target_type="member", target_id=world.carol.pk, reason="")
    page = _words(console_client(world.moderator).get(reverse("admin:index")))
    assert 'Open reports in Python Developers</a></th> <td class="num">3</td> <td>oldest 0' in page
    assert 'Posts pending review in Python Developers</a></th> <td class="num">1</td>' in page
    assert 'Join requests in Python Developers</a></th> <td class="num">1</td>' in page
    assert "<strong>bob</strong>: Post removed: post &#x27;Buy cheap watches today&#x27; by bob" in page
    # Their own actions (every_row's audit rows are the moderator's) and other communities' are not listed.
    assert "<strong>mia</strong>:" not in page and "Elsewhere" not in page and "Member banned" not in page
    assert "console-operations" not in page and "Outbox" not in page and ">System<" not in page


def test_a_superuser_also_sees_the_platforms_health_and_the_system_tables():
    every_row()
    page = _words(console_client(UserFactory(is_staff=True, is_superuser=True)).get(reverse("admin:index")))
    pending = OutboxEvent.objects.filter(status="pending").count()
    assert f'Outbox events waiting to be sent</a></th> <td class="num">{pending}</td> <td>oldest 0' in page
    assert 'Failed payments</a></th> <td class="num">1</td> <td> breakers: sandbox closed</td>' in page
    system = page[page.index(">System<"):]
    for name in ("Outbox events", "Idempotency keys", "Community days", "Blacklisted Tokens", "Webhook events"):
        assert name in system


def test_the_system_tables_are_closed_to_moderators_even_with_the_django_permission():
    world = every_row()
    from django.contrib.auth.models import Permission

    world.moderator.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_outboxevent", "view_idempotencykey", "view_communityday"]))
    client = console_client(world.moderator)
    for name in ("community_service_outboxevent", "community_service_idempotencykey", "analytics_communityday"):
        assert client.get(reverse(f"admin:{name}_changelist"), {"attention": "all"}).status_code == 403
