"""A private community's objects answer exactly as missing ones do to whoever may not see it.

Walks the whole URL configuration: for every route that names a community or one of its
objects (community, channel, post, comment, event, level, subscription, member, role, ban,
invite, report, attachment, analytics, iCal feed), the answer to an anonymous caller, an
outsider and a pending member is compared with the answer to the same request on random
ids. Any difference (a 401 or 403 where a random id is a 404, a 200 with an empty body)
tells the caller that the private community exists.
"""

import uuid
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from communities.models import Community
from members.models import Member, MemberStatus, Role
from tests.billing.world import level_create, subscription_active
from tests.conftest import client_for
from tests.content.world import build_world
from tests.events.world import event_make
from tests.factories import (
    AttachmentFactory,
    DonationFactory,
    InviteFactory,
    ReportFactory,
    UserFactory,
    WebhookDeliveryFactory,
    member_add,
)
from tests.routes import api_endpoints, url_for

pytestmark = pytest.mark.django_db

# Routes that name no community object: account, personal lists, global search, invite codes
# (a code is a capability: whoever holds one may learn the community), provider webhooks.
NOT_COMMUNITY_SCOPED = {"auth-", "my-", "search", "community-list", "invite-preview", "invite-accept",
                        "billing-webhook", "api-index", "api-key-"}
ACTORS = ("anonymous", "outsider", "pending")


@dataclass
class PrivateWorld:
    ids: dict[str, object]
    users: dict[str, object]


def private_world() -> PrivateWorld:
    world = build_world()
    community, users = world.community, world.users
    Community.objects.filter(pk=community.pk).update(community_type="private")
    level = level_create(community)
    subscription = subscription_active(level, users["member"])
    event = event_make(community)
    role = Role.objects.filter(community=community, name="Member").get()
    invite = InviteFactory(community=community, created_by=world.users["owner"])
    report = ReportFactory(community=community, target=world.post, reporters=[users["member"]])
    attachment = AttachmentFactory(community=community, post=world.post, uploader=users["author"])
    DonationFactory(community=community, donor=users["member"], amount="5.00")
    delivery = WebhookDeliveryFactory(endpoint__community=community)
    pending = Member.objects.get(community=community, user=users["pending"])
    assert pending.status == MemberStatus.PENDING
    member = Member.objects.get(community=community, user=users["member"])
    ids = {
        "community_pk": community.pk, "channel_id": world.channel.pk, "post_id": world.post.pk,
        "comment_id": world.comment.pk, "event_id": event.pk, "level_id": level.pk,
        "subscription_id": subscription.pk, "user_id": users["banned"].pk, "member_id": member.pk,
        "role_id": role.pk, "invite_id": invite.pk, "report_id": report.pk, "attachment_id": attachment.pk,
        "endpoint_id": delivery.endpoint_id, "delivery_id": delivery.pk,
    }
    outsider = UserFactory()
    member_add(community, role=None, status=MemberStatus.PENDING, user=UserFactory())  # another applicant
    return PrivateWorld(ids=ids, users={"outsider": outsider, "pending": users["pending"]})


def community_routes() -> list[tuple[str, str]]:
    routes = api_endpoints(view_modules=("members.", "content.", "events.", "billing.", "analytics."))
    return sorted((name, method) for name, method in routes if not name.startswith(tuple(NOT_COMMUNITY_SCOPED)))


def _path_params(name: str) -> list[str]:
    from django.urls import get_resolver

    [(possibility, *_)] = [entry for entry in get_resolver().reverse_dict.getlist(name)][:1]
    return list(possibility[0][1])


def _answer(client: APIClient, method: str, url: str) -> tuple[int, str | None]:
    response = getattr(client, method.lower())(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    code = None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        code = body.get("code") if isinstance(body, dict) else None
    return response.status_code, code


def test_the_walk_covers_every_kind_of_community_object():
    names = {name for name, _ in community_routes()}
    for expected in ("community-detail", "channel-detail", "post-detail", "comment-detail", "event-detail",
                     "event-feed", "event-ical", "level-detail", "subscription-detail", "member-detail",
                     "member-me", "role-detail", "ban-list", "invite-detail", "report-detail", "attachment-detail",
                     "community-analytics", "post-analytics", "member-analytics"):
        assert expected in names, expected


@pytest.mark.parametrize("actor", ACTORS)
def test_a_private_community_answers_as_a_missing_one(actor):
    world = private_world()
    client = APIClient() if actor == "anonymous" else client_for(world.users[actor])
    differing = []
    for name, method in community_routes():
        params = _path_params(name)
        real = {key: world.ids.get(key, world.ids["community_pk"] if key == "pk" else None) for key in params}
        assert all(value is not None for value in real.values()), (name, params)
        random_ids = {key: uuid.uuid4() for key in params}
        real_answer = _answer(client, method, url_for(name, **real))
        random_answer = _answer(client, method, url_for(name, **random_ids))
        if real_answer != random_answer:
            differing.append((name, method, real_answer, random_answer))
    assert differing == []
