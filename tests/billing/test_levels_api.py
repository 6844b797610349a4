"""Subscription levels: create, validate, edit, reorder, archive-or-delete."""

import uuid

import pytest

from billing.models import SubscriptionLevel
from tests.billing.world import World, build_world, level_create
from tests.routes import url_for

pytestmark = pytest.mark.django_db

GOLD = {"name": "Gold", "price": "25.00", "currency": "EUR", "duration_days": 30, "benefits": ["Badge", "Q&A"]}


@pytest.fixture
def world() -> World:
    return build_world()


def test_a_manager_creates_a_level_at_the_end_of_the_order(world):
    response = world.client("admin").post(url_for("level-list", community_pk=world.community.pk),
                                          {**GOLD, "currency": "eur"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["price"], body["currency"], body["benefits"], body["position"]) == ("25.00", "EUR",
                                                                                   ["Badge", "Q&A"], 2)


@pytest.mark.parametrize("field,value", [
    ("price", "0"), ("price", "-1.00"), ("price", "1.001"), ("price", "10000.01"), ("currency", "ZZZ"),
    ("duration_days", 0), ("duration_days", -3), ("name", ""), ("name", "x" * 101), ("benefits", ["x" * 201]),
    ("benefits", "Badge"), ("is_active", "no"),
])
def test_bad_level_input_is_a_400_naming_the_field(world, field, value):
    levels = url_for("level-list", community_pk=world.community.pk)
    response = world.client("admin").post(levels, {**GOLD, field: value})
    assert response.status_code == 400 and field in response.json(), response.content
    assert not SubscriptionLevel.objects.filter(name="Gold").exists()


def test_a_taken_name_is_a_409(world):
    response = world.client("admin").post(url_for("level-list", community_pk=world.community.pk),
                                          {**GOLD, "name": "Premium"})
    assert response.status_code == 409 and "name" in response.json()


def test_editing_checks_the_price_against_the_level_currency(world):
    yen = level_create(world.community, name="Yen", price="500", currency="JPY")
    url = url_for("level-detail", level_id=yen.pk)
    assert world.client("admin").patch(url, {"price": "500.50"}).json()["code"] == "max_decimal_places"
    assert world.client("admin").patch(url, {"price": "600"}).json()["price"] == "600.00"


def test_reorder_takes_the_complete_list(world):
    api = world.client("owner")
    url = url_for("level-reorder", community_pk=world.community.pk)
    body = api.post(url, {"level_ids": [str(world.premium.pk), str(world.level.pk)]}).json()
    assert [item["name"] for item in body] == ["Premium", "Supporter"]
    assert api.post(url, {"level_ids": [str(world.premium.pk)]}).status_code == 409
    assert api.post(url, {"level_ids": [str(world.premium.pk)] * 2}).status_code == 400


def test_a_level_nobody_bought_is_deleted_and_one_with_subscribers_is_archived(world):
    api = world.client("admin")
    assert api.delete(url_for("level-detail", level_id=world.premium.pk)).status_code == 204
    assert not SubscriptionLevel.objects.filter(pk=world.premium.pk).exists()
    archived = api.delete(url_for("level-detail", level_id=world.level.pk))
    assert archived.status_code == 200 and archived.json()["is_active"] is False and archived.json()["archived_at"]
    # No longer offered, hidden from the public, kept for its subscriber.
    offered = world.client("member").get(url_for("subscription-list", community_pk=world.community.pk))
    assert offered.json()["total"] == 0
    assert world.client("member").get(url_for("level-detail", level_id=world.level.pk)).status_code == 404
    assert world.client("subscriber").get(url_for("my-subscriptions")).json()["items"][0]["has_access"]
    assert api.patch(url_for("level-detail", level_id=world.level.pk), {"is_active": True}).status_code == 409
    assert api.get(url_for("level-list", community_pk=world.community.pk)).json()["total"] == 1


def test_unknown_level_ids_are_404(world):
    assert world.client("admin").get(url_for("level-detail", level_id=uuid.uuid4())).status_code == 404
