"""Closing an account (POST /auth/close-account), as Discord and Discourse let a user delete theirs.

The owner proves it with the current password and must first hand over (or delete) the
communities they own. In one transaction the account is deactivated and anonymised: its
email and username become placeholders (the address is free to register again), the
password unusable, every session ended, and `user.closed` tells integrators to forget
them. What they wrote stays, under the placeholder name; donations stay (they are the
communities' records). After commit a task leaves every
community they are in (member.left events, counters, event registrations dropped by the
membership_ended hook) and sends `account_closed`, on which billing stops renewals.
"""

from uuid import UUID

from django.db import transaction

from communities.models import Community
from community_service.exceptions import Conflict
from community_service.outbox.catalogue import Aggregate, EventType
from community_service.outbox.services import outbox_record
from members.models import Member, MemberStatus, User
from members.services.auth import current_password_confirmed, sessions_end
from members.services.memberships import member_leave
from members.signals import account_closed, user_renamed
from members.task_queue import task_enqueue


def account_close(*, user: User, current_password: str) -> None:
    """Close `user`'s account. A wrong password is a ValidationFailed `password_incorrect`;
    an owner of live communities gets a Conflict `owns_communities`."""
    with transaction.atomic():
        locked = current_password_confirmed(user, current_password)
        owned = Community.objects.filter(owner=locked, deleted_at__isnull=True).count()
        if owned:
            raise Conflict(f"You own {owned} communit{'y' if owned == 1 else 'ies'}: transfer ownership or delete "
                           f"{'it' if owned == 1 else 'them'} before closing your account.", code="owns_communities")
        placeholder = locked.pk.hex
        locked.is_active = False
        locked.email, locked.username = f"closed-{placeholder}@closed.invalid", f"closed-{placeholder[:12]}"
        locked.first_name = locked.last_name = ""
        locked.set_unusable_password()
        sessions_end(locked, "is_active", "email", "username", "first_name", "last_name", "password")
        user_renamed.send(sender=User, user=locked)  # caches that show their name
        outbox_record(event_type=EventType.USER_CLOSED, aggregate_type=Aggregate.USER, aggregate_id=locked.pk,
                      community_id=None, payload={"user_id": str(locked.pk)}, actor_id=locked.pk)
        user_id = str(locked.pk)
        transaction.on_commit(lambda: task_enqueue("account_close_finish", user_id))


def account_close_finish(*, user_id: UUID | str) -> int:
    """Leave every community a closed account is still in (each as the member leaving would,
    in its own transaction), then send `account_closed`. Returns how many it left; running it
    again does no harm."""
    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None:
        return 0
    left = 0
    memberships = Member.objects.filter(user=user, status__in=[MemberStatus.ACTIVE, MemberStatus.PENDING])
    for member in memberships.select_related("community").order_by("pk"):
        try:
            member_leave(member=member)
            left += 1
        except Conflict:  # left or was removed meanwhile
            continue
    account_closed.send(sender=User, user=user)
    return left
