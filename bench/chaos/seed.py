"""Seed the drill's database (run in a subprocess with the stack's environment); print JSON.

Three communities (A has the event with 50 seats and a subscription level), a fourth that
the load joins and leaves, `clients` load users who are members of A, B and C, and 72 more
members of A who take the seats, the waitlist and the subscriptions, each owned by one
client so one user's requests never overlap.
"""

import json
import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community_service.settings")
django.setup()

from members.tokens import token_pair_for  # noqa: E402  (after django.setup)
from tests.factories.billing import SubscriptionLevelFactory  # noqa: E402
from tests.factories.communities import CommunityFactory  # noqa: E402
from tests.factories.events import EventFactory  # noqa: E402
from tests.factories.members import UserFactory, member_add  # noqa: E402

CAPACITY = 50
PATRONS = 72


def main(clients: int) -> dict:
    a, b, c, roaming = (CommunityFactory(name=f"Chaos {name}", slug=f"chaos-{name}") for name in "abcd")
    event = EventFactory(community=a, capacity=CAPACITY, starts_in=timedelta(days=7))
    level = SubscriptionLevelFactory(community=a, name="Patron")
    users = []
    for n in range(clients):
        user = UserFactory(username=f"chaos-client-{n}")
        for community in (a, b, c):
            member_add(community, user=user)
        users.append(user)
    patrons = [member_add(a, user=UserFactory(username=f"chaos-patron-{n}")) for n in range(PATRONS)]
    return {
        "communities": [str(x.pk) for x in (a, b, c)], "roaming": str(roaming.pk), "event": str(event.pk),
        "capacity": CAPACITY, "level": str(level.pk),
        "clients": [{"id": str(u.pk), "token": token_pair_for(u)["access"]} for u in users],
        "patrons": [{"id": str(u.pk), "token": token_pair_for(u)["access"]} for u in patrons],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
