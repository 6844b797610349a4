"""Handing a community to another member."""

from django.db.models import Q
from django.utils import timezone

from communities.locks import community_lock
from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict
from community_service.outbox.services import outbox_record
from members.models import Member, MemberStatus, User
from members.services.effects import rbac_invalidate
from members.services.memberships import user_lock_if_open


@atomic_with_retry
def community_transfer_ownership(*, community: Community, new_owner: User) -> Community:
    """Hand the community to another active member. The old owner stays, with their roles.

    Lock order: the new owner's user row (refused if the account closed: a closing account
    owns nothing), the community row (its owner changes), then both member rows by pk.
    """
    if not user_lock_if_open(new_owner.pk):
        raise Conflict("The new owner must be an active member.", field="user_id", code="not_member")
    community_lock(community.pk)
    members = list(
        Member.objects.select_for_update(no_key=True)
        .filter(community=community)
        .filter(Q(is_owner=True) | Q(user_id=new_owner.pk))
        .order_by("pk")
    )
    old = next((m for m in members if m.is_owner), None)
    new = next((m for m in members if m.user_id == new_owner.pk), None)
    if new is None or new.status != MemberStatus.ACTIVE:
        raise Conflict("The new owner must be an active member.", field="user_id", code="not_member")
    if new.is_owner:
        raise Conflict("This member already owns the community.", code="already_owner")
    assert old is not None, "a community always has its owner's member row"
    # Clear the old flag first: at most one owner per community is a database constraint.
    Member.objects.filter(pk=old.pk).update(is_owner=False)
    Member.objects.filter(pk=new.pk).update(is_owner=True)
    Community.objects.filter(pk=community.pk).update(owner=new_owner, updated_at=timezone.now())
    community.refresh_from_db()
    rbac_invalidate(community.pk, counts_changed=True)
    outbox_record(
        event_type="community.ownership_transferred", aggregate_type="community", aggregate_id=community.pk,
        community_id=community.pk,
        payload={"community_id": community.pk, "owner_id": new_owner.pk, "name": community.name,
                 "previous_owner_id": old.user_id},
    )
    return community
