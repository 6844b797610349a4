import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db

LIST = url_for("community-list")


def detail(key: object) -> str:
    return f"{LIST}/{key}"


# --- create ----------------------------------------------------------------------------


def test_create_returns_the_seed_body_with_a_generated_slug(auth_client):
    response = auth_client.post(
        LIST,
        {"name": "Python Developers", "description": "Сообщество Python-разработчиков", "community_type": "public"},
    )
    assert response.status_code == 201
    body = response.data
    assert re.fullmatch(r"python-developers-[0-9a-f]{8}", body["slug"])
    assert body["status"] == "active"
    assert body["owner_id"] == str(auth_client.user.pk)
    assert body["member_count"] == 1
    assert body["post_count"] == 0
    # The seed's body, plus post_moderation (pre-moderation, docs/content.md).
    assert set(body) == {
        "id", "name", "slug", "description", "community_type", "language", "status", "owner_id",
        "member_count", "post_count", "created_at", "updated_at", "post_moderation",
    }  # fmt: skip
    assert body["post_moderation"] is False


def test_create_ignores_server_owned_fields(auth_client):
    intruder = UserFactory()
    response = auth_client.post(
        LIST,
        {"name": "Mine", "owner_id": str(intruder.pk), "member_count": 999, "post_count": 5, "status": "suspended"},
    )
    assert response.status_code == 201
    community = Community.objects.get(pk=response.data["id"])
    assert community.owner_id == auth_client.user.pk
    assert (community.member_count, community.post_count, community.status) == (1, 0, "active")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "ok", "community_type": "secret"}, "community_type"),
        ({"name": "ok", "slug": "Bad Slug"}, "slug"),
        ({"name": "ok", "slug": "-edge-"}, "slug"),
        ({"name": "ok", "slug": "550e8400-e29b-41d4-a716-446655440000"}, "slug"),
        ({"name": "ok", "description": "x" * 5001}, "description"),
        ({"name": 123}, "name"),
        ({"name": "ok", "description": 0}, "description"),
    ],
)
def test_create_rejects_bad_input_naming_the_field(auth_client, body, field):
    response = auth_client.post(LIST, body)
    assert response.status_code == 400
    assert field in response.data
    assert response.data["detail"].startswith(field)
    assert not Community.objects.exists()


def test_create_refuses_a_taken_slug_with_409(auth_client):
    CommunityFactory(slug="taken-slug")
    response = auth_client.post(LIST, {"name": "Another", "slug": "taken-slug"})
    assert response.status_code == 409
    assert "slug" in response.data
    assert response.data["code"] == "unique"


def test_create_anonymously_is_401(client):
    assert client.post(LIST, {"name": "Anon"}).status_code == 401


def test_malformed_json_is_a_400(auth_client):
    response = auth_client.generic("POST", LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.data["code"] == "parse_error"


# --- read -----------------------------------------------------------------------------


def test_detail_answers_to_id_and_slug(client):
    community = CommunityFactory(slug="by-slug")
    assert client.get(detail(community.pk)).data["name"] == community.name
    assert client.get(detail("by-slug")).data["id"] == str(community.pk)


def test_unknown_id_or_slug_is_404(client):
    assert client.get(detail("550e8400-e29b-41d4-a716-446655440000")).status_code == 404
    response = client.get(detail("no-such-slug"))
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_private_community_is_hidden_from_strangers_but_not_its_owner(client):
    private = CommunityFactory(community_type="private")
    assert client.get(detail(private.pk)).status_code == 404
    assert client_for(UserFactory()).get(detail(private.pk)).status_code == 404
    assert client_for(private.owner).get(detail(private.pk)).status_code == 200
    assert client_for(UserFactory(), is_superadmin=True).get(detail(private.pk)).status_code == 200
    # docs/api.md: its active members see it too, members in any other status do not.
    assert client_for(member_add(private)).get(detail(private.pk)).status_code == 200
    assert client_for(member_add(private, status="pending")).get(detail(private.pk)).status_code == 404
    assert private.pk not in [item["id"] for item in client.get(LIST).data["items"]]


def test_list_envelope_and_page_size_limits(client):
    CommunityFactory.create_batch(25)
    body = client.get(LIST).data
    assert (body["total"], body["page"], body["page_size"], body["pages"], len(body["items"])) == (25, 1, 20, 2, 20)
    assert client.get(LIST, {"page": 2}).data["items"].__len__() == 5
    assert client.get(LIST, {"page_size": 100}).data["page_size"] == 100
    for bad in ({"page_size": 101}, {"page_size": 0}, {"page": "abc"}, {"page": 0}):
        response = client.get(LIST, bad)
        assert response.status_code == 400, bad
        assert next(iter(bad)) in response.data


def test_list_filters_and_ordering(client):
    owner = UserFactory()
    CommunityFactory(name="Zeta", community_type="restricted", member_count=5, owner=owner)
    CommunityFactory(name="Alpha", community_type="public", member_count=50)
    CommunityFactory(name="Mid", community_type="public", member_count=10, status="archived")
    names = lambda params: [c["name"] for c in client.get(LIST, params).data["items"]]  # noqa: E731
    assert names({"community_type": "restricted"}) == ["Zeta"]
    assert names({"status": "archived"}) == ["Mid"]
    assert names({"owner": str(owner.pk)}) == ["Zeta"]
    assert names({"ordering": "name"}) == ["Alpha", "Mid", "Zeta"]
    assert names({"ordering": "-member_count"}) == ["Alpha", "Mid", "Zeta"]
    assert client.get(LIST, {"ordering": "password"}).status_code == 400
    assert client.get(LIST, {"community_type": "nope"}).status_code == 400
    assert client.get(LIST, {"owner": "not-a-uuid"}).status_code == 400
    assert client.get(LIST, {"owner": ""}).status_code == 400
    assert client.get(LIST, {"ordering": ""}).data["code"] == "blank"  # the schema's enum has no ""


def test_search_is_full_text_and_ranked(client):
    CommunityFactory(name="Cooking club", description="We talk about python recipes sometimes")
    CommunityFactory(name="Python Developers", description="All about Python")
    CommunityFactory(name="Gardening", description="Plants")
    body = client.get(LIST, {"search": "python"}).data
    assert [c["name"] for c in body["items"]] == ["Python Developers", "Cooking club"]
    assert body["total"] == 2
    # Stemming: "developer" finds "Developers".
    assert client.get(LIST, {"search": "developer"}).data["total"] == 1


def test_list_runs_the_same_number_of_queries_for_10_and_100_items(client, django_assert_num_queries):
    CommunityFactory.create_batch(100)

    def queries_for(page_size: int) -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, {"page_size": page_size})
        assert len(response.data["items"]) == page_size
        return len(ctx.captured_queries)

    assert queries_for(10) == queries_for(100) == 2  # count + page


def test_list_and_detail_are_served_from_cache_on_the_second_read(client):
    community = CommunityFactory()
    client.get(LIST)
    client.get(detail(community.pk))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
        assert client.get(detail(community.pk)).status_code == 200
    assert len(ctx.captured_queries) == 0


# --- update ---------------------------------------------------------------------------


def test_owner_patches_and_the_cached_detail_and_list_change(django_capture_on_commit_callbacks):
    community = CommunityFactory(name="Old name")
    owner = client_for(community.owner)
    owner.get(detail(community.pk))
    owner.get(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.patch(detail(community.pk), {"name": "New name", "status": "archived"})
    assert response.status_code == 200
    assert (response.data["name"], response.data["status"]) == ("New name", "archived")
    assert owner.get(detail(community.pk)).data["name"] == "New name"
    assert owner.get(LIST).data["items"][0]["name"] == "New name"


def test_put_replaces_editable_fields_and_requires_name(django_capture_on_commit_callbacks):
    community = CommunityFactory(description="old")
    owner = client_for(community.owner)
    assert owner.put(detail(community.pk), {"community_type": "public"}).status_code == 400
    response = owner.put(detail(community.slug), {"name": "Renamed", "community_type": "restricted"})
    assert response.status_code == 200
    assert (response.data["description"], response.data["community_type"]) == ("", "restricted")


def test_owner_can_change_the_slug_and_the_old_slug_stops_resolving(django_capture_on_commit_callbacks):
    community = CommunityFactory(slug="old-slug")
    owner = client_for(community.owner)
    owner.get(detail("old-slug"))
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.patch(detail(community.pk), {"slug": "new-slug"}).status_code == 200
    assert owner.get(detail("old-slug")).status_code == 404
    assert owner.get(detail("new-slug")).status_code == 200


def test_update_rejects_bad_input_and_server_owned_status(client):
    community = CommunityFactory()
    owner = client_for(community.owner)
    for body, field in (({"name": ""}, "name"), ({"status": "suspended"}, "status"), ({"slug": "UP"}, "slug")):
        response = owner.patch(detail(community.pk), body)
        assert response.status_code == 400
        assert field in response.data
    community.refresh_from_db()
    assert community.status == "active"


def test_non_owner_write_is_403_and_anonymous_write_is_401(client):
    community = CommunityFactory()
    stranger = client_for(UserFactory())
    assert stranger.patch(detail(community.pk), {"name": "Hijack"}).status_code == 403
    assert stranger.delete(detail(community.pk)).status_code == 403
    assert client.patch(detail(community.pk), {"name": "Hijack"}).status_code == 401
    assert client.delete(detail(community.pk)).status_code == 401
    community.refresh_from_db()
    assert community.name != "Hijack" and community.deleted_at is None


def test_superadmin_can_update_any_community():
    community = CommunityFactory()
    admin = client_for(UserFactory(), is_superadmin=True)
    assert admin.patch(detail(community.pk), {"name": "Moderated"}).status_code == 200


def test_write_to_unknown_community_is_404(auth_client):
    assert auth_client.patch(detail("550e8400-e29b-41d4-a716-446655440000"), {"name": "x"}).status_code == 404


# --- delete ---------------------------------------------------------------------------


def test_delete_is_soft_the_row_stays_and_the_api_answers_404(django_capture_on_commit_callbacks):
    community = CommunityFactory()
    owner = client_for(community.owner)
    owner.get(detail(community.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.delete(detail(community.pk)).status_code == 204
    assert Community.objects.filter(pk=community.pk, deleted_at__isnull=False).exists()
    assert owner.get(detail(community.pk)).status_code == 404
    assert owner.get(detail(community.slug)).status_code == 404
    assert owner.get(LIST).data["total"] == 0
    assert owner.delete(detail(community.pk)).status_code == 404


def test_text_refuses_nul_characters_and_invalid_unicode_as_the_schema_says(auth_client):
    # PostgreSQL text cannot hold NUL; the schema's pattern says so, and the server agrees.
    response = auth_client.post(LIST, {"name": "Nul\x00byte"})
    assert response.status_code == 400 and response.data["code"] == "null_characters_not_allowed"
    schema = auth_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    # A name's pattern also needs something besides whitespace (tests/platform/test_blank_names.py).
    name = schema["components"]["schemas"]["CommunityInputRequest"]["properties"]["name"]
    assert name["pattern"] == "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
    bad = auth_client.generic("POST", LIST, '{"name": "\\udb3c"}', content_type="application/json")
    assert bad.status_code == 400
    assert bad.data["code"] == "invalid_unicode"


def test_the_schema_says_ordering_is_never_empty(client):
    # `?ordering=` is refused (above); the schema must not let a generated client send it.
    schema = client.get(url_for("schema"), {"format": "json"}).json()
    ordering = next(p for p in schema["paths"]["/api/v1/communities"]["get"]["parameters"] if p["name"] == "ordering")
    assert ordering["schema"]["type"] == "array" and ordering["schema"]["minItems"] == 1
