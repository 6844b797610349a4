"""The base for every view nested under /communities/{community_pk}/."""

from functools import cached_property
from uuid import UUID

from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from communities.models import Community
from communities.selectors import community_get, looks_like_uuid
from community_service.api.throttling import ThrottleFirstMixin
from community_service.api.viewsets import ActionPermissionsMixin
from members.permissions import CanViewCommunity
from members.selectors.access import access_prefetch_keys


class CommunityScopedViewSet(ThrottleFirstMixin, ActionPermissionsMixin, viewsets.GenericViewSet):
    """`self.community` is the URL's live community (by id or slug) or a 404.

    Visibility and permissions are then checked by the members.permissions classes, which
    read `view.community`; querysets must filter by it so other communities' ids 404. The
    throttle decides first, and its Redis round trip brings what those checks read of a
    signed-in caller (their access entry and the RBAC version it must match).
    """

    # Every route under a community asks the policy's gate first (members.policy): whoever may
    # not see a private community gets the 404 a missing one gets, before any 401 or 403.
    # An action listed here answers its own way (GET .../members/me tells the banned so).
    gate_exempt_actions: frozenset[str] = frozenset()

    def get_permissions(self) -> list[BasePermission]:
        permissions = super().get_permissions()
        if getattr(self, "action", None) in self.gate_exempt_actions:
            return permissions
        return [CanViewCommunity(), *permissions]

    def cache_prefetch_keys(self, request: Request) -> list[str]:
        community_pk = self.kwargs.get("community_pk", "")
        if not looks_like_uuid(community_pk):
            return []
        return access_prefetch_keys(UUID(community_pk), request.user)

    @cached_property
    def community(self) -> Community:
        return community_get(id_or_slug=self.kwargs["community_pk"], with_owner=False)
