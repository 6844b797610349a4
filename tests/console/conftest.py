"""A moderation world for the console: communities A and B, and a staff moderator of A only."""

import importlib
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from communities.models import Community
from content.models import Comment, Post, Report
from members.models import User
from tests.factories import (
    AttachmentFactory,
    AuditLogEntryFactory,
    ChannelFactory,
    CommentFactory,
    CommunityDayFactory,
    CommunityFactory,
    DonationFactory,
    IdempotencyKeyFactory,
    NotificationFactory,
    PaymentFactory,
    PostFactory,
    ReportFactory,
    UserFactory,
    WebhookAttemptFactory,
    WebhookEventFactory,
    member_add,
)


def console_client(user: User) -> Client:
    # Django's own client: the admin takes form posts (the suite's `client` speaks JSON).
    client = Client()
    client.force_login(user)
    return client


def moderators_group() -> Group:
    """The group the data migration made; a transactional test's flush elsewhere may have
    emptied the table, so make it again the migration's way."""
    group = Group.objects.filter(name="Moderators").first()
    if group is None:
        migration = importlib.import_module("content.migrations.0003_moderators_group")
        migration.create_group(django_apps, SimpleNamespace(connection=connection))
        group = Group.objects.get(name="Moderators")
    return group


def make_moderator(*communities: Community, role: str = "Moderator", **fields: object) -> User:
    """A staff user in the Moderators group who holds `role` in each of `communities`."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(moderators_group())
    for community in communities:
        member_add(community, role=role, user=user)
    return user


def make_post(community: Community, author: User | None = None, **fields: object) -> Post:
    """A published post by `author` (default: a new member); PostFactory keeps post_count true."""
    return PostFactory(community=community, author=author or member_add(community),
                       title=fields.pop("title", "a post"), content=fields.pop("content", "words"), **fields)


def make_report(target: Post | Comment | User, community: Community, *reporters: User,
                category: str = "spam") -> Report:
    """An open report of `target` by `reporters` (default: a new member)."""
    return ReportFactory(community=community, target=target, reporters=list(reporters) or [member_add(community)],
                         reporters__category=category, reporters__text="please look")


@dataclass
class World:
    a: Community
    b: Community
    moderator: User

    @property
    def client(self) -> Client:
        return console_client(self.moderator)


@pytest.fixture
def world(db) -> World:
    a, b = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")
    return World(a=a, b=b, moderator=make_moderator(a))


def every_row() -> SimpleNamespace:
    """A row behind every console page, with its real relations: a community with its people,
    content and reports, an event, billing, analytics and the platform's own tables."""
    from datetime import date
    from decimal import Decimal

    from django.db import transaction
    from rest_framework_simplejwt.tokens import RefreshToken

    from community_service.outbox.services import outbox_record
    from members.services.invites import invite_create
    from tests.billing.world import level_create, subscription_active
    from tests.events.world import event_make, registration_make

    community = CommunityFactory(name="Python Developers", slug="python-developers")
    moderator = make_moderator(community, username="mia", email="mia@example.com")
    bob = member_add(community, user=UserFactory(username="bob", email="bob@example.com"))
    carol = member_add(community, user=UserFactory(username="carol", email="carol@example.com"))
    channel = ChannelFactory(community=community, name="General", slug="general")
    post = make_post(community, author=bob, channel=channel, title="Buy cheap watches today",
                     content="Best prices on watches")
    comment = CommentFactory(post=post, author=carol, content="This is spam, surely")
    AttachmentFactory(community=community, post=post, uploader=bob, size=2048, original_name="watch.png")
    post_report = make_report(post, community, carol)
    make_report(comment, community, bob, category="harassment")
    make_report(bob, community, carol, category="other")
    for target_type, target_id in (("post", post.pk), ("comment", comment.pk), ("member", bob.pk),
                                   ("report", post_report.pk)):
        AuditLogEntryFactory(community=community, actor=moderator, action="post.removed",
                             target_type=target_type, target_id=target_id, reason="spam")
    invite_create(community=community, created_by=community.owner, expires_in=None, max_uses=5)
    event = event_make(community, title="Python night")
    registration_make(event, carol)
    level = level_create(community, name="Supporter")
    subscription = subscription_active(level, carol)
    donation = DonationFactory(community=community, donor=bob, amount=Decimal("7.50"))
    payment = PaymentFactory(donation=donation, provider_payment_id="pay_42")
    PaymentFactory(for_subscription=True, failed=True, subscription=subscription, amount=Decimal("5.00"))
    WebhookEventFactory(event_id="evt_42", payment=payment)
    CommunityDayFactory(community=community, day=date.today(), posts=1, comments=1)
    with transaction.atomic():
        outbox_record(event_type="post.created", aggregate_type="post", aggregate_id=post.pk,
                      community_id=community.pk,
                      payload={"community_id": community.pk, "post_id": post.pk, "author_id": bob.pk,
                               "channel_id": channel.pk, "title": post.title})
    IdempotencyKeyFactory(user=bob, key="checkout-42", fingerprint="f" * 64, expires_at=timezone.now())
    NotificationFactory(recipient_id=bob.pk, text="mia removed your post", mail_failed=True)
    WebhookAttemptFactory(delivery__endpoint__community=community, delivery__event_type="post.created")
    RefreshToken.for_user(bob).blacklist()
    return SimpleNamespace(community=community, moderator=moderator, bob=bob, carol=carol, post=post,
                           comment=comment, report=post_report, event=event, level=level)
