"""Django-level error views (no DRF view was reached) in the API's JSON error shape."""

from django.http import HttpRequest, JsonResponse


def _error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(400, "Bad request.", "bad_request")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(403, "You do not have permission to perform this action.", "permission_denied")


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return _error(404, "Not found.", "not_found")


def server_error(request: HttpRequest) -> JsonResponse:
    return _error(500, "Internal server error.", "server_error")
