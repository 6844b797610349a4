"""Platform access that only the console grants: active, staff, superuser, console groups, and
the right to create communities under COMMUNITY_CREATE_POLICY=granted."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from communities.models import CREATE_COMMUNITIES
from members.models import User
from members.services.auth import sessions_end

PLATFORM_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_platform_access_set(
    *, user: User, is_active: bool, is_staff: bool, is_superuser: bool, groups: Iterable[Group] | None = None,
    may_create_communities: bool | None = None,
) -> User:
    """Set a user's platform flags and console groups (`groups` None leaves them). An account
    deactivated or no longer a superuser has every session ended: its tokens carry
    `is_superadmin`, which would otherwise outlive the demotion. Writes only what changed, so a
    sign-out committed meanwhile is not undone."""
    wanted = {"is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        changed = [flag for flag in PLATFORM_FLAGS if getattr(locked, flag) != wanted[flag]]
        demoted = (locked.is_active and not is_active) or (locked.is_superuser and not is_superuser)
        for flag in changed:
            setattr(locked, flag, wanted[flag])
        if demoted:
            sessions_end(locked, *changed)
        elif changed:
            locked.save(update_fields=changed)
        if groups is not None:
            locked.groups.set(groups)
        if may_create_communities is not None:
            grant = Permission.objects.get(codename=CREATE_COMMUNITIES, content_type__app_label="communities")
            (locked.user_permissions.add if may_create_communities else locked.user_permissions.remove)(grant)
    return locked


def user_may_create_communities_directly(user: User) -> bool:
    """The grant given to the account itself (a group may grant it too)."""
    return user.user_permissions.filter(codename=CREATE_COMMUNITIES, content_type__app_label="communities").exists()
