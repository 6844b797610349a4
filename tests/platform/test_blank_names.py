"""Names and titles a person reads are trimmed, and whitespace alone is refused as `blank`
(community_service.api.fields.NameField), on create and on every edit path."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import SubscriptionLevel
from communities.models import Community
from content.models import Channel, Post
from events.models import Event
from members.models import Member, Role
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

BLANKS = ["   ", "\t\n", "\u3000\u00a0"]  # ASCII spaces, tab and newline, ideographic and no-break space


def _event_body(**fields: object) -> dict:
    starts = timezone.now() + timedelta(days=7)
    return {"title": "Sprint", "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "location": "Library", **fields}


class World:
    """A community its owner built over the API, with one of each named thing."""

    def __init__(self) -> None:
        self.owner = UserFactory()
        self.api = client_for(self.owner)
        self.community = Community.objects.get(pk=self._create(url_for("community-list"), {"name": "Readers"}))
        pk = self.community.pk
        self.channel = Channel.objects.get(pk=self._create(url_for("channel-list", community_pk=pk), {"name": "books"}))
        self.role = Role.objects.get(pk=self._create(url_for("role-list", community_pk=pk), {"name": "Editors"}))
        self.post = Post.objects.get(pk=self._create(url_for("post-list", community_pk=pk),
                                                     {"title": "Hello", "content": "First post."}))
        self.event = Event.objects.get(pk=self._create(url_for("event-list", community_pk=pk), _event_body()))
        self.level = SubscriptionLevel.objects.get(pk=self._create(
            url_for("level-list", community_pk=pk),
            {"name": "Gold", "price": "5.00", "currency": "EUR", "duration_days": 30, "benefits": ["Badge"]},
        ))

    def _create(self, url: str, body: dict) -> str:
        response = self.api.post(url, body)
        assert response.status_code == 201, response.content
        return response.json()["id"]


@pytest.fixture
def world() -> World:
    return World()


# (what, method, url, body with the blank value as {blank}, field named, model and the row it must leave alone)
Case = tuple[str, str, Callable[[World], str], Callable[[str], dict], str, Callable[[World], tuple[type[Model], Any]]]
CASES: list[Case] = [
    ("community create", "post", lambda w: url_for("community-list"), lambda b: {"name": b}, "name",
     lambda w: (Community, None)),
    ("community put", "put", lambda w: url_for("community-detail", pk=w.community.pk), lambda b: {"name": b}, "name",
     lambda w: (Community, w.community)),
    ("community patch", "patch", lambda w: url_for("community-detail", pk=w.community.pk), lambda b: {"name": b},
     "name", lambda w: (Community, w.community)),
    ("channel create", "post", lambda w: url_for("channel-list", community_pk=w.community.pk),
     lambda b: {"name": b}, "name", lambda w: (Channel, None)),
    ("channel put", "put", lambda w: url_for("channel-detail", channel_id=w.channel.pk), lambda b: {"name": b},
     "name", lambda w: (Channel, w.channel)),
    ("channel patch", "patch", lambda w: url_for("channel-detail", channel_id=w.channel.pk), lambda b: {"name": b},
     "name", lambda w: (Channel, w.channel)),
    ("role create", "post", lambda w: url_for("role-list", community_pk=w.community.pk), lambda b: {"name": b},
     "name", lambda w: (Role, None)),
    ("role put", "put", lambda w: url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk),
     lambda b: {"name": b}, "name", lambda w: (Role, w.role)),
    ("role patch", "patch", lambda w: url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk),
     lambda b: {"name": b}, "name", lambda w: (Role, w.role)),
    ("post create", "post", lambda w: url_for("post-list", community_pk=w.community.pk),
     lambda b: {"title": b, "content": "Body."}, "title", lambda w: (Post, None)),
    ("post put", "put", lambda w: url_for("post-detail", post_id=w.post.pk),
     lambda b: {"title": b, "content": "Body."}, "title", lambda w: (Post, w.post)),
    ("post patch", "patch", lambda w: url_for("post-detail", post_id=w.post.pk), lambda b: {"title": b}, "title",
     lambda w: (Post, w.post)),
    ("event create", "post", lambda w: url_for("event-list", community_pk=w.community.pk),
     lambda b: _event_body(title=b), "title", lambda w: (Event, None)),
    ("event put", "put", lambda w: url_for("event-detail", event_id=w.event.pk), lambda b: _event_body(title=b),
     "title", lambda w: (Event, w.event)),
    ("event patch", "patch", lambda w: url_for("event-detail", event_id=w.event.pk), lambda b: {"title": b},
     "title", lambda w: (Event, w.event)),
    ("level create", "post", lambda w: url_for("level-list", community_pk=w.community.pk),
     lambda b: {"name": b, "price": "5.00", "currency": "EUR", "duration_days": 30}, "name",
     lambda w: (SubscriptionLevel, None)),
    ("level patch", "patch", lambda w: url_for("level-detail", level_id=w.level.pk), lambda b: {"name": b}, "name",
     lambda w: (SubscriptionLevel, w.level)),
    ("level benefit", "patch", lambda w: url_for("level-detail", level_id=w.level.pk),
     lambda b: {"benefits": ["Badge", b]}, "benefits", lambda w: (SubscriptionLevel, w.level)),
]


def _snapshot(model: type[Model], row: Model | None) -> object:
    """What must not change: the row's stored values (an edit), or the number of rows (a create)."""
    if row is None:
        return model.objects.count()  # type: ignore[attr-defined]
    return model.objects.filter(pk=row.pk).values().get()  # type: ignore[attr-defined]


@pytest.mark.parametrize("blank", BLANKS, ids=["spaces", "tab-newline", "unicode-spaces"])
@pytest.mark.parametrize(("method", "url", "body", "field", "target"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_blank_name_or_title_is_refused_naming_the_field_and_nothing_is_written(
        world, blank, method, url, body, field, target):
    model, row = target(world)
    before = _snapshot(model, row)
    response = getattr(world.api, method)(url(world), body(blank))
    assert response.status_code == 400, response.content
    assert field in response.data
    assert response.data["code"] == "blank"
    assert response.data["detail"].startswith(field)
    assert _snapshot(model, row) == before


def test_names_and_titles_are_stored_trimmed(world):
    response = world.api.patch(url_for("community-detail", pk=world.community.pk), {"name": "  Night owls \n"})
    assert response.status_code == 200
    assert response.data["name"] == "Night owls"
    response = world.api.post(url_for("post-list", community_pk=world.community.pk),
                              {"title": "\tA title ", "content": "Body."})
    assert Post.objects.get(pk=response.data["id"]).title == "A title"


def test_a_whitespace_nickname_clears_it(world):
    me = url_for("member-detail", community_pk=world.community.pk, user_id=world.owner.pk)
    assert world.api.patch(me, {"nickname": " Ann "}).status_code == 200
    assert Member.objects.get(user=world.owner, community=world.community).nickname == "Ann"
    assert world.api.patch(me, {"nickname": "   "}).status_code == 200
    assert Member.objects.get(user=world.owner, community=world.community).nickname == ""


def test_the_length_limit_counts_the_name_as_sent(world):
    """The schema's maxLength is on what the client wrote, so padding cannot smuggle a longer name in."""
    response = world.api.post(url_for("community-list"), {"name": "x" * 250 + " " * 6})
    assert response.status_code == 400
    assert response.data["code"] == "max_length"
    assert not Community.objects.filter(name="x" * 250).exists()


def test_the_schema_states_that_a_name_needs_more_than_whitespace(client: APIClient):
    schema = client.get(url_for("schema"), {"format": "json"}).json()
    name = schema["components"]["schemas"]["CommunityInputRequest"]["properties"]["name"]
    assert name["pattern"] == "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
    assert name["maxLength"] == 255
