"""Deep pages of the community list at page-one cost (issue 41): a deep page seeks from a
remembered position (CappedCountPagination._anchored) instead of walking every id before it,
answers exactly what OFFSET would, in as many queries as page 1, and a write forgets the
positions. The strides are shrunk so a few dozen communities have deep pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communities.models import Community
from community_service.api.pagination import CappedCountPagination
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

SIZE = 5


@pytest.fixture(autouse=True)
def _short_strides(monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "ANCHOR_STRIDE", 10)
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 5)
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 12)


def expected_ids(page: int) -> list[str]:
    visible = Community.objects.filter(deleted_at__isnull=True).exclude(community_type="private")
    ordered = visible.order_by("-created_at", "-id").values_list("id", flat=True)
    return [str(pk) for pk in ordered[(page - 1) * SIZE: page * SIZE]]


def read(client: APIClient, page: int) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url_for("community-list"), {"page": page, "page_size": SIZE})
    assert response.status_code == 200, response.content
    return response.json(), [query["sql"] for query in queries.captured_queries]


def test_deep_pages_answer_what_offset_would_in_page_ones_queries():
    CommunityFactory.create_batch(44, community_type="public")
    CommunityFactory.create_batch(4, community_type="private")
    client = APIClient()
    first, first_queries = read(client, 1)
    assert [item["id"] for item in first["items"]] == expected_ids(1)
    _, remembering = read(client, 7)  # rows 30-34: remembers the position of row 30
    deep, deep_queries = read(client, 8)  # rows 35-39: seeks from it
    assert [item["id"] for item in deep["items"]] == expected_ids(8)
    assert len(remembering) == len(first_queries) + 1 and len(deep_queries) == len(first_queries)
    assert "ROW(" in deep_queries[0] and "OFFSET 5" in deep_queries[0]  # 5 ids walked, not 35
    assert set(deep) == set(first) == {"items", "total", "page", "page_size", "pages", "total_exact"}
    # Past EXACT_COUNT_LIMIT both say the planner's estimate; a deep page knows at least its own rows exist.
    assert first["total_exact"] is deep["total_exact"] is False and deep["total"] >= 40
    for page in range(2, 10):
        body, _ = read(client, page)
        assert [item["id"] for item in body["items"]] == expected_ids(page), page


def test_a_new_community_moves_every_deep_page_by_one():
    CommunityFactory.create_batch(40, community_type="public")
    client = APIClient()
    before, _ = read(client, 8)
    creator = client_for(UserFactory())
    created = creator.post(url_for("community-list"), {"name": "Newest", "description": "x",
                                                       "community_type": "public"}, format="json")
    assert created.status_code == 201, created.content
    after, _ = read(client, 8)
    assert [item["id"] for item in after["items"]] == expected_ids(8)
    assert after["items"][1]["id"] == before["items"][0]["id"]
