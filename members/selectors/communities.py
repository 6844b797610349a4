"""Which communities a viewer may see: private ones only by their active members."""

from uuid import UUID

from django.db.models import F, QuerySet

from communities.models import Community
from communities.selectors import community_get, community_list
from members import policy
from members.models import Member, MemberStatus


def community_list_visible(*, viewer_id: UUID | None = None, superadmin: bool = False) -> QuerySet[Community]:
    """Live communities the viewer may see."""
    # Known, not seen: a community the viewer is banned from is listed, and its routes say 403 `banned`.
    return community_list().filter(policy.visible_communities_q(viewer_id=viewer_id, superadmin=superadmin,
                                                                known=True))


def community_get_visible(*, id_or_slug: str, viewer_id: UUID | None = None, superadmin: bool = False) -> Community:
    """One live community the viewer may see, by UUID or slug. Raises NotFound otherwise."""
    return community_get(
        id_or_slug=id_or_slug, queryset=community_list_visible(viewer_id=viewer_id, superadmin=superadmin)
    )


def my_memberships(*, user_id: UUID) -> QuerySet[Member]:
    """The user's active memberships in live communities, the community loaded, most recently
    joined first (idx_members_user finds them; a person's memberships are few to sort)."""
    return (
        Member.objects.filter(user_id=user_id, status=MemberStatus.ACTIVE, community__deleted_at__isnull=True)
        .select_related("community")
        .order_by(F("joined_at").desc(nulls_last=True), "-id")
    )
