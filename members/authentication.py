"""Bearer authentication: a JWT, or a personal API key (`cs_live_…`, told apart by its
prefix); either way the request's logs are tagged with the user id.

A key authenticates as its owner with a members.selectors.access.KeyGrant in `request.auth`;
the request's method must be within its scopes (members.policy.key_scope_for), and the
community checks narrow the owner's access to the key (request_community_access)."""

import uuid
from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from community_service import exceptions as domain
from community_service.observability.request_context import user_id_var
from members import policy
from members.models import User
from members.selectors.users import user_for_token
from members.services.api_keys import api_key_authenticate, looks_like_key
from members.tokens import TOKEN_REVOKED, token_generation


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args: Any, prefetched: dict | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Raw cache values a throttle's round trip already brought (the user row, if asked for).
        self.prefetched = prefetched

    # simplejwt types the return as a TypeVar bound to nothing in the method: no override can match it.
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        """simplejwt's checks, with the user read from the cache (members.selectors.users): on
        a cached read the request then needs no query at all. A token minted before the user's
        sessions were ended (members.tokens, token generation) is refused."""
        try:
            user_id = uuid.UUID(str(validated_token[api_settings.USER_ID_CLAIM]))
        except (KeyError, ValueError):
            raise InvalidToken("Token contained no recognizable user identification") from None
        user = user_for_token(user_id, prefetched=self.prefetched)
        if user is None:
            raise exceptions.AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise exceptions.AuthenticationFailed("User is inactive", code="user_inactive")
        if token_generation(validated_token) != user.token_generation:
            raise exceptions.AuthenticationFailed(TOKEN_REVOKED, code="token_revoked")
        if api_settings.CHECK_REVOKE_TOKEN:  # off here; kept so the setting means what it says
            return cast(User, super().get_user(validated_token))
        return user

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header is not None else None
        if raw is not None and looks_like_key(raw.decode(errors="replace")):
            result: tuple[Any, Any] | None = self._authenticate_key(raw.decode(), request.method or "GET")
        else:
            result = super().authenticate(request)
        if result is not None:
            user_id_var.set(str(result[0].pk))
        return result

    def _authenticate_key(self, secret: str, method: str) -> tuple[User, Any]:
        try:
            user, grant = api_key_authenticate(secret)
            policy.require_key_scope(grant, policy.key_scope_for(method))
        except domain.Unauthenticated as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from None
        except domain.PermissionDenied as exc:
            raise exceptions.PermissionDenied(exc.detail, code=exc.code) from None
        return user, grant


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
