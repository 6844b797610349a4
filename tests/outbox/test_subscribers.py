"""In-process subscribers (community_service/outbox/subscribers.py): every committed event
reaches each interested subscriber once, in order per community, whatever the broker does."""

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from community_service.outbox.models import DeliveryStatus, OutboxDelivery, OutboxEvent, OutboxStatus
from community_service.outbox.services import outbox_prune, outbox_record
from community_service.outbox.subscribers import (
    deliveries_retry_failed,
    subscriber_dispatch,
    subscriber_register,
    subscriber_unregister,
    subscribers_sweep,
)
from tests.factories import OutboxDeliveryFactory, OutboxEventFactory

pytestmark = pytest.mark.django_db


class Recorder:
    """A subscriber that remembers what it saw and can be told to fail for some events."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail_for: set[str] = set()

    def __call__(self, event: OutboxEvent) -> None:
        name = event.payload["name"]
        if name in self.fail_for:
            raise RuntimeError(f"cannot handle {name}")
        self.seen.append(name)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    subscriber_register("recorder", handler, event_types={"community.updated"})
    yield handler
    subscriber_unregister("recorder")


def record(name: str, community_id: uuid.UUID) -> OutboxEvent:
    return outbox_record(
        event_type="community.updated", aggregate_type="community", aggregate_id=community_id,
        community_id=community_id,
        payload={"community_id": community_id, "owner_id": uuid.uuid4(), "name": name, "slug": name, "changed": []},
    )


def test_a_committed_event_reaches_the_subscriber_once_though_the_broker_is_down(
    settings, recorder, django_capture_on_commit_callbacks
):
    # Nothing listens on this port: the broker publish fails, the subscriber must not care.
    settings.EVENT_BROKER_TYPE = "rabbitmq"
    settings.RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:1//"
    community = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event = record("first", community)
    assert recorder.seen == ["first"]
    event.refresh_from_db()
    assert event.status == OutboxStatus.PENDING  # the broker never got it
    delivery = OutboxDelivery.objects.get(event=event)
    assert (delivery.subscriber, delivery.status) == ("recorder", DeliveryStatus.DONE)
    assert delivery.handled_at is not None
    # Dispatching again (a duplicate task, the sweep) does not hand it over twice.
    subscriber_dispatch("recorder")
    subscribers_sweep()
    assert recorder.seen == ["first"]


def test_a_rolled_back_event_leaves_no_delivery(recorder):
    with pytest.raises(RuntimeError), transaction.atomic():
        record("ghost", uuid.uuid4())
        raise RuntimeError("rollback")
    assert not OutboxDelivery.objects.exists()
    subscribers_sweep()
    assert recorder.seen == []


def test_only_the_event_types_a_subscriber_asked_for_get_a_row(recorder):
    with transaction.atomic():
        outbox_record(event_type="community.deleted", aggregate_type="community", aggregate_id=uuid.uuid4(),
                      community_id=None, payload={"community_id": "x", "owner_id": "y", "name": "z"})
        record("wanted", uuid.uuid4())
    assert list(OutboxDelivery.objects.values_list("event__event_type", flat=True)) == ["community.updated"]


def test_the_sweep_hands_over_what_no_after_commit_task_did_in_id_order(recorder):
    # No on-commit callbacks run here: the rows wait for the periodic sweep.
    community = uuid.uuid4()
    with transaction.atomic():
        for name in ("a", "b", "c"):
            record(name, community)
    assert recorder.seen == []
    stats = subscribers_sweep()
    assert recorder.seen == ["a", "b", "c"]
    assert stats["recorder"].handled == 3


def test_a_failing_event_holds_back_its_community_only_and_is_retried_in_order(settings, recorder):
    settings.OUTBOX_SUBSCRIBER_MAX_ATTEMPTS = 3
    first, other = uuid.uuid4(), uuid.uuid4()
    with transaction.atomic():
        record("c1", first)
        record("c2", first)
        record("d1", other)
    recorder.fail_for = {"c1"}
    stats = subscriber_dispatch("recorder")
    assert (stats.handled, stats.retrying) == (1, 1)
    assert recorder.seen == ["d1"]  # c2 waits behind c1, the other community does not
    failing = OutboxDelivery.objects.get(event__payload__name="c1")
    assert failing.attempts == 1 and "cannot handle c1" in failing.last_error
    assert failing.next_attempt_at > timezone.now()
    subscriber_dispatch("recorder")  # still backing off: nothing of that community moves
    assert recorder.seen == ["d1"]
    recorder.fail_for = set()
    OutboxDelivery.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
    subscriber_dispatch("recorder")
    assert recorder.seen == ["d1", "c1", "c2"]


def test_a_handler_that_keeps_failing_is_given_up_on_then_retried_by_command(settings, recorder):
    settings.OUTBOX_SUBSCRIBER_MAX_ATTEMPTS = 2
    community = uuid.uuid4()
    with transaction.atomic():
        record("bad", community)
        record("good", community)
    recorder.fail_for = {"bad"}
    for _ in range(2):
        subscriber_dispatch("recorder")
        OutboxDelivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())
    assert OutboxDelivery.objects.get(event__payload__name="bad").status == DeliveryStatus.FAILED
    subscriber_dispatch("recorder")  # a failed row no longer holds its community back
    assert recorder.seen == ["good"]
    recorder.fail_for = set()
    assert deliveries_retry_failed(subscriber="nobody") == 0
    call_command("dispatch_subscribers", "--retry-failed", "--subscriber", "recorder")
    assert recorder.seen == ["good", "bad"]


def test_handler_writes_roll_back_with_a_failure_and_commit_with_the_done_mark(recorder):
    # The handler runs in a savepoint: its writes are kept exactly when the row is marked done.
    def writes_then_fails(event: OutboxEvent) -> None:
        OutboxEventFactory(event_type="community.updated", payload={"name": "side effect"})
        if event.payload["name"] == "boom":
            raise RuntimeError("boom")

    subscriber_register("recorder", writes_then_fails, event_types={"community.updated"})
    with transaction.atomic():
        record("boom", uuid.uuid4())
        record("fine", uuid.uuid4())
    subscriber_dispatch("recorder")
    assert OutboxEvent.objects.filter(payload__name="side effect").count() == 1


def test_prune_keeps_an_event_a_subscriber_has_not_handled():
    old = timezone.now() - timedelta(days=30)
    waiting = OutboxDeliveryFactory(event=OutboxEventFactory(published=True, published_at=old)).event
    handled = OutboxDeliveryFactory(done=True, event=OutboxEventFactory(published=True, published_at=old)).event
    assert outbox_prune(older_than=timedelta(days=7)) == 1
    assert OutboxEvent.objects.filter(pk=waiting.pk).exists()
    assert not OutboxEvent.objects.filter(pk=handled.pk).exists()
    assert not OutboxDelivery.objects.filter(event_id=handled.pk).exists()
