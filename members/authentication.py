"""JWT bearer authentication that also tags the request's logs with the user id."""

from typing import Any

from rest_framework.request import Request
from rest_framework_simplejwt import authentication

from community_service.request_context import user_id_var


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            user_id_var.set(str(result[0].pk))
        return result
