"""Shared viewset behaviour."""

from collections.abc import Sequence
from typing import Any

from rest_framework.permissions import BasePermission


class ActionPermissionsMixin:
    """Permissions per action: `action_permissions = {"list": [...], "create": [...]}`.

    An action without an entry falls back to `permission_classes`. Entries may be
    classes or configured instances (`HasCommunityPermission("role.manage")`).
    """

    action_permissions: dict[str, list[Any]] = {}
    permission_classes: Sequence[Any]  # the view's (classes or configured instances)

    def get_permissions(self) -> list[BasePermission]:
        action = getattr(self, "action", None)
        entries = self.action_permissions.get(action, self.permission_classes) if action else self.permission_classes
        return [entry() for entry in entries]
