import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
UNREACHABLE_REDIS = {
    "default": {
        **settings.CACHES["default"],
        # Nothing listens on port 1: a real refused connection, not a stand-in.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_health_returns_exactly_the_seed_body(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "service": "community-service", "version": "1.0.0"}


def test_ready_checks_database_cache_and_task_broker(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"
    assert "task_broker" in body["checks"]


def test_ready_is_503_naming_redis_when_it_is_down(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_every_request_succeeds_with_redis_unreachable(client, settings, caplog):
    settings.CACHES = UNREACHABLE_REDIS
    assert caches["default"].get("anything") is None
    community = CommunityFactory()
    owner = client_for(community.owner)
    assert client.get(url_for("community-list")).status_code == 200
    assert client.get(url_for("community-detail", pk=community.pk)).status_code == 200
    assert client.get(url_for("community-detail", pk=community.slug)).status_code == 200
    assert owner.post(url_for("community-list"), {"name": "Created while Redis is down"}).status_code == 201
    assert owner.patch(url_for("community-detail", pk=community.pk), {"name": "Renamed"}).status_code == 200
    assert owner.delete(url_for("community-detail", pk=community.pk)).status_code == 204
    assert any("community_service.cache" in r.name or "Connection" in r.getMessage() for r in caplog.records)


def test_request_id_is_kept_or_generated_and_timing_is_on_every_response(client):
    kept = client.get("/health", HTTP_X_REQUEST_ID="abc-123")
    assert kept["X-Request-ID"] == "abc-123"
    assert kept["X-Response-Time"].endswith("ms")
    generated = client.get(url_for("community-detail", pk="no-such-thing"))
    assert generated.status_code == 404
    assert len(generated["X-Request-ID"]) == 36
    assert "X-Response-Time" in generated
    injected = client.get("/health", HTTP_X_REQUEST_ID="bad\nvalue")
    assert injected["X-Request-ID"] != "bad\nvalue"


def test_server_errors_still_carry_request_id_and_a_json_log_line(client, caplog):
    from django.urls import path

    from community_service import urls

    def boom(request):  # a view that crashes, to see what the platform does with a 500
        raise RuntimeError("kaboom")

    urls.urlpatterns.append(path("boom-for-test", boom))
    try:
        client.raise_request_exception = False
        response = client.get("/boom-for-test", HTTP_X_REQUEST_ID="req-500")
    finally:
        urls.urlpatterns.pop()
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-500"
    assert "X-Response-Time" in response


def test_log_lines_are_json_with_the_seed_fields(client):
    from community_service.observability.logging import JsonFormatter

    captured: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: captured.append(JsonFormatter().format(record))
    logger = logging.getLogger("community_service.request")
    logger.addHandler(handler)
    try:
        user = UserFactory()
        client_for(user).get(url_for("auth-me"), HTTP_X_REQUEST_ID="log-test")
    finally:
        logger.removeHandler(handler)
    entry = json.loads(captured[-1])
    for field in ("timestamp", "level", "logger", "message", "service", "version", "request_id", "user_id",
                  "duration_ms", "status_code", "method", "path"):
        assert field in entry, field
    assert entry["request_id"] == "log-test"
    assert entry["user_id"] == str(user.pk)


def test_schema_downloads_and_documents_error_responses(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    # The schema's keys are its documented path templates, not paths a client requests.
    create = schema["paths"]["/api/v1/communities"]["post"]["responses"]
    assert {"201", "400", "401", "429"} <= set(create)
    update = schema["paths"]["/api/v1/communities/{id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(update)


def test_swagger_and_redoc_use_self_hosted_assets(client):
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page, url
        assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page, url


def _run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    test_only = {"SECRET_KEY", "JWT_SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update({"DJANGO_SETTINGS_MODULE": "community_service.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_with_a_default_secret():
    result = _run_check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_for_production_settings():
    result = _run_check(
        {"DEBUG": "false", "SECRET_KEY": "q7Zk2pX9vR4mT8wL1nB6cY3hF5jD0sG-aE_uI9oP2lK7zX4vC8",
         "JWT_SECRET_KEY": "M3nB8vC1xZ6lK4jH9gF2dS7aP0oI5uY-tR_eW3qN8mB1vC6xZ4"},
        "--deploy", "--fail-level", "WARNING",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


def test_unknown_urls_and_options_answer_in_json(client):
    # Not an id at all: no route matches, so the path is written out (reverse() cannot build it).
    response = client.get("/api/v1/posts/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert client.options(url_for("community-list")).status_code == 405


def test_public_reads_mark_bearer_auth_optional_in_the_schema(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    # Schema keys are documented path templates (see above).
    assert {} in schema["paths"]["/api/v1/communities/{community_pk}/roles"]["get"]["security"]
    assert {} not in schema["paths"]["/api/v1/communities/{community_pk}/roles"]["post"]["security"]


def test_booleans_must_be_json_booleans(client):
    community = CommunityFactory()
    response = client_for(community.owner).post(url_for("channel-list", community_pk=community.pk),
                                                {"name": "x", "is_members_only": 0})
    assert (response.status_code, "is_members_only" in response.json()) == (400, True)


def test_slugs_must_be_strings(client):
    community = CommunityFactory()
    owner = client_for(community.owner)
    response = owner.post(url_for("channel-list", community_pk=community.pk), {"name": "x", "slug": 10})
    assert (response.status_code, "slug" in response.json()) == (400, True)
    assert owner.patch(url_for("community-detail", pk=community.pk), {"slug": 12345}).status_code == 400


def test_reads_that_answer_304_say_so_in_the_schema(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    conditional = {"/api/v1/communities", "/api/v1/communities/{id}", "/api/v1/communities/{community_pk}/roles",
                   "/api/v1/communities/{community_pk}/analytics",
                   "/api/v1/notifications/unread-count"}  # documented path templates (see above)
    documented = {path for path, operations in schema["paths"].items()
                  if "304" in operations.get("get", {}).get("responses", {})}
    assert documented == conditional
    for path in conditional:
        headers = {p["name"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "header"}
        assert "If-None-Match" in headers, path
