"""Reads for a community's members."""

from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from communities.models import Community
from community_service.exceptions import NotFound, UnknownReference
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


def member_get(*, community: Community, user_id: UUID, statuses: tuple[str, ...] | None = None,
               field: str | None = None) -> Member:
    """A member row of the community by user id, in one of `statuses` (default: any).

    Raises NotFound, or UnknownReference on `field` when the id came in the request body
    (a 404 is for the path)."""
    members = member_list(community=community).filter(user_id=user_id)
    member = (members.filter(status__in=statuses) if statuses else members).first()
    if member is None:
        if field:
            raise UnknownReference("Member not found.", field=field)
        raise NotFound("Member not found.")
    return member
