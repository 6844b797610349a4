"""The signed-in user of a request, read from the cache: a bearer token names its user on
every request, and the row changes rarely."""

import uuid

from django.conf import settings

from community_service.cache import cache_get_or_set
from members.models import User


def user_cache_key(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}:auth"


def user_for_token(user_id: uuid.UUID) -> User | None:
    """The user a token names, or None if there is none. Cached (without the password hash,
    which is read from PostgreSQL if something asks for it) until the row is saved or deleted
    (members.receivers.forget_cached_user) or CACHE_DEFAULT_TTL passes."""

    def load() -> User | None:
        return User.objects.defer("password").filter(pk=user_id).first()

    return cache_get_or_set(user_cache_key(user_id), load, ttl=settings.CACHE_DEFAULT_TTL)
