"""The signed-in user of a request, read from the cache: a bearer token names its user on
every request, and the row changes rarely."""

import uuid

from django.conf import settings
from django.core.cache import cache

from community_service.cache.aside import cache_get_or_set
from members.models import User


def user_cache_key(user_id: uuid.UUID | str) -> str:
    return f"user:{user_id}:auth"


def user_for_token(user_id: uuid.UUID, *, prefetched: dict | None = None) -> User | None:
    """The user a token names, or None if there is none. Cached (without the password hash,
    which is read from PostgreSQL if something asks for it) for CACHE_DEFAULT_TTL.

    The row decides whether a token still counts (is_active, token_generation), so a stale
    copy must not outlive a commit: a reader stores its copy only where none is, and a save
    or delete drops the entry and, after commit, stores the committed row over whatever a
    reader put there meanwhile (members.receivers.recache_user). `prefetched`: the raw values
    a throttle's round trip brought (members/fast_reads.py asks it for this key)."""
    return cache_get_or_set(user_cache_key(user_id), lambda: _user_row(user_id), ttl=settings.CACHE_DEFAULT_TTL,
                            only_if_absent=True, prefetched=prefetched)


def user_recache(user_id: uuid.UUID) -> None:
    """Store the user's committed row (None once deleted) as user_for_token reads it."""
    cache.set(user_cache_key(user_id), _user_row(user_id), settings.CACHE_DEFAULT_TTL)


def _user_row(user_id: uuid.UUID) -> User | None:
    return User.objects.defer("password").filter(pk=user_id).first()
