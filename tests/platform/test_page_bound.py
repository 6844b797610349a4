"""`?page=` has a stated maximum (int32), so no page a client may send overflows PostgreSQL's
OFFSET; below it, a page past the last is the usual 404."""

import pytest

from community_service.api.pagination import MAX_PAGE
from tests.conftest import client_for
from tests.factories import CommunityFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

LISTS = ["audit-log", "join-request-list", "member-list"]


@pytest.mark.parametrize("name", LISTS)
def test_a_page_past_the_stated_maximum_is_a_400_naming_page(name):
    community = CommunityFactory()
    response = client_for(community.owner).get(url_for(name, community_pk=community.pk), {"page": 10**19})
    assert response.status_code == 400
    assert "page" in response.data and response.data["detail"].startswith("page")


@pytest.mark.parametrize("name", LISTS)
def test_the_deepest_page_the_schema_allows_is_the_usual_404_not_a_database_error(name):
    community = CommunityFactory()
    response = client_for(community.owner).get(url_for(name, community_pk=community.pk),
                                               {"page": MAX_PAGE, "page_size": 100})
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/communities/{community_pk}/audit-log",
                                  "/api/v1/communities/{community_pk}/join-requests",
                                  "/api/v1/communities"])
def test_the_schema_states_the_page_bound(client, path):
    schema = client.get(url_for("schema"), {"format": "json"}).json()
    page = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"]["maximum"] == MAX_PAGE == 2**31 - 1
