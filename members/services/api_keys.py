"""Personal API keys: created (the secret shown once), authenticated, revoked.

A key is `cs_live_` and 43 URL-safe characters (256 random bits): secret scanners find the
prefix, and a random secret of that size needs no slow hash, so only its SHA-256 is stored
and a key is found by it in one indexed query. Every request reads the row (no cache), so a
revocation counts from the next request. The last use is written at most once a minute.
What a key may do is members.policy's ("API keys").
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from community_service.exceptions import NotFound, Unauthenticated, UnknownReference, ValidationFailed
from members import policy
from members.catalogue import KeyScope
from members.models import ApiKey, Member, MemberStatus, User
from members.selectors.access import KeyGrant

KEY_PREFIX = "cs_live_"
# Shown in lists beside the name: the prefix and four characters of the secret.
DISPLAY_CHARS = len(KEY_PREFIX) + 4
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=366)
LAST_USE_EVERY = timedelta(minutes=1)


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


def grant_of(key: ApiKey) -> KeyGrant:
    return KeyGrant(key_id=key.pk, scopes=frozenset(key.scopes),
                    community_ids=frozenset(key.community_ids) if key.community_ids else None,
                    expires_at=key.expires_at)


def _validated(*, user: User, scopes: Iterable[str], community_ids: Iterable[UUID] | None,
               expires_at: datetime | None) -> tuple[frozenset[str], frozenset[UUID] | None, datetime]:
    wanted = frozenset(scopes)
    if not wanted:
        raise ValidationFailed("Name at least one scope.", field="scopes", code="required")
    unknown = wanted - set(KeyScope.values)
    if unknown:
        raise ValidationFailed(f"Unknown scope: {', '.join(sorted(unknown))}.", field="scopes", code="invalid_choice")
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    if expires_at <= now:
        raise ValidationFailed("The expiry must be in the future.", field="expires_at", code="in_past")
    if expires_at > now + MAX_LIFETIME:
        raise ValidationFailed("A key lives at most 366 days.", field="expires_at", code="too_long")
    communities = frozenset(community_ids) if community_ids else None
    if communities is not None:
        held = set(Member.objects.filter(user=user, community_id__in=communities, status=MemberStatus.ACTIVE)
                   .values_list("community_id", flat=True))
        if held != communities:
            raise UnknownReference("A key is limited to communities you are a member of.", field="communities")
    return wanted, communities, expires_at


def api_key_create(*, user: User, name: str, scopes: Iterable[str], community_ids: Iterable[UUID] | None = None,
                   expires_at: datetime | None = None, grant: KeyGrant | None = None) -> tuple[ApiKey, str]:
    """A new key of `user` and its secret (shown this once). `grant`: the key the request came
    with, if any, which the new one must stay within (members.policy.require_key_within)."""
    wanted, communities, expires_at = _validated(user=user, scopes=scopes, community_ids=community_ids,
                                                 expires_at=expires_at)
    if grant is not None:
        policy.require_key_within(grant, scopes=wanted, community_ids=communities, expires_at=expires_at)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(user=user, name=name, prefix=secret[:DISPLAY_CHARS], digest=key_digest(secret),
                                scopes=sorted(wanted), community_ids=sorted(communities or ()), expires_at=expires_at)
    return key, secret


def api_key_revoke(*, user: User, key_id: UUID) -> ApiKey:
    """Revoke one of `user`'s keys (idempotent); NotFound for another's."""
    key = ApiKey.objects.filter(pk=key_id, user=user).first()
    if key is None:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(secret: str) -> tuple[User, KeyGrant]:
    """The owner and grant of a live key, or Unauthenticated (unknown, revoked, expired, or
    its owner's account closed). One query; the last use is recorded at most once a minute."""
    key = ApiKey.objects.select_related("user").filter(digest=key_digest(secret)).first()
    now = timezone.now()
    if key is None or key.revoked_at is not None or not key.user.is_active:
        raise Unauthenticated("Invalid API key.", code="key_invalid")
    if key.expires_at <= now:
        raise Unauthenticated("This API key has expired.", code="key_expired")
    if key.last_used_at is None or key.last_used_at <= now - LAST_USE_EVERY:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_EVERY)).update(last_used_at=now)
    return key.user, grant_of(key)
