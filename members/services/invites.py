"""Invite links: create, revoke, and join through one."""

import secrets
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from communities.locks import community_lock
from communities.models import Community, Invite
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound
from members.models import Member, User
from members.services.memberships import joiner_lock, member_join


def invite_create(
    *, community: Community, created_by: User, expires_in: timedelta | None = None, max_uses: int | None = None
) -> Invite:
    return Invite.objects.create(
        community=community,
        created_by=created_by,
        code=secrets.token_urlsafe(16)[:22],
        expires_at=timezone.now() + expires_in if expires_in else None,
        max_uses=max_uses,
    )


def invite_revoke(*, invite: Invite) -> Invite:
    Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    invite.refresh_from_db()
    return invite


@atomic_with_retry
def invite_accept(*, code: str, user: User) -> Member:
    """Join through an invite: skips approval, counts one use. Raises NotFound/Conflict if unusable.

    Lock order: the user row and the community row (member_join's), then the invite, then the member.
    """
    joiner_lock(user)
    community_id = Invite.objects.filter(code=code).values_list("community_id", flat=True).first()
    if community_id is None or not community_lock(community_id):
        raise NotFound("Invite not found.")
    invite = (Invite.objects.select_for_update(no_key=True, of=("self",)).filter(code=code)
              .select_related("community").first())
    if invite is None or invite.community.deleted_at is not None:
        raise NotFound("Invite not found.")
    if invite.revoked_at is not None:
        raise Conflict("This invite was revoked.", code="invite_revoked")
    if invite.expires_at is not None and invite.expires_at <= timezone.now():
        raise Conflict("This invite has expired.", code="invite_expired")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise Conflict("This invite has been used up.", code="invite_used_up")
    member = member_join(community=invite.community, user=user, via_invite=True)
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return member
