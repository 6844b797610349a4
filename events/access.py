"""Who may see, manage and attend which events.

Reads follow the community's rules (as for posts): private communities are for active
members, banned users see nothing; a members-only event is for active members even in a
public community. Deleted events do not exist for anyone.

Writes: `event.create` holders (active, unmuted members) schedule events; the organiser
manages their own while an active member; `event.manage` holders manage anyone's. The
online link is shown only to people going, the organiser and managers.
"""

from uuid import UUID

from django.db.models import Q

from community_service.exceptions import NotFound, PermissionDenied
from events.models import Event, RegistrationStatus
from members import policy
from members.selectors.access import CommunityAccess


def event_readable(event: Event, *, access: CommunityAccess) -> bool:
    """Visibility of one event (its community is loaded)."""
    if event.deleted_at is not None or event.community.deleted_at is not None:
        return False
    if not policy.sees_community(event.community.community_type, access):
        return False
    return policy.sees_members_only(event.is_members_only, access)


def event_readable_filter(*, access: CommunityAccess) -> Q:
    """The same rule as event_readable, for a queryset of one visible community's events."""
    return Q(deleted_at__isnull=True) & policy.insiders_only_q(access)


def require_readable_event(event: Event | None, *, access: CommunityAccess | None) -> Event:
    """The event, or NotFound (an invisible event does not exist for this caller); 403 if banned."""
    if event is not None and access is not None:
        policy.refuse_banned(access)
    if event is None or access is None or not event_readable(event, access=access):
        raise NotFound("Event not found.")
    return event


def event_shareable(event: Event) -> bool:
    """May an anonymous answer showing this event be kept by a shared HTTP cache? The policy's
    rule on its facts: in a community anyone sees, not members-only (its community is loaded)."""
    return policy.anonymous_shares(event.community.community_type, members_only=event.is_members_only)


def can_manage_event(event: Event, *, user_id: UUID | None, access: CommunityAccess) -> bool:
    """The organiser (while an active, unbanned member) or a holder of event.manage."""
    if policy.holds(access, "event.manage"):
        return True
    return user_id is not None and event.organizer_id == user_id and policy.is_insider(access)


def require_can_manage_event(event: Event, *, user_id: UUID | None, access: CommunityAccess) -> None:
    policy.refuse_banned(access)
    if not can_manage_event(event, user_id=user_id, access=access):
        raise PermissionDenied("Only the organiser or a holder of event.manage can change this event.")


def sees_online_url(event: Event, *, user_id: UUID | None, access: CommunityAccess, my_status: str | None) -> bool:
    """The online link is for people going (and for whoever runs the event)."""
    return my_status == RegistrationStatus.GOING or can_manage_event(event, user_id=user_id, access=access)


def require_can_see_participants(access: CommunityAccess) -> None:
    """Who attends is for the community's active members (and superadmins), not the public."""
    policy.require_member(access, "see who is attending")


def require_can_create_event(access: CommunityAccess) -> None:
    """Scheduling needs an active, unbanned, unmuted membership and event.create (superadmins
    pass). Raises PermissionDenied with code banned | not_member | muted | permission_denied."""
    policy.require_can_speak(access)
    policy.require_permission(access, "event.create")
