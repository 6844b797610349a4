"""What a shared HTTP cache may keep (community_service/api/http_cache.py): every GET route of
the API, walked as an anonymous caller, as an anonymous caller with a cookie and as a member,
on public objects, on gated and members-only ones and in a private community.

Only anonymous answers about public objects are marked shareable (`Cache-Control: public`
with an ETag); nothing private, gated or personal ever is, and no shareable body holds a
secret of the world (a gated or members-only post's text, a members-only event, a private
community's name, anyone's email address).
"""

import uuid
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from communities.models import Community
from members.models import Member, Role
from tests.billing.world import level_create, subscription_active
from tests.communities.test_private_existence import _path_params
from tests.conftest import client_for
from tests.content.world import build_world
from tests.events.world import event_make
from tests.factories import (
    AttachmentFactory,
    ChannelFactory,
    InviteFactory,
    PostFactory,
    ReportFactory,
    WebhookEndpointFactory,
)
from tests.routes import api_endpoints, url_for

pytestmark = pytest.mark.django_db

# The answers the issue makes shareable (anonymous, public objects): each must be, too.
SHARED_ROUTES = {"community-detail", "community-list", "post-list", "post-detail", "post-comment-list",
                 "event-list", "event-detail", "event-feed", "event-ical"}
SECRETS = ("gated-secret-text", "club-secret-text", "club-event-secret", "private-community-secret")
ACTORS = ("anonymous", "anonymous_with_cookie", "member")


@dataclass
class Answer:
    route: str
    status: int
    cache_control: str
    vary: set[str]
    etag: str | None
    body: str


def get_routes() -> list[str]:
    routes = api_endpoints(view_modules=("members.", "content.", "events.", "billing.", "analytics."))
    return sorted(name for name, method in routes if method == "GET")


def world_ids(*, private: bool) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """Path parameters for every route: the public objects ("public") and the gated or
    members-only ones ("gated") of one community (made private with `private`), and the cast."""
    world = build_world()
    community, users = world.community, world.users
    level = level_create(community)
    subscription = subscription_active(level, users["member"])
    gated = PostFactory(community=community, channel=world.channel, author=users["author"], title="Locked",
                        content="gated-secret-text", required_level_ids=[level.pk])
    club = ChannelFactory(community=community, members_only=True)
    club_post = PostFactory(community=community, channel=club, author=users["author"], title="Club",
                            content="club-secret-text")
    event = event_make(community, title="Open meetup")
    club_event = event_make(community, title="club-event-secret", is_members_only=True)
    invite = InviteFactory(community=community, created_by=users["owner"])
    report = ReportFactory(community=community, target=world.post, reporters=[users["member"]])
    attachment = AttachmentFactory(community=community, post=world.post, uploader=users["author"])
    endpoint = WebhookEndpointFactory(community=community, created_by=users["owner"])
    if private:
        Community.objects.filter(pk=community.pk).update(community_type="private", name="private-community-secret")
    common = {
        "community_pk": community.pk, "pk": community.pk, "comment_id": world.comment.pk, "level_id": level.pk,
        "subscription_id": subscription.pk, "user_id": users["member"].pk,
        "member_id": Member.objects.get(community=community, user=users["member"]).pk,
        "role_id": Role.objects.filter(community=community, name="Member").get().pk, "invite_id": invite.pk,
        "report_id": report.pk, "attachment_id": attachment.pk, "code": invite.code, "endpoint_id": endpoint.pk,
    }
    ids = {
        "public": {**common, "post_id": world.post.pk, "channel_id": world.channel.pk, "event_id": event.pk},
        "gated": {**common, "post_id": gated.pk, "channel_id": club.pk, "event_id": club_event.pk},
    }
    assert club_post.channel_id == club.pk
    return ids, users


def client_of(actor: str, users: dict) -> APIClient:
    if actor == "member":
        return client_for(users["member"])
    client = APIClient()
    if actor == "anonymous_with_cookie":
        client.cookies["sessionid"] = "whatever"  # a cookie could name someone: never shared
    return client


def walk(client: APIClient, ids: dict[str, object]) -> list[Answer]:
    answers = []
    for name in get_routes():
        params = {key: ids[key] for key in _path_params(name)}
        response = client.get(url_for(name, **params))
        vary = {part.strip().lower() for part in response.headers.get("Vary", "").split(",") if part.strip()}
        answers.append(Answer(name, response.status_code, response.headers.get("Cache-Control", ""), vary,
                              response.headers.get("ETag"), response.content.decode(errors="replace")))
    return answers


def shared(answer: Answer) -> bool:
    return "public" in answer.cache_control


def assert_nothing_secret_shared(answers: list[Answer], users: dict) -> None:
    emails = [user.email for user in users.values()]
    for answer in answers:
        assert {"authorization", "cookie"} <= answer.vary, answer
        assert answer.cache_control, answer
        if not shared(answer):
            assert "private" in answer.cache_control or "no-store" in answer.cache_control, answer
            continue
        assert answer.etag, answer  # nginx revalidates with it
        assert "s-maxage=" in answer.cache_control and "stale-while-revalidate=" in answer.cache_control, answer
        leaked = [secret for secret in (*SECRETS, *emails) if secret in answer.body]
        assert leaked == [], (answer.route, leaked)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("objects", ["public", "gated"])
def test_only_anonymous_reads_of_public_objects_are_shareable(actor, objects):
    ids, users = world_ids(private=False)
    answers = walk(client_of(actor, users), ids[objects])
    assert_nothing_secret_shared(answers, users)
    shared_routes = {answer.route for answer in answers if shared(answer)}
    if actor != "anonymous":
        assert shared_routes == set()
    elif objects == "public":
        # Every public read the issue names is shareable, with a 200 (and no other route is).
        assert shared_routes == SHARED_ROUTES
        assert all(answer.status == 200 for answer in answers if answer.route in SHARED_ROUTES)
    else:
        # Gated or members-only objects: their own routes are not; the community-wide ones
        # (which show the gated post without its text, and no members-only event) still are.
        assert shared_routes == SHARED_ROUTES - {"post-detail", "post-comment-list", "event-detail", "event-ical"}


@pytest.mark.parametrize("actor", ACTORS)
def test_nothing_of_a_private_community_is_shareable(actor):
    ids, users = world_ids(private=True)
    for objects in ("public", "gated"):
        answers = walk(client_of(actor, users), ids[objects])
        assert_nothing_secret_shared(answers, users)
        # The community list is shared with anonymous callers: it lists what anyone sees.
        assert {answer.route for answer in answers if shared(answer)} <= {"community-list"}


def test_a_shared_answer_revalidates_with_its_etag():
    ids, users = world_ids(private=False)
    client = APIClient()
    for name in ("event-feed", "post-list", "community-detail"):
        url = url_for(name, **{key: ids["public"][key] for key in _path_params(name)})
        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"])
        assert (first.status_code, again.status_code) == (200, 304), name
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Cache-Control"].startswith("public"), name  # refreshes the shared copy


def test_writes_and_refusals_are_never_stored():
    ids, users = world_ids(private=False)
    client = client_for(users["member"])
    written = client.post(url_for("post-list", community_pk=ids["public"]["community_pk"]),
                          {"title": "New", "content": "Hello"}, format="json",
                          HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    missing = APIClient().get(url_for("post-detail", post_id=uuid.uuid4()))
    assert (written.status_code, missing.status_code) == (201, 404)
    assert written.headers["Cache-Control"] == missing.headers["Cache-Control"] == "no-store"
