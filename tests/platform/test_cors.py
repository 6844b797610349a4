"""CORS over real HTTP: a browser's preflight and the actual call, against a live server."""

import urllib.request
from urllib.error import HTTPError

import pytest

from tests.routes import url_for

APP = "https://app.example.com"


def _send(url: str, method: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def _preflight(live_server, origin: str, method: str = "POST") -> tuple[int, dict[str, str]]:
    return _send(live_server.url + url_for("community-list"), "OPTIONS", {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    })


@pytest.fixture
def app_origin_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


def test_a_preflight_from_an_allowed_origin_is_answered_and_cached(live_server, app_origin_allowed):
    status, headers = _preflight(live_server, APP)
    assert status == 200
    assert headers["access-control-allow-origin"] == APP
    assert "POST" in headers["access-control-allow-methods"]
    assert {"authorization", "content-type"} <= {h.strip() for h in headers["access-control-allow-headers"].split(",")}
    assert headers["access-control-max-age"] == "86400"
    # Bearer tokens, not cookies: a browser must not send credentials.
    assert "access-control-allow-credentials" not in headers


def test_the_actual_call_exposes_the_headers_a_client_needs(live_server, app_origin_allowed):
    status, headers = _send(live_server.url + url_for("community-list"), "GET", {"Origin": APP})
    assert status == 200
    assert headers["access-control-allow-origin"] == APP
    exposed = {h.strip() for h in headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "retry-after", "etag"} <= exposed
    assert "origin" in headers["vary"].lower()


def test_an_origin_not_listed_gets_no_cors_headers(live_server, app_origin_allowed):
    status, headers = _preflight(live_server, "https://evil.example.net")
    assert "access-control-allow-origin" not in headers


def test_by_default_no_origin_is_allowed(live_server, settings):
    assert settings.CORS_ALLOWED_ORIGINS == []
    status, headers = _preflight(live_server, APP)
    assert "access-control-allow-origin" not in headers
