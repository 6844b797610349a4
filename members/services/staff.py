"""Platform access that only the console grants: active, staff, superuser, console groups."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from members.models import User
from members.services.auth import sessions_end

PLATFORM_FLAGS = ("is_active", "is_staff", "is_superuser")


def user_platform_access_set(
    *, user: User, is_active: bool, is_staff: bool, is_superuser: bool, groups: Iterable[Group] | None = None,
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
    return locked
