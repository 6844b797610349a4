"""Demo events for `manage.py seed_demo` (idempotent): a meetup to RSVP to, full with a waitlist, and at
`--scale large` 20,000 events with about 400,000 RSVPs for the analytics benchmark."""

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from community_service.devtools.demo_progress import run_steps
from events.models import Event
from events.services.events import event_create
from events.services.registrations import registration_create
from members.selectors.access import community_access

DEMO_EVENT = "Monthly Python meetup"
DEMO_CAPACITY = 3
# In this order: the first DEMO_CAPACITY are going, the rest wait.
DEMO_RSVPS = ["bob", "carol", "dave", "erin", "frank"]


def seed(context: dict[str, Any]) -> None:
    community = context.get("communities", {}).get("python-developers-demo")
    users = context.get("users", {})
    if community is not None and not Event.objects.filter(community=community, title=DEMO_EVENT).exists():
        starts_at = (timezone.now() + timedelta(days=14)).replace(hour=18, minute=0, second=0, microsecond=0)
        event = event_create(
            community=community, organizer=community.owner,
            access=community_access(community_id=community.pk, user=community.owner),
            data={"title": DEMO_EVENT, "description": "Lightning talks, then pizza.", "starts_at": starts_at,
                  "ends_at": starts_at + timedelta(hours=3), "location": "Community hall",
                  "capacity": DEMO_CAPACITY})
        for username in DEMO_RSVPS:
            if username in users:
                registration_create(event=event, user=users[username])
    if community is not None:
        context["notes"].append(f"An event to RSVP to in python-developers-demo: {DEMO_EVENT} "
                                f"({DEMO_CAPACITY} seats, taken; later RSVPs join the waitlist).")
    if context["scale"] == "large":
        seed_large(context)


LARGE_EVENTS = 20_000

# Events: 40% in scale-1, over the past year and the next month; one in 25 cancelled, one in
# four without a capacity. The numbered active members let each event take k distinct RSVPs.
_EVENTS = """
INSERT INTO events_event (id, title, description, starts_at, ends_at, timezone, location, online_url, capacity,
                          registration_deadline, is_members_only, status, cancel_reason, cancelled_at,
                          going_count, waitlist_count, registration_seq, sequence, created_at, updated_at,
                          deleted_at, community_id, organizer_id)
SELECT gen_random_uuid(), 'Scale meetup ' || n, 'scale event', s.starts_at, s.starts_at + interval '3 hours', 'UTC',
       'Community hall', '', CASE WHEN n %% 4 = 0 THEN NULL ELSE 10 + n %% 60 END, NULL, false,
       CASE WHEN n %% 25 = 0 THEN 'cancelled'
            WHEN s.starts_at + interval '3 hours' < now() THEN 'completed'
            WHEN s.starts_at < now() THEN 'ongoing' ELSE 'scheduled' END,
       '', CASE WHEN n %% 25 = 0 THEN s.starts_at - interval '1 day' END,
       0, 0, 0, 0, s.starts_at - interval '30 days', now(), NULL, c.id, c.owner_id
  FROM generate_series(1, %(events)s) AS n
  CROSS JOIN LATERAL (SELECT date_trunc('hour', now()) + ((n %% 395) - 365) * interval '1 day'
                             + interval '18 hours' AS starts_at) AS s
  JOIN communities_community c ON c.slug = 'scale-' || CASE WHEN n %% 5 < 2 THEN 1 ELSE 2 + n %% 999 END
"""

_RSVPS = """
CREATE TEMP TABLE scale_numbered ON COMMIT DROP AS
SELECT id, user_id, community_id,
       row_number() OVER (PARTITION BY community_id ORDER BY id) AS rn,
       count(*) OVER (PARTITION BY community_id) AS members
  FROM members_member WHERE status = 'active';
CREATE INDEX ON scale_numbered (community_id, rn);
CREATE TEMP TABLE scale_events ON COMMIT DROP AS
SELECT e.id, e.community_id, e.capacity, row_number() OVER (ORDER BY e.id) AS seq
  FROM events_event e WHERE e.description = 'scale event';
INSERT INTO events_registration (id, status, position, registered_at, promoted_at, cancelled_at, created_at,
                                 updated_at, event_id, member_id, user_id)
SELECT gen_random_uuid(),
       CASE WHEN e.capacity IS NULL OR g <= e.capacity THEN 'going' ELSE 'waitlisted' END,
       g, now(), NULL, NULL, now(), now(), e.id, m.id, m.user_id
  FROM scale_events e
  JOIN scale_numbered size ON size.community_id = e.community_id AND size.rn = 1
  CROSS JOIN LATERAL generate_series(1, LEAST(5 + (e.seq * 7) %% 36, size.members)) AS g
  JOIN scale_numbered m ON m.community_id = e.community_id AND m.rn = 1 + ((e.seq * 131 + g) %% size.members)
"""

_COUNTERS = """
UPDATE events_event e
   SET going_count = r.going, waitlist_count = r.waitlisted, registration_seq = r.total
  FROM (SELECT event_id, count(*) FILTER (WHERE status = 'going') AS going,
               count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted, count(*) AS total
          FROM events_registration GROUP BY event_id) AS r
 WHERE e.id = r.event_id AND e.description = 'scale event'
"""


def seed_large(context: dict[str, Any]) -> None:
    """The events of the benchmark data set, made inside PostgreSQL (idempotent)."""
    if Event.objects.filter(description="scale event").exists():
        return

    def sql(statement: str) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(statement, {"events": LARGE_EVENTS})
        return run

    run_steps([("events", sql(_EVENTS)), ("rsvps", sql(_RSVPS)), ("counters", sql(_COUNTERS))],
              show=context["progress"], desc="events (large)")
    context["notes"].append(f"  {LARGE_EVENTS:,} events with RSVPs (40% in scale-1).")
