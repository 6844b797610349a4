"""Reactions to hooks of the apps below events (members never imports events)."""

from django.dispatch import receiver

from events.services.registrations import registrations_drop_for_member
from members.models import Member
from members.signals import membership_ended


@receiver(membership_ended, dispatch_uid="events.drop_registrations")
def _drop_registrations(sender: type[Member], *, member: Member, **kwargs: object) -> None:
    # Leaving, kicked, banned: a former member holds no seat and no waitlist place.
    registrations_drop_for_member(member=member)
