"""Events', members' and billing's notices: registrations and waitlist moves, reminders sent
once, sanctions with their reason, payments and donations."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from billing.notices import subscriptions_ending_notify
from community_service.notifications.models import Notification
from community_service.outbox.services import outbox_record
from events.notices import events_reminders_send
from members.models import Member
from tests.conftest import client_for
from tests.factories import (
    CommunityFactory,
    EventFactory,
    MemberFactory,
    RegistrationFactory,
    RoleFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def notices(user, type_name=None):
    rows = Notification.objects.filter(recipient_id=user.pk).order_by("id")
    return list(rows.filter(type=type_name) if type_name else rows)


@pytest.fixture
def community():
    return CommunityFactory()


def member(community, name):
    return MemberFactory(community=community, user=UserFactory(username=name)).user


def test_a_full_events_waitlist_moves_up_and_is_told_at_once(community, committed, mailoutbox):
    meetup = EventFactory(community=community, capacity=1, title="Picnic")
    alice, bob = member(community, "alice"), member(community, "bob")
    with committed():
        assert client_for(alice).post(url_for("event-registration", event_id=meetup.pk)).status_code in (200, 201)
        assert client_for(bob).post(url_for("event-registration", event_id=meetup.pk)).status_code in (200, 201)
    assert [n.text for n in notices(alice)] == ["You're going to “Picnic”."]
    assert [n.text for n in notices(bob)] == ["You're on the waitlist for “Picnic”."]
    with committed():
        assert client_for(alice).delete(url_for("event-registration", event_id=meetup.pk)).status_code in (200, 204)
    [promoted] = notices(bob, "event_promoted")
    assert promoted.mail_status == "sent"
    assert [m.subject for m in mailoutbox] == [promoted.text]


def test_reminders_go_once_24_hours_and_1_hour_before(community):
    meetup = EventFactory(community=community, starts_in=timedelta(hours=20), title="Talk")
    alice = member(community, "alice")
    gone = member(community, "gone")
    RegistrationFactory(event=meetup, user=alice)
    RegistrationFactory(event=meetup, user=gone)
    Member.objects.filter(user=gone, community=community).update(status="left")  # left, seat not yet given up
    assert events_reminders_send() == 1
    assert events_reminders_send() == 0  # beat ran twice: nothing more
    later = meetup.starts_at - timedelta(minutes=50)
    assert events_reminders_send(now=later) == 1
    assert events_reminders_send(now=later) == 0
    assert [n.data["kind"] for n in notices(alice, "event_reminder")] == ["24h", "1h"]
    assert notices(gone) == []


def test_a_ban_tells_the_banned_member_until_when_and_why(community, committed):
    bob = member(community, "bob")
    until = timezone.now() + timedelta(days=2)
    with committed():
        response = client_for(community.owner).post(
            url_for("ban-list", community_pk=community.pk),
            {"user_id": str(bob.pk), "duration_seconds": 2 * 86400, "reason": "Spam"}, format="json")
    assert response.status_code in (200, 201), response.data
    [notice] = notices(bob, "member_banned")
    assert notice.text.startswith(f"You were banned from {community.name} until ") and notice.text.endswith(": Spam")
    assert notice.data["banned_until"][:10] == until.isoformat()[:10]


def test_a_join_request_decision_is_told(committed):
    community = CommunityFactory(community_type="restricted")
    carol = UserFactory(username="carol")
    with committed():
        client_for(carol).post(url_for("member-list", community_pk=community.pk), {}, format="json")
        response = client_for(community.owner).post(
            url_for("join-request-approve", community_pk=community.pk, user_id=carol.pk))
    assert response.status_code == 200, response.data
    assert [n.text for n in notices(carol)] == [f"Your request to join {community.name} was approved."]


def test_payment_failures_and_donations_reach_the_right_people(community, committed):
    payer = member(community, "payer")
    treasurer = member(community, "treasurer")
    role = RoleFactory(community=community, permissions=["billing.manage"])
    Member.objects.get(user=treasurer, community=community).roles.add(role)
    with committed(), transaction.atomic():
        outbox_record(event_type="payment.failed", aggregate_type="payment", aggregate_id=uuid.uuid4(),
                      community_id=community.pk, payload={
                          "community_id": community.pk, "payment_id": uuid.uuid4(), "user_id": payer.pk,
                          "purpose": "donation", "amount": "5.00", "currency": "USD", "failure_code": "card_declined"})
        outbox_record(event_type="donation.received", aggregate_type="donation", aggregate_id=uuid.uuid4(),
                      community_id=community.pk, payload={
                          "community_id": community.pk, "donation_id": uuid.uuid4(), "donor_id": payer.pk,
                          "amount": "5.00", "currency": "USD"})
    assert [n.text for n in notices(payer)] == ["Your payment of 5.00 USD failed."]
    assert [n.type for n in notices(treasurer)] == ["donation_received"]
    assert [n.type for n in notices(community.owner)] == ["donation_received"]


def test_a_cancelled_subscription_is_told_once_that_it_ends_soon(community):
    subscriber = member(community, "sub")
    SubscriptionFactory(user=subscriber, community=community, cancelled=True, days_left=2)
    SubscriptionFactory(user=member(community, "later"), community=community, cancelled=True, days_left=10)
    assert subscriptions_ending_notify() == 1
    assert subscriptions_ending_notify() == 0
    [notice] = notices(subscriber, "subscription_ending")
    assert notice.text.startswith("Your subscription to ")
