"""Hot reads: cached rendered bytes (no serializer, no renderer on a hit), ETag/304,
lean misses, a capped `total`, deep pages refused in favour of `?cursor=`."""

# Why this is long: one test per property of the hot read path (cache, ETag/304, caps, cursors).

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from communities.serializers import CommunityOutputSerializer
from community_service.api.pagination import CappedCountPagination
from members.serializers.roles import RoleOutputSerializer
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.redis_commands import redis_commands

pytestmark = pytest.mark.django_db

LIST = "/api/v1/communities"


def detail(key: object) -> str:
    return f"{LIST}/{key}"


@pytest.fixture
def no_framework_work(monkeypatch):
    """From here on, building a serializer's output or rendering JSON fails the request."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit must not serialize or render")

    def arm() -> None:
        monkeypatch.setattr(CommunityOutputSerializer, "to_representation", refuse)
        monkeypatch.setattr(RoleOutputSerializer, "to_representation", refuse)
        monkeypatch.setattr(JSONRenderer, "render", refuse)

    return arm


def test_a_detail_hit_answers_the_cached_bytes_without_serializer_or_renderer(client, no_framework_work):
    community = CommunityFactory()
    first = client.get(detail(community.pk))
    assert first.status_code == 200 and first["ETag"]
    by_slug = client.get(detail(community.slug))
    no_framework_work()
    again = client.get(detail(community.pk))
    assert again.status_code == 200
    assert again.content == first.content == by_slug.content
    assert again["Content-Type"] == "application/json"
    assert again.json()["id"] == str(community.pk)
    assert again["ETag"] == first["ETag"]


def test_list_and_roles_hits_skip_the_framework_too(no_framework_work):
    community = CommunityFactory()
    owner = client_for(community.owner)
    roles_url = f"{detail(community.pk)}/roles"
    page, roles = owner.get(LIST).content, owner.get(roles_url).content
    no_framework_work()
    assert owner.get(LIST).content == page
    assert owner.get(roles_url).content == roles


@pytest.mark.parametrize("path", ["detail", "list", "roles"])
def test_if_none_match_answers_304_until_the_bytes_change(path, django_capture_on_commit_callbacks):
    community = CommunityFactory(name="Before")
    owner = client_for(community.owner)
    url = {"detail": detail(community.pk), "list": LIST, "roles": f"{detail(community.pk)}/roles"}[path]
    etag = owner.get(url)["ETag"]
    not_modified = owner.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert owner.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        if path == "roles":
            assert owner.post(url, {"name": "Fresh", "priority": 3}).status_code == 201
        else:
            assert owner.patch(detail(community.pk), {"name": "After"}).status_code == 200
    changed = owner.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_cached_private_body_still_needs_membership(client):
    private = CommunityFactory(community_type="private")
    assert client_for(private.owner).get(detail(private.pk)).status_code == 200  # cached now
    assert client.get(detail(private.pk)).status_code == 404
    stranger = client_for(UserFactory())
    assert stranger.get(detail(private.pk)).status_code == 404
    assert stranger.get(detail(private.pk), HTTP_IF_NONE_MATCH="*").status_code == 404


def test_misses_read_only_the_needed_columns_and_a_get_has_no_order_by(client):
    community = CommunityFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(detail(community.pk)).status_code == 200
        assert client.get(LIST).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert all("search_vector" not in s for s in sql), sql
    get = [s for s in sql if "LIMIT 1" in s]
    assert len(get) == 1 and "ORDER BY" not in get[0]


def test_total_is_exact_up_to_the_limit_then_an_estimate_and_says_which(client, monkeypatch):
    CommunityFactory.create_batch(12)
    assert client.get(LIST, {"page_size": 5}).json()["total_exact"] is True
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE communities_community")
    body = client.get(LIST, {"page_size": 5, "status": "active"}).json()
    assert body["total_exact"] is False and body["total"] >= 6
    assert body["pages"] == -(-body["total"] // 5)
    # The last page knows the exact total without counting.
    last = client.get(LIST, {"page_size": 5, "page": 3}).json()
    assert (last["total"], last["total_exact"], len(last["items"])) == (12, True, 2)


def test_a_page_past_the_limit_is_a_400_pointing_to_cursor(client):
    limit = CappedCountPagination.MAX_PAGE_OFFSET
    response = client.get(LIST, {"page": limit // 20 + 1, "page_size": 20})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "page_too_deep" and "?cursor=" in body["page"][0]
    assert client.get(LIST, {"page": limit // 20, "page_size": 20}).status_code == 404  # allowed, just empty
    assert client.get(LIST, {"page": 2}).status_code == 404


def test_cursor_pages_walk_the_list_newest_first(client):
    made = CommunityFactory.create_batch(25)
    newest_first = [str(c.pk) for c in sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)]
    first = client.get(LIST, {"cursor": ""}).json()
    assert set(first) == {"items", "next", "previous"} and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [c["id"] for c in first["items"] + second["items"]] == newest_first
    assert second["next"] is None and second["previous"]
    back = client.get(second["previous"]).json()
    assert [c["id"] for c in back["items"]] == newest_first[:20]
    assert client.get(LIST, {"cursor": "", "ordering": "name"}).json()["code"] == "invalid_cursor"
    assert client.get(LIST, {"cursor": "garbage!"}).status_code == 400


def test_the_fast_community_mapping_is_exactly_the_serializer():
    from communities.models import Community
    from communities.serializers import community_data

    CommunityFactory(community_type="private", description="Ünïcode — <b>", post_moderation=True, member_count=7)
    CommunityFactory(status="archived")
    for community in Community.objects.all():
        assert community_data(community) == dict(CommunityOutputSerializer(community).data)
    assert list(community_data(community)) == CommunityOutputSerializer.Meta.fields


def test_a_deep_page_reads_its_ids_first_and_keeps_the_order(client, monkeypatch):
    made = CommunityFactory.create_batch(9)
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 2)
    newest_first = [str(c.pk) for c in sorted(made, key=lambda c: (c.created_at, c.pk), reverse=True)]
    pages = [client.get(LIST, {"page": n, "page_size": 3}).json() for n in (1, 2, 3)]
    assert [c["id"] for page in pages for c in page["items"]] == newest_first
    assert [c["name"] for c in client.get(LIST, {"page": 2, "page_size": 3, "ordering": "name"}).json()["items"]] == \
        sorted(c.name for c in made)[3:6]


def test_a_detail_hit_is_one_redis_round_trip_throttle_included(client, monkeypatch):
    community = CommunityFactory()
    body = client.get(detail(community.pk)).content
    client.get(LIST)
    seen = {}
    assert redis_commands(monkeypatch, lambda: seen.update(r=client.get(detail(community.pk)))) == ["EVALSHA"]
    assert seen["r"].content == body
    # The list: the throttle's round trip brings the version token and the page.
    page = client.get(LIST).content
    assert redis_commands(monkeypatch, lambda: seen.update(r=client.get(LIST))) == ["EVALSHA"]
    assert seen["r"].content == page


def test_a_signed_in_detail_hit_is_one_round_trip_and_a_ban_still_counts_at_once(
        monkeypatch, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    member = member_add(community)
    api = client_for(member)
    url = detail(community.pk)
    body = api.get(url).content
    seen = {}
    # The throttle's script, under the token's user id, brings the detail entry, the caller's
    # cached user row, the community's RBAC version and the access entry made under it.
    assert redis_commands(monkeypatch, lambda: seen.update(r=api.get(url))) == ["EVALSHA"]
    assert seen["r"].content == body
    # A ban bumps the RBAC version: the access entry under the same key is stale at once.
    with django_capture_on_commit_callbacks(execute=True):
        banned = client_for(community.owner).post(f"{detail(community.pk)}/bans", {"user_id": str(member.pk)})
    assert banned.status_code == 201, banned.content
    assert api.get(url).status_code == 403


def test_an_id_in_capitals_reads_and_invalidates_the_same_entry(django_capture_on_commit_callbacks):
    community = CommunityFactory(name="Before")
    owner = client_for(community.owner)
    loud = detail(str(community.pk).upper())
    assert owner.get(loud).json()["name"] == "Before"
    with django_capture_on_commit_callbacks(execute=True):
        owner.patch(detail(community.pk), {"name": "After"})
    assert owner.get(loud).json()["name"] == "After"


@pytest.mark.parametrize("caller", ["anonymous", "member"])
def test_a_read_is_answered_before_drf_with_the_same_bytes_and_headers(client, monkeypatch, caller):
    from rest_framework.views import APIView

    if caller == "anonymous":
        community = CommunityFactory()
        api = client
    else:  # signed in: a private community, which only its members see
        community = CommunityFactory(community_type="private")
        api = client_for(member_add(community))
    url = detail(community.pk)
    normal = api.get(url, HTTP_ACCEPT="application/json;q=0.9")  # not the fast path's Accept: DRF
    cache.clear()

    def refuse(*args, **kwargs):
        raise AssertionError("DRF must not run for this read")

    with monkeypatch.context() as patched:
        patched.setattr(APIView, "initial", refuse)
        first = api.get(url)  # a miss, read and cached before DRF too
        fast = api.get(url)
        not_modified = api.get(url, HTTP_IF_NONE_MATCH=fast["ETag"])
    assert fast.status_code == 200 and fast.content == first.content == normal.content
    varying = {"X-Request-ID", "X-Response-Time"}
    assert {k: v for k, v in fast.headers.items() if k not in varying} == \
        {k: v for k, v in normal.headers.items() if k not in varying}
    assert not_modified.status_code == 304 and not_modified["ETag"] == fast["ETag"]


@pytest.mark.parametrize("spelling", [str, lambda pk: str(pk).upper(), lambda pk: pk.hex])
def test_every_path_the_fast_path_takes_is_the_detail_route(spelling):
    # The middleware matches paths itself (before URL resolution): they must be the ones the
    # URL conf gives CommunityViewSet.retrieve, in every spelling of an id it accepts.
    from django.urls import resolve

    from members.fast_reads import DETAIL_PATH
    from members.views.communities import CommunityViewSet

    path = detail(spelling(uuid.uuid4()))
    assert DETAIL_PATH.match(path)
    match = resolve(path)
    assert match.func.cls is CommunityViewSet and match.func.actions["get"] == "retrieve"
    assert not DETAIL_PATH.match(detail("some-slug")) and not DETAIL_PATH.match(detail(uuid.uuid4()) + "/members")


def test_a_fast_answer_is_counted_under_the_detail_route_with_cors_headers(client, settings):
    from django.test import Client

    settings.METRICS_TOKEN = "scrape-token-for-tests"
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    community = CommunityFactory()
    browser = Client(HTTP_ORIGIN="https://app.example")
    responses = [browser.get(detail(community.pk)) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all(r["Access-Control-Allow-Origin"] == "https://app.example" for r in responses)
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests").content.decode()
    assert 'http_requests_total{method="GET",route="/api/v1/communities/<str:pk>",status="200"}' in body
    assert 'route="<unmatched>",status="200"' not in body


@pytest.fixture
def anon_rate(monkeypatch, settings):
    from rest_framework.throttling import SimpleRateThrottle

    def set_rate(rate: str) -> None:
        table = {**SimpleRateThrottle.THROTTLE_RATES, "anon": rate}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", table)
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": table}

    return set_rate


def test_the_fast_path_throttles_and_counts_each_request_once(client, anon_rate):
    anon_rate("3/min")
    community = CommunityFactory()
    # miss (fast path declines, the view answers without counting again), hit, hit, refused.
    statuses = [client.get(detail(community.pk)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(detail(community.pk))
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0


def test_the_fast_path_never_serves_a_private_body(client):
    private = CommunityFactory(community_type="private")
    assert client_for(private.owner).get(detail(private.pk)).status_code == 200  # cached
    assert client.get(detail(private.pk)).status_code == 404


def test_with_redis_down_detail_and_list_are_served_from_postgresql(settings):
    from django.test import override_settings
    from rest_framework.test import APIClient

    community = CommunityFactory(name="Still here")
    dead = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": dead}):
        api = APIClient()
        responses = [api.get(detail(community.pk)) for _ in range(2)] + [api.get(LIST)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["name"] == responses[1].json()["name"] == "Still here"
    assert responses[2].json()["items"][0]["id"] == str(community.pk)


@pytest.mark.parametrize(("query", "named"), [
    ("cursor=&page=1&page=2", "page"), ("cursor=&page=0", "page"), ("cursor=&cursor=", "cursor"),
    ("page=1&page=2", "page"), ("page_size=5&page_size=6", "page_size"),
])
def test_paging_parameters_sent_twice_or_malformed_beside_a_cursor_are_a_400(client, query, named):
    # `page` means nothing beside a cursor, yet a bad one is still refused, naming the parameter.
    CommunityFactory()
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400 and named in response.json()


def test_a_page_beside_a_cursor_is_read_and_ignored(client):
    CommunityFactory()
    body = client.get(LIST, {"cursor": "", "page": "3"}).json()
    assert set(body) == {"items", "next", "previous"} and len(body["items"]) == 1


def test_the_fast_community_search_mapping_is_exactly_the_serializer():
    from communities import selectors
    from communities.models import Community
    from communities.serializers import CommunitySearchResultSerializer, community_search_data

    CommunityFactory(name="Garden club", description="Roses & <tulips> in the garden")
    CommunityFactory(name="Gardening", description="")
    CommunityFactory(name="Гарден", community_type="private", description="Сад", post_moderation=True)
    found = selectors.community_search(Community.objects.alive().order_by("-created_at", "-id"), text="garden",
                                       page=1, page_size=20).items
    assert len(found) == 2 and all(c.get_deferred_fields() >= {"search_vector"} for c in found)
    for community in found:
        assert community_search_data(community) == dict(CommunitySearchResultSerializer(community).data)
    assert list(community_search_data(found[0])) == CommunitySearchResultSerializer.Meta.fields


def test_whatever_a_signed_in_read_may_not_see_the_view_refuses(django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    community = CommunityFactory(community_type="private")
    url = detail(community.pk)
    assert client_for(UserFactory()).get(url).status_code == 404  # not a member of a private one
    member = member_add(community)
    assert client_for(member).get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client_for(community.owner).post(f"{url}/bans", {"user_id": str(member.pk)})
    assert client_for(member).get(url).status_code == 403  # banned
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert forged.get(url).status_code == 401
    inactive = member_add(community)
    inactive.is_active = False
    inactive.save()
    assert client_for(inactive).get(url).status_code == 401
    # A superadmin's token reads any community: the view decides (member or not).
    assert client_for(UserFactory(), is_superadmin=True).get(url).status_code == 200


def test_a_signed_in_fast_read_counts_once_against_the_user_rate(monkeypatch, settings):
    from rest_framework.throttling import SimpleRateThrottle

    table = {**SimpleRateThrottle.THROTTLE_RATES, "user": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", table)
    community = CommunityFactory()
    api = client_for(member_add(community))
    assert [api.get(detail(community.pk)).status_code for _ in range(3)] == [200, 200, 429]


def test_a_cursor_beside_a_search_is_a_400_naming_the_cursor(client):
    # Search results are ranked, and relevance is no keyset position: the cursor cannot be honoured.
    CommunityFactory(name="Chess club")
    response = client.get(LIST, {"search": "chess", "cursor": ""})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_cursor" and "search" in body["cursor"][0]
    # A search of only spaces is no search: the cursor pages the list.
    assert set(client.get(LIST, {"search": "  ", "cursor": ""}).json()) == {"items", "next", "previous"}
