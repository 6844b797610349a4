"""Reads for a community's roles, and the seed's cached role list."""

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet

from communities.models import Community
from community_service.cache.aside import cache_get_or_set
from community_service.exceptions import NotFound
from members.models import Role

T = TypeVar("T")


def roles_cache_key(community_id: UUID) -> str:
    return f"community:{community_id}:roles"


def role_list(*, community: Community) -> QuerySet[Role]:
    return Role.objects.filter(community=community).order_by("-priority", "name")


def role_get(*, community: Community, role_id: UUID) -> Role:
    role = role_list(community=community).filter(pk=role_id).first()
    if role is None:
        raise NotFound("Role not found.")
    return role


def role_list_cached(*, community: Community, serialize: Callable[[list[Role]], T],
                     valid: Callable[[object], bool] | None = None) -> T:
    """The seed's `community:{id}:roles` cache (5 minutes), dropped on any role change;
    it holds whatever `serialize` makes of the roles (the view: rendered JSON bytes)."""
    return cache_get_or_set(
        roles_cache_key(community.pk),
        lambda: serialize(list(role_list(community=community))),
        ttl=settings.CACHE_DEFAULT_TTL,
        valid=valid,
    )
