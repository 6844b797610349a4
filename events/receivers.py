"""Events' reactions to hooks sent by the layers below (connected in EventsConfig.ready)."""

from typing import Any

from events.services.registrations import registrations_drop_for_member
from members.models import Member


def drop_registrations_of_former_member(*, member: Member, **kwargs: Any) -> None:
    """Leaving, kicked, banned: a former member holds no seat and no place on a waitlist."""
    registrations_drop_for_member(member=member)
