"""Writes for communities. Each use case owns its transaction; side effects run on commit."""

import uuid
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from communities.models import CREATE_COMMUNITIES, Community
from communities.selectors import community_cache_key, community_slug_cache_key
from communities.signals import community_created, community_language_changed
from community_service.cache.aside import cache_bump_version, cache_delete, invalidate_around_commit
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, PermissionDenied, ValidationFailed
from community_service.outbox.services import outbox_record

COMMUNITY_LIST_CACHE = "communities:list"
# Fields a client may change with PUT/PATCH; everything else is server-owned.
UPDATABLE_FIELDS = frozenset({"name", "slug", "description", "community_type", "status", "language",
                             "post_moderation"})


def community_generate_slug(name: str) -> str:
    """`Python Developers` → `python-developers-a1b2c3d4` (the seed's format)."""
    base = slugify(name)[:240].strip("-") or "community"
    return f"{base}-{uuid.uuid4().hex[:8]}"


def _invalidate(*, community: Community, old_slug: str | None = None) -> None:
    keys = [community_cache_key(community.pk), community_slug_cache_key(community.slug)]
    if old_slug and old_slug != community.slug:
        keys.append(community_slug_cache_key(old_slug))

    def drop() -> None:
        cache_delete(*keys)
        cache_bump_version(COMMUNITY_LIST_CACHE)

    invalidate_around_commit(drop)


def community_invalidate_cache(community_id: UUID) -> None:
    """Drop the cached body and lists of a community whose counters changed."""
    cache_delete(community_cache_key(community_id))
    cache_bump_version(COMMUNITY_LIST_CACHE)


def _ensure_slug_free(slug: str, *, exclude_id: UUID | None = None) -> None:
    taken = Community.objects.filter(slug=slug)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict("A community with this slug already exists.", field="slug", code="unique")


def _record_event(event_type: str, community: Community, **extra: Any) -> None:
    """Outbox row in the caller's transaction: the change and its event commit together."""
    payload = {"community_id": community.pk, "owner_id": community.owner_id, "name": community.name, **extra}
    outbox_record(event_type=event_type, aggregate_type="community", aggregate_id=community.pk,
                  community_id=community.pk, payload=payload)


def community_create_allowed(user: AbstractBaseUser) -> bool:
    """Whether `user` may create communities under COMMUNITY_CREATE_POLICY: `everyone` (every
    active account), `staff` (staff and superusers), or `granted` (holders of the console's
    communities.create_communities permission, directly or through a group; superusers hold all)."""
    policy = settings.COMMUNITY_CREATE_POLICY
    if not user.is_active:
        return False
    if policy == "everyone":
        return True
    if policy == "staff":
        return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    return isinstance(user, PermissionsMixin) and user.has_perm(f"communities.{CREATE_COMMUNITIES}")


def _require_create_allowed(user: AbstractBaseUser) -> None:
    if community_create_allowed(user):
        return
    if settings.COMMUNITY_CREATE_POLICY == "staff":
        raise PermissionDenied("Only platform staff may create communities on this server.")
    raise PermissionDenied("Only accounts the operators allow may create communities on this server: ask them.")


@atomic_with_retry
def community_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    community_type: str,
    description: str = "",
    slug: str | None = None,
    language: str | None = None,
    post_moderation: bool = False,
) -> Community:
    """Create a community owned by `owner`, who is its first member. `language` defaults
    to SEARCH_DEFAULT_LANGUAGE.

    Raises PermissionDenied when COMMUNITY_CREATE_POLICY does not let `owner` create
    communities; Conflict(field="slug") when a requested slug is taken.
    """
    _require_create_allowed(owner)
    if slug:
        _ensure_slug_free(slug)
    try:
        with transaction.atomic():
            community = Community.objects.create(
                # The AUTH_USER_MODEL instance: communities sits below members, so it types the owner by its base.
                owner=owner,  # type: ignore[misc]
                name=name,
                slug=slug or community_generate_slug(name),
                description=description,
                community_type=community_type,
                post_moderation=post_moderation,
                member_count=1,
                **({"language": language} if language else {}),
            )
    except IntegrityError as exc:
        # A concurrent create took the same slug between the check and the insert.
        raise Conflict("A community with this slug already exists.", field="slug", code="unique") from exc
    _record_event("community.created", community, slug=community.slug, community_type=community.community_type)
    # Same transaction: members/ adds the owner membership and roles, content/ #general.
    community_created.send(sender=Community, community=community, owner=owner)
    _invalidate(community=community)
    return community


@atomic_with_retry
def community_update(*, community: Community, data: dict[str, Any]) -> Community:
    """Apply a validated change set. Unknown or server-owned fields are refused."""
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed(f"Field cannot be changed: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    community = Community.objects.select_for_update(no_key=True).get(pk=community.pk)
    old_slug, old_language = community.slug, community.language
    if "slug" in data and data["slug"] != old_slug:
        _ensure_slug_free(data["slug"], exclude_id=community.pk)
    for field, value in data.items():
        setattr(community, field, value)
    try:
        with transaction.atomic():
            community.save(update_fields=[*data.keys(), "updated_at"])
    except IntegrityError as exc:
        raise Conflict("A community with this slug already exists.", field="slug", code="unique") from exc
    if data:
        _record_event("community.updated", community, slug=community.slug, changed=sorted(data))
    if "language" in data and data["language"] != old_language:
        # The trigger re-indexed the community; its posts and comments follow (content/).
        community_language_changed.send(sender=Community, community=community)
    _invalidate(community=community, old_slug=old_slug)
    return community


@atomic_with_retry
def community_soft_delete(*, community: Community) -> Community:
    """Hide a community from the API; its row and history stay."""
    updated = Community.objects.filter(pk=community.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), updated_at=timezone.now()
    )
    community.refresh_from_db()
    if updated:
        _record_event("community.deleted", community)
        _invalidate(community=community)
    return community
