"""A body nested thousands of levels deep is a 400 naming the problem, never a 500."""

import json
import uuid

import pytest
from django.db import connection
from drf_spectacular.generators import SchemaGenerator

from community_service.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

DEEP = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"


def _post_deep(client, method: str, path: str):
    return getattr(client, method)(path, DEEP, content_type="application/json")


def _assert_too_deep(response) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "parse_error"
    assert f"deeper than {MAX_JSON_DEPTH} levels" in body["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_5000_level_body_is_a_400_on_create_and_edit_with_debug_on_or_off(settings, debug):
    settings.DEBUG = debug
    owner = UserFactory()
    community = CommunityFactory(owner=owner)
    client = client_for(owner, is_superadmin=True)
    _assert_too_deep(_post_deep(client, "post", "/api/v1/communities"))
    _assert_too_deep(_post_deep(client, "patch", f"/api/v1/communities/{community.pk}"))
    _assert_too_deep(_post_deep(client_for(UserFactory()), "post", "/api/v1/auth/register"))


def test_every_write_route_answers_a_deep_body_without_a_500(settings):
    """Each POST/PUT/PATCH of the schema, as a superadmin, with ids that exist where possible:
    the parser refuses the body (400 parse_error) or the route refuses earlier (4xx)."""
    owner = UserFactory()
    community = CommunityFactory(owner=owner)
    client = client_for(owner, is_superadmin=True)
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    tried = parsed = 0
    for template, operations in paths.items():
        for method in ("post", "put", "patch"):
            operation = operations.get(method)
            if not operation or "requestBody" not in operation:
                continue
            path = template.replace("{community_id}", str(community.pk)).replace("{id}", str(community.pk))
            while "{" in path:
                start, end = path.index("{"), path.index("}")
                path = path[:start] + str(uuid.uuid4()) + path[end + 1:]
            response = _post_deep(client, method, path)
            tried += 1
            assert response.status_code < 500, (method, path, response.status_code)
            if response.status_code == 400 and response.json().get("code") == "parse_error":
                parsed += 1
                assert "deeper than" in response.json()["detail"], (method, path)
    assert tried > 20 and parsed >= 5, (tried, parsed)
    assert connection.is_usable()


def test_ordinary_bodies_still_parse_and_the_depth_walk_is_exact():
    nested = {"a": [{"b": [1, 2, {"c": "x"}]}]}
    assert not json_depth_exceeds(nested)
    assert not json_depth_exceeds(json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH))
    assert json_depth_exceeds(json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)))
    assert not json_depth_exceeds("[[[[")  # a string is a leaf, whatever it contains
