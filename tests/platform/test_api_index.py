"""`GET /api/v1/` is a JSON index of the API, and it lists exactly what the schema documents."""

import pytest

pytestmark = pytest.mark.django_db


# The index's own address and the paths it lists are the documented URL shape (the seed's
# contract), so they are written out here; every other test names its routes (tests.routes.url_for).


def test_the_api_root_lists_its_resources_and_where_the_docs_are(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["schema"] == "http://testserver/api/schema/" and body["docs"] == "http://testserver/api/docs/"
    assert {"auth", "communities", "posts", "comments", "channels", "search", "invites"} <= set(body["resources"])
    assert "/api/v1/communities/{community_pk}/posts" in body["resources"]["communities"]
    assert "/api/v1/auth/token" in body["resources"]["auth"]


def test_every_endpoint_in_the_index_is_in_the_schema_and_back(client):
    listed = {path for paths in client.get("/api/v1/").json()["resources"].values() for path in paths}
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    documented = {path for path in schema["paths"] if path != "/api/v1/"}
    assert listed == documented


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")  # no route has this path, by design
    assert response.status_code == 404 and response.json()["code"] == "not_found"
