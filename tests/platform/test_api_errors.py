"""Every error under /api/ is the JSON error body with its `code`, with DEBUG on or off."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.http import require_POST

from community_service.urls import handler400, handler403, handler404, handler500  # noqa: F401  # this URLconf's
from community_service.urls import urlpatterns as service_urlpatterns


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a view that crashes")


@require_POST
def post_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


# The service's routes plus two views that fail the way a plain Django view can.
urlpatterns = [path("api/test-crash", crash), path("api/test-post-only", post_only), *service_urlpatterns]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db,
              pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])]


def test_an_unknown_api_path_is_a_json_404(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_crashing_view_is_a_json_500_with_the_request_id(client, debug):
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get("/api/test-crash", HTTP_X_REQUEST_ID="crash-1")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert response["X-Request-ID"] == "crash-1"


def test_a_plain_django_405_is_json_and_keeps_its_allow_header(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/test-post-only")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}
    assert response["Allow"] == "POST"


def test_a_405_from_the_html_docs_view_is_json(client, debug):
    with override_settings(DEBUG=debug):
        response = client.post("/api/docs/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.', "code": "method_not_allowed"}


def test_a_drf_405_is_json_too(client, debug):
    with override_settings(DEBUG=debug):
        response = client.options("/api/v1/communities")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "OPTIONS" not allowed.', "code": "method_not_allowed"}
