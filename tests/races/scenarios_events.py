"""Races on an event's seats: RSVPs and withdrawals against each other, against the event
being cancelled or deleted, and against its capacity changing (see tests/races/scenarios.py
for what every round checks).

Every write to an event's registrations takes the event's row lock first (docs/architecture.md,
"Lock order": member → event → registration), so the writes of a round queue on that lock in
some order; whatever the order, the seats, counters and events must agree with it.
"""

from collections import Counter

from community_service.outbox.models import OutboxEvent
from events.models import LIVE_REGISTRATION, Event, Registration, RegistrationStatus
from tests.events.world import event_make, registration_make
from tests.factories import member_add
from tests.races.harness import Call, assert_outbox, outbox_mark, race, token, url
from tests.races.scenarios import Tally, _tally, stage

GOING, WAITLISTED = RegistrationStatus.GOING, RegistrationStatus.WAITLISTED


def assert_seats(event: Event) -> list[Registration]:
    """The counters equal the rows, seats never overflow, the queue has no gaps; the live rows."""
    event.refresh_from_db()
    rows = list(Registration.objects.filter(event=event).order_by("position"))
    going = [r for r in rows if r.status == GOING]
    waiting = [r for r in rows if r.status == WAITLISTED]
    assert (event.going_count, event.waitlist_count) == (len(going), len(waiting))
    assert event.capacity is None or len(going) <= event.capacity
    assert event.registration_seq == (rows[-1].position if rows else 0)
    # A seat left free while someone waits is a lost promotion.
    if event.capacity is not None and waiting:
        assert len(going) == event.capacity, (len(going), event.capacity, len(waiting))
    # Seats go by arrival: nobody waiting arrived before someone who was promoted.
    promoted = [r.position for r in going if r.promoted_at is not None]
    assert not waiting or all(position < waiting[0].position for position in promoted)
    return [r for r in rows if r.status in LIVE_REGISTRATION]


def _promoted_since(event: Event, before: set) -> int:
    return Registration.objects.filter(event=event, status=GOING, promoted_at__isnull=False).exclude(
        pk__in=before).count()


def rsvp_while_cancel_event(rounds: int) -> Tally:
    """Two members RSVP to a full event and a seat holder withdraws while the organiser cancels it."""
    s = stage({})
    community, organizer = s.community, s.tokens["owner"]
    tally: Tally = Counter()
    for _ in range(rounds):
        event = event_make(community, capacity=2)
        holder, leaver, first, second = (member_add(community) for _ in range(4))
        registration_make(event, holder)
        registration_make(event, leaver)
        mark = outbox_mark()
        registration = url("event-registration", event_id=event.pk)
        out = race([
            Call("rsvp1", token(first), "post", registration),
            Call("rsvp2", token(second), "post", registration),
            Call("withdraw", token(leaver), "delete", registration),
            Call("cancel", organizer, "post", url("event-cancel", event_id=event.pk), {"reason": "Rain"}),
        ])
        assert out["cancel"].status == 200, _tally(out)
        assert {out["rsvp1"].status, out["rsvp2"].status} <= {201, 409}, _tally(out)
        assert out["withdraw"].status in (204, 409), _tally(out)
        withdrew = out["withdraw"].status == 204
        live = assert_seats(event)
        promoted = _promoted_since(event, set())
        assert promoted <= int(withdrew)
        assert_outbox(mark, out, {
            "rsvp1": ["event.rsvp_created"] if out["rsvp1"].status == 201 else [],
            "rsvp2": ["event.rsvp_created"] if out["rsvp2"].status == 201 else [],
            "withdraw": ["event.rsvp_cancelled"] + ["event.rsvp_promoted"] * promoted if withdrew else [],
            "cancel": ["event.cancelled"],
        })
        # The cancellation names exactly who was registered when it took the lock: after it
        # nothing changes (RSVPs and withdrawals answer 409), so those are the live rows now.
        told = OutboxEvent.objects.get(event_type="event.cancelled", aggregate_id=str(event.pk)).payload
        assert sorted(told["registrant_user_ids"]) == sorted(str(r.user_id) for r in live)
        event.refresh_from_db()
        assert event.status == "cancelled"
        tally[_tally(out)] += 1
    return tally


def last_seats_while_capacity_raised(rounds: int) -> Tally:
    """Six members RSVP for three seats while the organiser adds a fourth: four going, two waiting."""
    s = stage({})
    community, organizer = s.community, s.tokens["owner"]
    tally: Tally = Counter()
    for _ in range(rounds):
        event = event_make(community, capacity=3)
        racers = [member_add(community) for _ in range(6)]
        mark = outbox_mark()
        registration = url("event-registration", event_id=event.pk)
        out = race([
            *(Call(f"rsvp{n}", token(user), "post", registration) for n, user in enumerate(racers)),
            Call("raise", organizer, "patch", url("event-detail", event_id=event.pk), {"capacity": 4}),
        ])
        assert out["raise"].status == 200, _tally(out)
        assert all(out[f"rsvp{n}"].status == 201 for n in range(6)), _tally(out)
        live = assert_seats(event)
        assert event.capacity == 4 and (event.going_count, event.waitlist_count) == (4, 2)
        # The first four arrivals hold the seats, whenever the fourth seat appeared.
        assert [r.status for r in live] == [GOING] * 4 + [WAITLISTED] * 2
        promoted = _promoted_since(event, set())
        assert promoted <= 1
        assert_outbox(mark, out, {
            **{f"rsvp{n}": ["event.rsvp_created"] for n in range(6)},
            "raise": ["event.updated"] + ["event.rsvp_promoted"] * promoted,
        })
        tally[(("promoted", promoted),)] += 1
    return tally


def rsvp_while_delete_event(rounds: int) -> Tally:
    """A member RSVPs to a one-seat event and its holder withdraws while the organiser deletes it."""
    s = stage({})
    community, organizer = s.community, s.tokens["owner"]
    tally: Tally = Counter()
    for _ in range(rounds):
        event = event_make(community, capacity=1)
        holder, newcomer = member_add(community), member_add(community)
        registration_make(event, holder)
        mark = outbox_mark()
        registration = url("event-registration", event_id=event.pk)
        out = race([
            Call("rsvp", token(newcomer), "post", registration),
            Call("withdraw", token(holder), "delete", registration),
            Call("delete", organizer, "delete", url("event-detail", event_id=event.pk)),
        ])
        # Deleted first, the event is gone for the others (404).
        assert out["delete"].status == 204, _tally(out)
        assert out["rsvp"].status in (201, 404) and out["withdraw"].status in (204, 404), _tally(out)
        withdrew = out["withdraw"].status == 204
        live = assert_seats(event)
        promoted = _promoted_since(event, set())
        assert_outbox(mark, out, {
            "rsvp": ["event.rsvp_created"] if out["rsvp"].status == 201 else [],
            "withdraw": ["event.rsvp_cancelled"] + ["event.rsvp_promoted"] * promoted if withdrew else [],
            # Registrants left when it was deleted are told it is cancelled first.
            "delete": (["event.cancelled"] if live else []) + ["event.deleted"],
        })
        event.refresh_from_db()
        assert event.deleted_at is not None
        tally[_tally(out)] += 1
    return tally


SCENARIOS = [rsvp_while_cancel_event, last_seats_while_capacity_raised, rsvp_while_delete_event]
