"""Shared viewset behaviour."""

from typing import Any

from rest_framework.permissions import BasePermission


class ActionPermissionsMixin:
    """Permissions per action: `action_permissions = {"list": [...], "create": [...]}`.

    An action without an entry falls back to `permission_classes`. Entries may be
    classes or configured instances (`HasCommunityPermission("role.manage")`).
    """

    action_permissions: dict[str, list[Any]] = {}

    def get_permissions(self) -> list[BasePermission]:
        entries = self.action_permissions.get(getattr(self, "action", None), self.permission_classes)
        return [entry() for entry in entries]
