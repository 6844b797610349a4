"""DRF permission classes every app uses for community-scoped authorization.

They resolve the community from the view (`view.community`, set from the URL by
CommunityScopedMixin) or from the object (`obj.community_id`, or the Community itself),
and read the caller's access once per request (memoised on the request, cached in Redis).

Use instances directly in `permission_classes`:

    permission_classes = [HasCommunityPermission("post.moderate")]
"""

from typing import Any
from uuid import UUID

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from communities.models import Community
from members import policy
from members.selectors.access import CommunityAccess, is_superadmin, request_community_access

__all__ = ["CanViewCommunity", "HasCommunityPermission", "IsActiveMember", "IsCommunityOwner", "IsNotMuted",
           "HasCommunityPermissionOrOwns", "PermissionEntries",
           "community_of", "is_superadmin"]


def community_of(obj: Any) -> Community | UUID:
    """The community an object belongs to: itself, or its `community` (loaded if needed)."""
    if isinstance(obj, Community):
        return obj
    return obj.community


def _access(request: Request, community: Community | UUID) -> CommunityAccess:
    community_id = community.pk if isinstance(community, Community) else community
    return request_community_access(request, community_id)


# What a view's permission_classes holds once it names a configured check: classes, and
# _CommunityCheck instances that DRF calls like classes. The DRF stubs admit classes only.
PermissionEntries = list[Any]


class _CommunityCheck(BasePermission):
    """The policy's gate, then `check`, against the URL's community, or the object's when the
    URL has none. The gate (members.policy.require_sees_community) comes first: whoever may not
    see a private community gets the 404 a missing one gets, before any 401 or 403."""

    # Instances are placed in permission_classes, and DRF calls each entry to build it.
    def __call__(self) -> "_CommunityCheck":
        return self

    def check(self, request: Request, access: CommunityAccess) -> bool:
        raise NotImplementedError

    def _gated_check(self, request: Request, community: Community | UUID, community_type: str | None = None) -> bool:
        if isinstance(community, Community):
            community_type = community.community_type
        elif community_type is None:
            community_type = Community.objects.values_list("community_type", flat=True).get(pk=community)
        access = _access(request, community)
        policy.require_sees_community(community_type, access)
        return self.check(request, access)

    def has_permission(self, request: Request, view: Any) -> bool:
        # A view whose `community` is an id (from a cached entry) names its type beside it.
        community = getattr(view, "community", None)
        if community is None:
            return True
        return self._gated_check(request, community, getattr(view, "community_type", None))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if getattr(view, "community", None) is not None:
            return True  # already checked against the URL's community
        return self._gated_check(request, community_of(obj))


class HasCommunityPermission(_CommunityCheck):
    """The caller holds `code` in the community (owner: every code; superadmin: bypass)."""

    # DRF answers a refusal with the class's `code`: one stable code for clients, and the
    # message names the missing permission.
    code = "permission_denied"

    def __init__(self, permission: str) -> None:
        self.permission = permission
        self.message = f"You need the {permission} permission in this community."

    def check(self, request: Request, access: CommunityAccess) -> bool:
        return request.user.is_authenticated and policy.holds(access, self.permission)


class CanViewCommunity(_CommunityCheck):
    """Reads: anyone for public/restricted communities, members for private; never the banned.

    A private community is a 404 to outsiders, so its existence does not leak.
    """

    allows_anonymous = True  # for the OpenAPI schema: bearer auth is optional here

    def check(self, request: Request, access: CommunityAccess) -> bool:
        return True  # the gate is the whole rule


class IsActiveMember(_CommunityCheck):
    """The caller is an active, unbanned member (superadmins pass)."""

    message = "You must be a member of this community."
    code = "not_member"

    def check(self, request: Request, access: CommunityAccess) -> bool:
        return request.user.is_authenticated and policy.is_insider(access)


class IsNotMuted(_CommunityCheck):
    """Writes that speak (post, comment, react): refused while the caller is muted."""

    def check(self, request: Request, access: CommunityAccess) -> bool:
        if not request.user.is_authenticated:
            return False
        policy.refuse_muted(access)
        return True


class IsCommunityOwner(_CommunityCheck):
    """Only the owner (or a superadmin): transferring ownership."""

    message = "Only the community owner can do this."

    def check(self, request: Request, access: CommunityAccess) -> bool:
        if not request.user.is_authenticated:
            return False
        policy.require_owner(access)
        return True


class HasCommunityPermissionOrOwns(HasCommunityPermission):
    """`code` in the object's community, or the object is the caller's own (their post, their
    membership): `obj.<user_field>` is the caller's user id. Banned callers get neither."""

    def __init__(self, code: str, *, user_field: str) -> None:
        super().__init__(code)
        self.user_field = user_field

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.user.is_authenticated and getattr(obj, self.user_field) == request.user.pk:
            community = community_of(obj)
            community_type = (community.community_type if isinstance(community, Community) else
                              Community.objects.values_list("community_type", flat=True).get(pk=community))
            policy.require_sees_community(community_type, _access(request, community))
            return True
        return super().has_object_permission(request, view, obj)
