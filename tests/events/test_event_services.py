"""The event and registration services' rules, called directly: scheduling, editing,
cancelling, RSVP with a capacity and a first-come waitlist. (tests/events/test_events_api.py
and test_registrations_api.py cover the same through HTTP.)"""

# Why this is long: one test per rule of the event and registration services (schedule, edit, cancel,
# RSVP with capacity and waitlist) on one shared world; the HTTP files cover the same through the API.

from datetime import timedelta

import pytest
from django.utils import timezone

from community_service.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from community_service.outbox.models import OutboxEvent
from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.services.events import event_cancel, event_create, event_delete, event_update
from events.services.registrations import registration_cancel, registration_create
from members.models import User
from members.selectors.access import CommunityAccess, community_access
from tests.factories import CommunityFactory, EventFactory, MemberFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

GOING, WAITLISTED, CANCELLED = RegistrationStatus.GOING, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


def _access(event_or_community: object, user: User) -> CommunityAccess:
    community_id = getattr(event_or_community, "community_id", None) or event_or_community.pk
    return community_access(community_id=community_id, user=user)


def _times(starts_in: timedelta = timedelta(days=2), hours: int = 2) -> dict:
    starts_at = timezone.now() + starts_in
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours)}


def _events(event: Event) -> list[str]:
    return list(OutboxEvent.objects.filter(aggregate_id=str(event.pk)).order_by("id")
                .values_list("event_type", flat=True))


def _statuses(event: Event) -> dict[str, str]:
    return {r.user.username: r.status for r in Registration.objects.filter(event=event).select_related("user")}


# event_create


def test_a_member_schedules_an_event_they_organise():
    community = CommunityFactory()
    member = MemberFactory(community=community).user

    event = event_create(community=community, organizer=member, access=_access(community, member),
                         data={"title": "Meetup", "location": "Hall", "capacity": 10, **_times()})

    assert (event.organizer, event.status, event.capacity) == (member, EventStatus.SCHEDULED, 10)
    assert _events(event) == ["event.created"]


def test_a_muted_member_cannot_schedule_an_event():
    community = CommunityFactory()
    muted = MemberFactory(community=community, muted=True).user

    with pytest.raises(PermissionDenied) as refusal:
        event_create(community=community, organizer=muted, access=_access(community, muted),
                     data={"title": "Meetup", "location": "Hall", **_times()})

    assert refusal.value.code == "muted"
    assert not Event.objects.filter(community=community).exists()


@pytest.mark.parametrize(("data", "field", "code"), [
    ({**_times(starts_in=timedelta(hours=-1)), "location": "Hall"}, "starts_at", "in_past"),
    ({**_times(hours=24 * 32), "location": "Hall"}, "ends_at", "too_long"),
    (_times(), "location", "required"),
])
def test_an_event_that_breaks_a_rule_is_refused_naming_the_field(data, field, code):
    community = CommunityFactory()

    with pytest.raises(ValidationFailed) as refusal:
        event_create(community=community, organizer=community.owner, access=_access(community, community.owner),
                     data={"title": "Meetup", **data})

    assert (refusal.value.field, refusal.value.code) == (field, code)


def test_a_deadline_after_the_start_is_refused():
    community = CommunityFactory()
    times = _times()

    with pytest.raises(ValidationFailed) as refusal:
        event_create(community=community, organizer=community.owner, access=_access(community, community.owner),
                     data={"title": "Meetup", "location": "Hall", **times,
                           "registration_deadline": times["starts_at"] + timedelta(minutes=1)})

    assert (refusal.value.field, refusal.value.code) == ("registration_deadline", "after_start")


# event_update


def test_the_organiser_moves_an_event_and_calendars_see_a_new_sequence():
    event = EventFactory()
    later = _times(starts_in=timedelta(days=3))

    updated = event_update(event=event, actor=event.organizer, access=_access(event, event.organizer), data=later)

    assert (updated.starts_at, updated.sequence) == (later["starts_at"], event.sequence + 1)
    assert _events(event) == ["event.updated"]


def test_another_member_cannot_edit_the_event():
    event = EventFactory()
    member = MemberFactory(community=event.community).user

    with pytest.raises(PermissionDenied):
        event_update(event=event, actor=member, access=_access(event, member), data={"title": "Mine now"})

    event.refresh_from_db()
    assert event.title == "Meetup"


def test_capacity_cannot_drop_below_the_members_going():
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)

    with pytest.raises(ValidationFailed) as refusal:
        event_update(event=event, actor=event.organizer, access=_access(event, event.organizer), data={"capacity": 1})

    assert (refusal.value.field, refusal.value.code) == ("capacity", "below_going")


def test_raising_the_capacity_promotes_the_waitlist_in_arrival_order():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, waitlisted=True)
    second = RegistrationFactory(event=event, waitlisted=True)
    third = RegistrationFactory(event=event, waitlisted=True)

    updated = event_update(event=event, actor=event.organizer, access=_access(event, event.organizer),
                           data={"capacity": 3})

    assert (updated.going_count, updated.waitlist_count) == (3, 1)
    statuses = _statuses(event)
    assert [statuses[r.user.username] for r in (first, second, third)] == [GOING, GOING, WAITLISTED]


def test_a_cancelled_event_changes_only_its_description():
    event = EventFactory(cancelled=True)
    access = _access(event, event.organizer)

    with pytest.raises(ValidationFailed) as refusal:
        event_update(event=event, actor=event.organizer, access=access, data={"title": "Back on"})
    updated = event_update(event=event, actor=event.organizer, access=access, data={"description": "Sorry, all."})

    assert (refusal.value.field, refusal.value.code) == ("title", "event_closed")
    assert updated.description == "Sorry, all."


# event_cancel and event_delete


def test_cancelling_names_every_registrant_and_keeps_their_registrations():
    event = EventFactory(capacity=1)
    going = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, waitlisted=True)

    cancelled = event_cancel(event=event, actor=event.organizer, access=_access(event, event.organizer),
                             reason="Storm warning")

    assert (cancelled.status, cancelled.cancel_reason) == (EventStatus.CANCELLED, "Storm warning")
    message = OutboxEvent.objects.get(event_type="event.cancelled", aggregate_id=str(event.pk))
    assert message.payload["registrant_user_ids"] == [str(going.user_id), str(waiting.user_id)]
    assert _statuses(event) == {going.user.username: GOING, waiting.user.username: WAITLISTED}


def test_an_event_cannot_be_cancelled_twice():
    event = EventFactory(cancelled=True)

    with pytest.raises(Conflict) as refusal:
        event_cancel(event=event, actor=event.organizer, access=_access(event, event.organizer), reason="Again")

    assert refusal.value.code == "already_cancelled"


def test_a_completed_event_cannot_be_cancelled():
    event = EventFactory(completed=True)

    with pytest.raises(Conflict) as refusal:
        event_cancel(event=event, actor=event.organizer, access=_access(event, event.organizer), reason="Late")

    assert refusal.value.code == "event_closed"


def test_deleting_an_event_with_registrants_cancels_it_first():
    event = EventFactory()
    RegistrationFactory(event=event)

    event_delete(event=event, actor=event.organizer, access=_access(event, event.organizer))

    event.refresh_from_db()
    assert (event.status, event.deleted_at is not None) == (EventStatus.CANCELLED, True)
    assert _events(event) == ["event.cancelled", "event.deleted"]


# registration_create


def test_registering_takes_a_seat_while_seats_remain():
    event = EventFactory(capacity=2)
    user = MemberFactory(community=event.community).user

    result = registration_create(event=event, user=user)

    event.refresh_from_db()
    assert (result.created, result.registration.status, event.going_count) == (True, GOING, 1)


def test_registering_past_capacity_joins_the_back_of_the_waitlist():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, waitlisted=True)
    user = MemberFactory(community=event.community).user

    result = registration_create(event=event, user=user)

    event.refresh_from_db()
    assert result.registration.status == WAITLISTED
    assert (event.going_count, event.waitlist_count, result.registration.position) == (1, 2, 3)


def test_registering_again_while_going_changes_nothing():
    registration = RegistrationFactory()

    result = registration_create(event=registration.event, user=registration.user)

    registration.event.refresh_from_db()
    assert (result.created, result.registration.pk, registration.event.going_count) == (False, registration.pk, 1)


@pytest.mark.parametrize(("trait", "code"), [("banned", "banned"), ("pending", "not_member")])
def test_only_an_active_member_may_register(trait, code):
    event = EventFactory()
    user = MemberFactory(community=event.community, **{trait: True}).user

    with pytest.raises(PermissionDenied) as refusal:
        registration_create(event=event, user=user)

    assert refusal.value.code == code
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("fields", [{"cancelled": True}, {"ongoing": True},
                                    {"registration_deadline": timezone.now() - timedelta(minutes=1)}],
                         ids=["cancelled", "started", "past-deadline"])
def test_a_closed_event_takes_no_registrations(fields):
    event = EventFactory(**fields)
    user = MemberFactory(community=event.community).user

    with pytest.raises(Conflict) as refusal:
        registration_create(event=event, user=user)

    assert refusal.value.code == "registration_closed"


def test_a_deleted_event_takes_no_registrations():
    event = EventFactory(deleted_at=timezone.now())
    user = MemberFactory(community=event.community).user

    with pytest.raises(NotFound):
        registration_create(event=event, user=user)


# registration_cancel


def test_withdrawing_a_seat_promotes_the_head_of_the_waitlist():
    event = EventFactory(capacity=1)
    going = RegistrationFactory(event=event)
    head = RegistrationFactory(event=event, waitlisted=True)
    RegistrationFactory(event=event, waitlisted=True)

    registration_cancel(event=event, user=going.user)

    event.refresh_from_db()
    head.refresh_from_db()
    assert (head.status, head.promoted_at is not None) == (GOING, True)
    assert (event.going_count, event.waitlist_count) == (1, 1)
    assert _events(event) == ["event.rsvp_cancelled", "event.rsvp_promoted"]


def test_leaving_the_waitlist_frees_no_seat():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, waitlisted=True)

    cancelled = registration_cancel(event=event, user=waiting.user)

    event.refresh_from_db()
    assert cancelled.status == CANCELLED
    assert (event.going_count, event.waitlist_count) == (1, 0)


def test_withdrawing_without_a_registration_returns_none():
    event = EventFactory()
    user = MemberFactory(community=event.community).user

    assert registration_cancel(event=event, user=user) is None


def test_registrations_cannot_change_once_the_event_has_started():
    event = EventFactory(ongoing=True)
    registration = RegistrationFactory(event=event)

    with pytest.raises(Conflict) as refusal:
        registration_cancel(event=event, user=registration.user)

    registration.refresh_from_db()
    assert (refusal.value.code, registration.status) == ("registration_closed", GOING)


def test_registering_again_after_withdrawing_queues_as_a_new_arrival():
    event = EventFactory(capacity=1)
    first = RegistrationFactory(event=event)
    RegistrationFactory(event=event, waitlisted=True)
    registration_cancel(event=event, user=first.user)

    again = registration_create(event=event, user=first.user)

    assert (again.registration.pk, again.registration.status, again.registration.position) == (
        first.pk, WAITLISTED, 3)
