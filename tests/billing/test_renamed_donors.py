"""A renamed donor's new name shows in the cached top-donor lists at once (billing.receivers)."""

import pytest
from django.core.cache import cache

from billing.selectors.donations import top_donors_cache_key
from members.models import User
from tests.billing.world import World, build_world
from tests.console.conftest import console_client
from tests.factories import UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _top_donor_names(world: World) -> list[str]:
    summary = world.client("anonymous").get(url_for("donation-summary", community_pk=world.community.pk)).json()
    return [donor["username"] for donor in summary["top_donors"]]


def test_renaming_through_the_api_drops_the_summaries_that_name_the_donor(world):
    assert _top_donor_names(world) == [world.users["subscriber"].username]
    assert cache.get(top_donors_cache_key(world.community.pk)) is not None
    response = world.client("subscriber").patch(url_for("auth-me"), {"username": "generous.one"}, format="json")
    assert response.status_code == 200
    assert _top_donor_names(world) == ["generous.one"]


def test_a_rename_leaves_the_summaries_of_communities_the_user_never_named_in(world):
    _top_donor_names(world)
    world.client("member").patch(url_for("auth-me"), {"username": "not.a.donor"}, format="json")
    assert cache.get(top_donors_cache_key(world.community.pk)) is not None


def test_renaming_in_the_console_drops_them_too(world):
    _top_donor_names(world)
    subscriber = world.users["subscriber"]
    superuser = UserFactory(is_staff=True, is_superuser=True)
    page = url_for("admin:members_user_change", object_id=subscriber.pk)
    form = console_client(superuser).get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(username="console.renamed", groups=[])
    response = console_client(superuser).post(page, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert User.objects.get(pk=subscriber.pk).username == "console.renamed"
    assert _top_donor_names(world) == ["console.renamed"]
