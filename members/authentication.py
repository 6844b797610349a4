"""JWT bearer authentication that also tags the request's logs with the user id."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt import authentication

from community_service.request_context import user_id_var
from members.models import User


class JWTAuthentication(authentication.JWTAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is not None:
            user_id_var.set(str(result[0].pk))
        return result


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request whose view already requires one (IsAuthenticated, staff admin).

    Narrows `request.user` (User | AnonymousUser) for the services, which take a User; an anonymous
    caller reaching here is answered 401 like any unauthenticated request.
    """
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def request_user_id(request: HttpRequest) -> UUID | None:
    """The signed-in user's id, or None for an anonymous caller."""
    user = request.user
    return user.pk if isinstance(user, User) else None
