"""The base for every view nested under /communities/{community_pk}/."""

from functools import cached_property

from rest_framework import viewsets

from communities.models import Community
from communities.selectors import community_get
from community_service.api.viewsets import ActionPermissionsMixin


class CommunityScopedViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """`self.community` is the URL's live community (by id or slug) or a 404.

    Visibility and permissions are then checked by the members.permissions classes, which
    read `view.community`; querysets must filter by it so other communities' ids 404.
    """

    @cached_property
    def community(self) -> Community:
        return community_get(id_or_slug=self.kwargs["community_pk"], with_owner=False)
