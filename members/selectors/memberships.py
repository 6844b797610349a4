"""Reads for a community's members."""

from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from communities.models import Community
from community_service.exceptions import NotFound
from members.models import Member, Role


def member_list(*, community: Community) -> QuerySet[Member]:
    return (
        Member.objects.filter(community=community)
        .select_related("user")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("-priority", "name")))
        .order_by("-is_owner", "joined_at", "id")
    )


def member_search(queryset: QuerySet[Member], *, text: str) -> QuerySet[Member]:
    return queryset.filter(Q(nickname__icontains=text) | Q(user__username__icontains=text))


def member_get(*, community: Community, user_id: UUID) -> Member:
    """A member row of the community by user id (any status). Raises NotFound."""
    member = member_list(community=community).filter(user_id=user_id).first()
    if member is None:
        raise NotFound("Member not found.")
    return member
