"""DRF permission classes shared by every app."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


def is_superadmin(request: Request) -> bool:
    """The seed's rule: a token with is_superadmin bypasses every community check."""
    token = request.auth
    if token is not None and hasattr(token, "get"):
        return bool(token.get("is_superadmin", False))
    return bool(getattr(request.user, "is_superuser", False))


class IsCommunityOwner(BasePermission):
    """Writes to a community are for its owner (or a superadmin)."""

    message = "Only the community owner can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return is_superadmin(request) or obj.owner_id == request.user.pk
