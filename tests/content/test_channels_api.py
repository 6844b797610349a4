import pytest

from communities.models import Community
from community_service.outbox.models import OutboxEvent
from content.models import ChannelOverwrite
from tests.conftest import client_for
from tests.factories import ChannelFactory, CommunityFactory, PostFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory()


def channels(api, community) -> list[str]:
    return [c["slug"] for c in api.get(url_for("channel-list", community_pk=community.pk)).data]


def test_create_generates_a_slug_and_appends_in_order(community):
    owner = client_for(community.owner)
    first = owner.post(url_for("channel-list", community_pk=community.pk), {"name": "Help Desk", "topic": "Ask"})
    second = owner.post(url_for("channel-list", community_pk=community.pk),
                        {"name": "News", "channel_type": "announcement"})
    assert (first.status_code, first.data["slug"], first.data["position"]) == (201, "help-desk", 0)
    assert (second.data["position"], second.data["channel_type"]) == (1, "announcement")
    assert channels(owner, community) == ["help-desk", "news"]
    assert OutboxEvent.objects.filter(event_type="channel.created").count() == 2


def test_duplicate_slug_is_409_and_bad_input_400(community):
    owner = client_for(community.owner)
    owner.post(url_for("channel-list", community_pk=community.pk), {"name": "General"})
    assert owner.post(url_for("channel-list", community_pk=community.pk), {"name": "General"}).status_code == 409
    for body, field in (({}, "name"), ({"name": "x", "channel_type": "voice"}, "channel_type"),
                        ({"name": "x", "slug": "Not A Slug"}, "slug"), ({"name": "x", "position": -1}, "position")):
        response = owner.post(url_for("channel-list", community_pk=community.pk), body)
        assert (response.status_code, field in response.data) == (400, True), body


def test_reorder_sets_every_position_in_one_request(community):
    a, b, c = (ChannelFactory(community=community, name=n, slug=n, position=i) for i, n in enumerate("abc"))
    owner = client_for(community.owner)
    response = owner.post(url_for("channel-reorder", community_pk=community.pk),
                          {"channel_ids": [str(c.pk), str(a.pk), str(b.pk)]})
    assert [ch["slug"] for ch in response.data] == ["c", "a", "b"]
    assert channels(owner, community) == ["c", "a", "b"]
    partial = owner.post(url_for("channel-reorder", community_pk=community.pk), {"channel_ids": [str(a.pk)]})
    assert (partial.status_code, "channel_ids" in partial.data) == (409, True)
    twice = owner.post(url_for("channel-reorder", community_pk=community.pk),
                       {"channel_ids": [str(a.pk), str(a.pk), str(b.pk)]})
    assert (twice.status_code, twice.data["code"]) == (400, "duplicate")
    foreign = ChannelFactory(name="f", slug="f")
    mixed = [str(c.pk), str(a.pk), str(foreign.pk)]
    assert owner.post(url_for("channel-reorder", community_pk=community.pk), {"channel_ids": mixed}).status_code == 409


def test_deleting_a_channel_keeps_its_posts_in_the_community(community):
    channel = ChannelFactory(community=community, name="Old", slug="old")
    post = PostFactory(community=community, channel=channel)
    assert client_for(community.owner).delete(url_for("channel-detail", channel_id=channel.pk)).status_code == 204
    post.refresh_from_db()
    assert (post.channel_id, post.deleted_at) == (None, None)


def test_overwrites_replace_and_refuse_other_communities_roles(community):
    channel = ChannelFactory(community=community, name="General", slug="general")
    owner = client_for(community.owner)
    member_role = community.roles.get(name="Member")
    url = url_for("channel-overwrites", channel_id=channel.pk)
    body = {"overwrites": [{"role_id": str(member_role.pk), "deny": ["post.create"]}]}
    assert owner.put(url, body, format="json").data["overwrites"][0]["deny"] == ["post.create"]
    foreign_role = CommunityFactory().roles.first()
    bad = owner.put(url, {"overwrites": [{"role_id": str(foreign_role.pk), "deny": ["post.create"]}]}, format="json")
    assert (bad.status_code, "overwrites" in bad.data, bad.data["code"]) == (400, True, "does_not_exist")
    both = owner.put(url, {"overwrites": [{"role_id": str(member_role.pk), "user_id": str(UserFactory().pk)}]},
                     format="json")
    assert both.status_code == 400
    assert ChannelOverwrite.objects.filter(channel=channel).count() == 1


def test_unknown_channel_is_404(community):
    unknown = url_for("channel-detail", channel_id="550e8400-e29b-41d4-a716-446655440000")
    assert client_for(community.owner).get(unknown).status_code == 404


def test_a_new_community_starts_with_a_general_channel():
    owner = UserFactory()
    response = client_for(owner).post(url_for("community-list"), {"name": "Fresh"})
    community = Community.objects.get(pk=response.data["id"])
    assert channels(client_for(owner), community) == ["general"]
