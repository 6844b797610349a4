"""Error responses in the API's JSON shape where no DRF view made one.

The handlers below are Django's error views (urls.py: handler400 ... handler500) for a
request no DRF view answered, with DEBUG off. ApiErrorMiddleware covers the rest under
`/api/`: Django's debug pages (DEBUG on: an unknown path, a crash), and error bodies other
views render in HTML or leave empty (the Swagger UI view's 405).
"""

import sys
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from community_service.db.transactions import database_unavailable
from community_service.exceptions import DatabaseUnavailable

# Detail and code by status; the same texts DRF's own exceptions use.
_ERRORS = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    500: ("Internal server error.", "server_error"),
}


def error_response(status: int, *, method: str = "") -> JsonResponse:
    """`{"detail": ..., "code": ...}` for an HTTP error status."""
    if status == 405:
        detail, code = f'Method "{method}" not allowed.', "method_not_allowed"
    elif status in _ERRORS:
        detail, code = _ERRORS[status]
    else:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail, code = f"{phrase}.", phrase.lower().replace(" ", "_").replace("-", "_")
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error_response(400)


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error_response(403)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error_response(404)


def server_error(request: HttpRequest) -> JsonResponse:
    # Django calls this while handling the exception. A database restarting under a middleware
    # or a plain view (outside DRF's handler) is still a 503 the client may retry.
    if database_unavailable(sys.exc_info()[1]):
        response = JsonResponse({"detail": DatabaseUnavailable.default_detail, "code": DatabaseUnavailable.code},
                                status=503)
        response["Retry-After"] = str(DatabaseUnavailable.retry_after)
        return response
    return error_response(500)


class ApiErrorMiddleware:
    """Under `/api/`, an error response that is not JSON becomes the JSON error body of its
    status (its other headers, such as Allow and Retry-After, kept), whatever DEBUG says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code < 400 or not request.path.startswith("/api/") or response.streaming
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        replacement = error_response(response.status_code, method=request.method or "")
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                replacement[header] = value
        replacement.cookies = response.cookies
        return replacement
