"""Donations: giving, validation, anonymity, totals and top donors (cached), feeds."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Donation, DonationStatus, Payment, PaymentStatus
from billing.providers.sandbox import LEDGER
from billing.selectors.donations import top_donors_cache_key
from community_service.api.pagination import CappedCountPagination
from tests.billing.helpers import events, money_post
from tests.billing.world import World, build_world
from tests.conftest import client_for
from tests.factories import CommunityFactory, DonationFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def give(world: World, actor: str = "member", **body: object):
    return money_post(world.client(actor), url_for("donation-list", community_pk=world.community.pk),
                      {"amount": "10.00", "currency": "USD", **body})


def test_a_donation_completes_records_its_payment_and_publishes_donation_received(world):
    response = give(world, message="Keep it up")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["currency"], body["status"], body["message"]) == ("10.00", "USD", "completed",
                                                                                  "Keep it up")
    donation = Donation.objects.get(pk=body["id"])
    payment = Payment.objects.get(donation=donation)
    assert payment.status == PaymentStatus.COMPLETED and payment.amount == Decimal("10.00")
    assert len(LEDGER.charges) == 1
    [event] = events("donation.received", donation_id=str(donation.pk))
    assert event.payload["donor_id"] == str(world.users["member"].pk) and event.payload["amount"] == "10.00"


@pytest.mark.parametrize("field,value", [
    ("amount", "0"), ("amount", "0.00"), ("amount", "-5.00"), ("amount", "10000.01"), ("amount", "1.005"),
    ("amount", "abc"), ("amount", True), ("amount", "NaN"), ("amount", "Infinity"), ("amount", 12.345),
    ("currency", "XYZ"), ("currency", "US"), ("currency", 840), ("message", "x" * 501),
    ("is_anonymous", "yes"),
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world, field, value):
    before = Donation.objects.count()
    response = give(world, **{field: value})
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Donation.objects.count() == before and LEDGER.calls == 0


def test_an_amount_finer_than_the_currency_allows_is_refused(world):
    response = give(world, amount="100.50", currency="JPY")
    assert response.status_code == 400 and response.json()["code"] == "max_decimal_places"
    assert give(world, amount="100", currency="jpy").json()["currency"] == "JPY"


def test_the_upper_limit_follows_the_setting(world, settings):
    settings.BILLING_MAX_AMOUNT = "50.00"
    assert give(world, amount="50.00").status_code == 201
    assert "amount" in give(world, amount="50.01").json()


def test_a_declined_card_is_a_402_the_donation_is_kept_failed_and_counts_nowhere(world):
    response = give(world, payment_method="pm_sandbox_decline")
    assert (response.status_code, response.json()["code"]) == (402, "payment_declined")
    donation = Donation.objects.filter(donor=world.users["member"]).get()
    assert donation.status == DonationStatus.FAILED
    assert Payment.objects.get(donation=donation).failure_code == "card_declined"
    assert events("payment.failed", purpose="donation") and not events("donation.received",
                                                                       donation_id=str(donation.pk))
    summary = url_for("donation-summary", community_pk=world.community.pk)
    totals = world.client("anonymous").get(summary).json()["totals"]
    assert totals == [{"currency": "USD", "amount": "7.50", "count": 1, "anonymous_count": 0}]


def test_anonymous_donors_are_hidden_from_all_but_themselves_and_donation_view_holders(world):
    give(world, "member", is_anonymous=True, amount="20.00")
    def donors(actor: str) -> list:
        items = world.client(actor).get(url_for("donation-list", community_pk=world.community.pk)).json()["items"]
        return [item["donor"]["username"] if item["donor"] else None for item in items if item["amount"] == "20.00"]
    name = world.users["member"].username
    assert donors("anonymous") == [None] and donors("moderator") == [None] and donors("non_member") == [None]
    assert donors("member") == [name] and donors("admin") == [name] and donors("owner") == [name]
    [event] = events("donation.received", amount="20.00")
    assert event.payload["donor_id"] is None


def test_totals_are_exact_to_the_cent_per_currency_and_anonymous_gifts_count_but_never_by_name(world):
    for actor, amount, currency, anonymous in [
        ("member", "0.10", "USD", False), ("member", "0.10", "USD", False), ("member", "0.10", "USD", True),
        ("admin", "19.99", "EUR", False), ("owner", "0.01", "EUR", True), ("moderator", "1000", "JPY", False),
        ("admin", "0.20", "USD", False),
    ]:
        assert give(world, actor, amount=amount, currency=currency, is_anonymous=anonymous).status_code == 201
    summary = world.client("anonymous").get(url_for("donation-summary", community_pk=world.community.pk)).json()
    assert summary["totals"] == [
        {"currency": "EUR", "amount": "20.00", "count": 2, "anonymous_count": 1},
        {"currency": "JPY", "amount": "1000.00", "count": 1, "anonymous_count": 0},
        {"currency": "USD", "amount": "8.00", "count": 5, "anonymous_count": 1},
    ]
    by_currency = {(d["currency"], d["username"]): d["amount"] for d in summary["top_donors"]}
    users = world.users
    assert by_currency == {
        ("EUR", users["admin"].username): "19.99",
        ("JPY", users["moderator"].username): "1000.00",
        ("USD", users["subscriber"].username): "7.50",
        ("USD", users["admin"].username): "0.20",
        ("USD", users["member"].username): "0.20",  # the anonymous 0.10 is not counted by name
    }
    assert [d["username"] for d in summary["top_donors"] if d["currency"] == "USD"][0] == users["subscriber"].username
    assert users["owner"].username not in str(summary)


def test_top_donors_are_cached_under_the_seed_key_for_5_minutes_and_dropped_on_a_new_donation(world):
    url = url_for("donation-summary", community_pk=world.community.pk)
    assert world.client("anonymous").get(url).json()["totals"][0]["amount"] == "7.50"
    key = top_donors_cache_key(world.community.pk)
    assert cache.get(key) is not None and 0 < cache.ttl(key) <= 300
    give(world, amount="2.50")
    assert cache.get(key) is None
    assert world.client("anonymous").get(url).json()["totals"][0]["amount"] == "10.00"


def test_top_donors_are_limited_per_currency(world, settings):
    settings.BILLING_TOP_DONORS = 2
    for actor in ("member", "admin", "owner"):
        give(world, actor, amount="1.00")
    summary = world.client("anonymous").get(url_for("donation-summary", community_pk=world.community.pk)).json()
    assert len(summary["top_donors"]) == 2 and summary["top_donors"][0]["amount"] == "7.50"


def test_the_feed_lists_completed_donations_newest_first_and_other_statuses_need_donation_view(world):
    give(world, amount="1.00")
    give(world, amount="2.00", payment_method="pm_sandbox_decline")
    items = world.client("member").get(url_for("donation-list", community_pk=world.community.pk)).json()["items"]
    assert [i["amount"] for i in items] == ["1.00", "7.50"]
    donations = url_for("donation-list", community_pk=world.community.pk)
    assert world.client("member").get(donations, {"status": "failed"}).status_code == 400
    failed = world.client("admin").get(donations, {"status": "failed"}).json()["items"]
    assert [i["amount"] for i in failed] == ["2.00"]
    assert world.client("admin").get(donations, {"status": "nope"}).status_code == 400
    assert world.client("admin").get(donations, {"status": ""}).status_code == 400  # not in the schema's enum


def test_the_feed_pages_with_a_cursor(world):
    for amount in ("1.00", "2.00", "3.00"):
        give(world, amount=amount)
    api = world.client("member")
    first = api.get(url_for("donation-list", community_pk=world.community.pk) + "?cursor=&page_size=2").json()
    assert [i["amount"] for i in first["items"]] == ["3.00", "2.00"] and first["previous"] is None
    second = api.get(first["next"]).json()
    assert [i["amount"] for i in second["items"]] == ["1.00", "7.50"]


def test_feed_pages_count_at_most_the_cap_stop_deep_and_keep_their_order(world, monkeypatch):
    # A big community's donations grow without bound: CappedCountPagination, as posts page.
    Donation.objects.bulk_create(
        Donation(community=world.community, donor=UserFactory(), amount=Decimal(f"{i}.00"), currency="USD",
                 status=DonationStatus.COMPLETED) for i in range(1, 7))
    api, url = world.client("member"), url_for("donation-list", community_pk=world.community.pk)
    whole = [i["amount"] for i in api.get(url, {"page_size": 100}).json()["items"]]
    assert len(whole) == 7  # the world's own donation and these six
    body = api.get(url, {"page_size": 3}).json()
    assert (body["total"], body["total_exact"], body["pages"]) == (7, True, 3)
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 4)
    assert api.get(url, {"page_size": 3}).json()["total_exact"] is False
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 1)  # pages 2 and 3 by the id subquery
    paged = [i["amount"] for n in (1, 2, 3) for i in api.get(url, {"page": n, "page_size": 3}).json()["items"]]
    assert paged == whole
    too_deep = api.get(url, {"page": CappedCountPagination.MAX_PAGE_OFFSET // 20 + 1, "page_size": 20})
    assert too_deep.status_code == 400 and too_deep.json()["code"] == "page_too_deep"
    assert "?cursor=" in too_deep.json()["page"][0]


def test_the_feed_costs_the_same_queries_for_5_and_25_donations(world):
    api = world.client("admin")
    url = url_for("donation-list", community_pk=world.community.pk) + "?page_size=100"

    def count() -> int:
        api.get(url)  # warm the access cache
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    for _ in range(4):
        DonationFactory(community=world.community, amount=Decimal("1.00"))
    small = count()
    for _ in range(20):
        DonationFactory(community=world.community, amount=Decimal("1.00"), anonymous=True)
    assert count() == small


def test_unknown_and_private_communities_are_404_and_banned_callers_403(world):
    assert give(world, "member").status_code == 201
    import uuid

    assert money_post(world.client("member"), url_for("donation-list", community_pk=uuid.uuid4()),
                      {"amount": "1.00", "currency": "USD"}).status_code == 404
    private = CommunityFactory(community_type="private")
    outsider = client_for(UserFactory())
    assert outsider.get(url_for("donation-list", community_pk=private.pk)).status_code == 404
    assert money_post(outsider, url_for("donation-list", community_pk=private.pk),
                      {"amount": "1.00", "currency": "USD"}).status_code == 404
    insider = member_add(private)
    assert money_post(client_for(insider), url_for("donation-list", community_pk=private.pk),
                      {"amount": "1.00", "currency": "USD"}).status_code == 201
    assert give(world, "banned").status_code == 403
