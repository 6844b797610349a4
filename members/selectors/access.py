"""RBAC resolution: a user's effective standing in a community, and who may see it."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.request import Request

from communities.models import Community, CommunityType
from community_service.cache.aside import cache_get_or_set, cache_version, cache_version_key, request_prefetched
from community_service.exceptions import NotFound
from members.catalogue import ALL_PERMISSIONS, codes_for_scopes
from members.models import Member, MemberStatus, User

OWNER_PRIORITY = 2**31


def rbac_cache_namespace(community_id: UUID) -> str:
    """Bumped on every member or role change in the community (see members.services.effects.rbac_invalidate)."""
    return f"community:{community_id}:rbac"


def access_cache_key(community_id: UUID, user_id: UUID) -> str:
    """A user's cached access in a community. The entry carries the RBAC version it was resolved
    under (a bump makes it stale), so the key is fixed and a throttle's round trip can bring it."""
    return f"{rbac_cache_namespace(community_id)}:access:{user_id}"


def access_prefetch_keys(community_id: UUID, user: User | AnonymousUser | UUID | None) -> list[str]:
    """The cache keys community_access reads for `user` (or a user id: its RBAC version and the
    entry), for a view's cache_prefetch_keys: the throttle's round trip then brings them (none
    for anonymous)."""
    if isinstance(user, UUID):
        user_id = user
    elif user is None or not user.is_authenticated:
        return []
    else:
        user_id = user.pk
    return [cache_version_key(rbac_cache_namespace(community_id)), access_cache_key(community_id, user_id)]


@dataclass(frozen=True)
class KeyGrant:
    """What an API key lets its bearer do of its owner's standing (members.authentication puts
    it in `request.auth`): its scopes, and the communities it is limited to (None: all).
    members.policy judges it; here it only narrows a resolved access."""

    key_id: uuid.UUID
    scopes: frozenset[str]
    community_ids: frozenset[uuid.UUID] | None
    expires_at: datetime

    def covers(self, community_id: UUID) -> bool:
        return self.community_ids is None or community_id in self.community_ids

    def narrow(self, access: "CommunityAccess") -> "CommunityAccess":
        """The owner's access as the key may use it: NotFound outside its communities (the key's
        world is those), codes cut to what its scopes allow, never a superadmin's bypass."""
        if not self.covers(access.community_id):
            raise NotFound("Community not found.")
        return CommunityAccess(**{**access.__dict__, "is_superadmin": False,
                                  "key_codes": codes_for_scopes(self.scopes)})


@dataclass(frozen=True)
class CommunityAccess:
    """A user's effective standing in one community, resolved in one query."""

    community_id: uuid.UUID
    user_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    status: str | None = None
    is_owner: bool = False
    is_superadmin: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)
    role_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    top_priority: int = 0
    banned_until: datetime | None = None
    muted_until: datetime | None = None
    # Set when the caller is an API key (KeyGrant.narrow): the codes its scopes let it use.
    key_codes: frozenset[str] | None = None

    @property
    def is_banned(self) -> bool:
        if self.status != MemberStatus.BANNED:
            return False
        return self.banned_until is None or self.banned_until > timezone.now()

    @property
    def is_active_member(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def is_muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > timezone.now()

    @property
    def effective_permissions(self) -> frozenset[str]:
        if self.is_superadmin or (self.is_owner and self.is_active_member):
            held = ALL_PERMISSIONS
        elif not self.is_active_member:
            return frozenset()
        else:
            held = self.permissions
        return held if self.key_codes is None else held & self.key_codes

    def has(self, code: str) -> bool:
        return code in self.effective_permissions

    @property
    def rank(self) -> int:
        """Priority used for hierarchy checks; superadmins and owners outrank everyone."""
        if self.is_superadmin or self.is_owner:
            return OWNER_PRIORITY
        return self.top_priority if self.is_active_member else -1


def _resolve_access(*, community_id: UUID, user_id: UUID) -> CommunityAccess:
    # One query: the member row LEFT JOINed to its roles (a row per role).
    rows = list(
        Member.objects.filter(community_id=community_id, user_id=user_id).values_list(
            "id", "status", "is_owner", "banned_until", "muted_until", "roles__permissions", "roles__priority",
            "roles__id",
        )
    )
    if not rows:
        return CommunityAccess(community_id=community_id, user_id=user_id)
    member_id, status, is_owner, banned_until, muted_until, *_ = rows[0]
    permissions = frozenset(code for row in rows for code in (row[5] or []))
    top_priority = max((row[6] for row in rows if row[6] is not None), default=0)
    role_ids = frozenset(row[7] for row in rows if row[7] is not None)
    return CommunityAccess(
        community_id=community_id,
        user_id=user_id,
        member_id=member_id,
        status=status,
        is_owner=is_owner,
        permissions=permissions,
        role_ids=role_ids,
        top_priority=top_priority,
        banned_until=banned_until,
        muted_until=muted_until,
    )


def community_access(*, community_id: UUID, user: User | None, is_superadmin: bool = False,
                     prefetched: dict | None = None) -> CommunityAccess:
    """Effective access of `user` in a community, cached in Redis until a member/role change.
    `prefetched`: raw cache values the request already read (access_prefetch_keys, perhaps)."""
    if user is None or not user.is_authenticated:
        return CommunityAccess(community_id=community_id)
    version = cache_version(rbac_cache_namespace(community_id), prefetched=prefetched)
    if version is None:
        access = _resolve_access(community_id=community_id, user_id=user.pk)
    else:
        access = cache_get_or_set(
            access_cache_key(community_id, user.pk),
            lambda: (version, _resolve_access(community_id=community_id, user_id=user.pk)),
            ttl=settings.CACHE_DEFAULT_TTL, prefetched=prefetched,
            valid=lambda entry: isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version,
        )[1]
    if is_superadmin:
        access = CommunityAccess(**{**access.__dict__, "is_superadmin": True})
    return access


def request_community_access(request: Request, community_id: UUID) -> CommunityAccess:
    """community_access, memoised on the request so a request resolves it at most once."""
    memo: dict = request.__dict__.setdefault("_community_access", {})
    key = str(community_id)
    if key not in memo:
        user = request.user if request.user.is_authenticated else None
        access = community_access(community_id=community_id, user=user, is_superadmin=is_superadmin(request),
                                  prefetched=request_prefetched(request))
        memo[key] = request.auth.narrow(access) if isinstance(request.auth, KeyGrant) else access
    return memo[key]


def community_visible_to(*, community: Community, access: CommunityAccess) -> bool:
    """Banned users see nothing; private communities are for their members."""
    if access.is_superadmin:
        return True
    if access.is_banned:
        return False
    if community.community_type == CommunityType.PRIVATE:
        return access.is_active_member
    return True


def is_superadmin(request: Request) -> bool:
    """The seed's rule: a token with is_superadmin bypasses every community check."""
    return token_is_superadmin(request.user, request.auth)


def token_is_superadmin(user: object, token: object) -> bool:
    """is_superadmin for a user and their validated token, before a DRF request exists."""
    if isinstance(token, KeyGrant):
        return False  # a key never carries the bypass (members.policy, "API keys")
    if token is not None and hasattr(token, "get"):
        return bool(token.get("is_superadmin", False))
    return bool(getattr(user, "is_superuser", False))
