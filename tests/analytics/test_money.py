"""The money sections against hand-counted donations and subscriptions.

Two days ago: A gives 10.00 USD, B gives 5.50 USD anonymously, A gives 20.00 EUR.
Yesterday: C gives 7.25 USD, and A's USD gift is refunded. A failed donation never counts.
Subscriptions now: two active on a 5.00 USD/30-day level, one active and one cancelled
on a 12.00 USD/90-day level.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import CommunityWindow
from analytics.selectors.communities import community_analytics
from analytics.selectors.members import member_analytics
from analytics.selectors.ranges import day_range
from analytics.services.rollups import rollup_days
from billing.models import SubscriptionStatus
from members.models import Member
from tests.billing.world import level_create, subscription_active
from tests.factories import CommunityFactory, DonationFactory, PaymentFactory, member_add

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
D1, D2 = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def money():
    community = CommunityFactory()
    a, b, c = member_add(community), member_add(community), member_add(community)

    def give(donor, amount, currency, day, **fields):
        fields.setdefault("status", "completed")
        fields.setdefault("completed_at", at(day))
        return DonationFactory(community=community, donor=donor, amount=Decimal(amount), currency=currency, **fields)

    refunded = give(a, "10.00", "USD", D1, status="refunded")
    PaymentFactory(donation=refunded, refunded=True, completed_at=None, refunded_at=at(D2))
    give(b, "5.50", "USD", D1, is_anonymous=True)
    give(a, "20.00", "EUR", D1)
    give(c, "7.25", "USD", D2)
    give(c, "99.00", "USD", D2, status="failed", completed_at=None)
    basic = level_create(community, name="Basic", price="5.00", duration_days=30)
    pro = level_create(community, name="Pro", price="12.00", duration_days=90)
    subscription_active(basic, a), subscription_active(basic, b), subscription_active(pro, c)
    subscription_active(pro, member_add(community), status=SubscriptionStatus.CANCELLED)
    rollup_days(since=D1, until=TODAY)
    community.refresh_from_db()
    return {"community": community, "a": a, "b": b, "c": c}


def test_donations_per_currency_count_refunds_on_their_own_day(money):
    section = community_analytics(community=money["community"], days=day_range(since=D1, until=TODAY))["money"]
    assert section["by_currency"] == [
        {"currency": "EUR", "donations": 1, "amount": "20.00", "refunds": 0, "refunded": "0.00", "net": "20.00"},
        {"currency": "USD", "donations": 3, "amount": "22.75", "refunds": 1, "refunded": "10.00", "net": "12.75"},
    ]
    only_yesterday = community_analytics(community=money["community"], days=day_range(since=D2, until=D2))["money"]
    assert only_yesterday["by_currency"] == [
        {"currency": "USD", "donations": 1, "amount": "7.25", "refunds": 1, "refunded": "10.00", "net": "-2.75"},
    ]


def test_top_donors_are_net_of_refunds_and_never_name_the_anonymous(money):
    section = community_analytics(community=money["community"], days=day_range(since=D1, until=TODAY))["money"]
    names = [(d["currency"], d["user_id"], d["amount"]) for d in section["top_donors"]]
    assert names == [("EUR", money["a"].pk, "20.00"), ("USD", money["c"].pk, "7.25"),
                     ("USD", money["a"].pk, "0.00")]
    assert money["b"].pk not in {d["user_id"] for d in section["top_donors"]}


def test_active_subscriptions_per_level_and_monthly_recurring_revenue(money):
    section = community_analytics(community=money["community"], days=day_range(since=D1, until=TODAY))["money"]
    assert [(lv["name"], lv["active"]) for lv in section["subscriptions"]["active_by_level"]] == [
        ("Basic", 2), ("Pro", 1)]
    # 2 × 5.00 × 30/30 + 1 × 12.00 × 30/90 = 10.00 + 4.00
    assert section["subscriptions"]["monthly_recurring_revenue"] == [{"currency": "USD", "amount": "14.00"}]


def test_a_member_sees_their_donations_and_subscription(money):
    member = Member.objects.get(community=money["community"], user=money["a"])
    data = member_analytics(member=member, days=day_range(since=D1, until=TODAY))["money"]
    assert data["donations"] == [{"currency": "EUR", "all_time": "20.00", "in_range": "20.00"},
                                 {"currency": "USD", "all_time": "0.00", "in_range": "0.00"}]
    assert data["subscription"]["level"] == "Basic" and data["subscription"]["status"] == "active"


def test_stored_top_donors_are_the_live_ones(money):
    community = money["community"]
    days = day_range(since=None, until=None)
    stored = community_analytics(community=community, days=days)["money"]
    CommunityWindow.objects.filter(community=community).delete()
    live = community_analytics(community=community, days=days)["money"]
    assert stored == live
    assert [(d["currency"], d["user_id"], d["amount"]) for d in stored["top_donors"]] == [
        ("EUR", money["a"].pk, "20.00"), ("USD", money["c"].pk, "7.25"), ("USD", money["a"].pk, "0.00")]
