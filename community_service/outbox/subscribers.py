"""In-process subscribers: consumers inside this service fed every committed domain event.

Notifications (and outbound webhooks) need each committed event once, in order per community,
whether or not Kafka/RabbitMQ is up; they must not depend on the external publishing. So:

- **Registry.** A consumer calls `subscriber_register(name, handler, event_types=...)` from its
  AppConfig.ready(); the registry is per process and filled before any request or task runs.
- **Ledger, written with the event.** `outbox_record` calls `deliveries_record(event)`, which
  inserts one `OutboxDelivery(subscriber, event)` row (unique together) per interested
  subscriber *in the event's own transaction*: a committed event always has its rows, a
  rolled-back one never does. No cursor, so no gap when transactions commit out of id order.
- **Dispatch after commit.** The on-commit hook (signals.py) enqueues `outbox.dispatch` per
  subscriber; `subscriber_dispatch(name)` takes that subscriber's advisory lock, reads its
  pending rows in event-id order and runs the handler for each inside a savepoint of the
  same transaction that marks the row done. A handler that only writes to this database is
  therefore applied exactly once; a handler with outside effects must be idempotent by
  `event.event_id` (delivery is at-least-once: a crash after the effect re-runs it).
- **Failures keep order.** A handler that raises rolls back its savepoint; the row backs off
  (OUTBOX_BACKOFF_*), and later rows of the same community for that subscriber wait behind
  it, as the relay does for the broker. After OUTBOX_SUBSCRIBER_MAX_ATTEMPTS the row is
  `failed` and stops blocking; `dispatch_subscribers --retry-failed` makes it pending again.
- **Sweep.** Celery beat runs `outbox.dispatch_sweep` every OUTBOX_SUBSCRIBER_SWEEP_SECONDS for
  anything the after-commit path missed (task broker down, worker lost the task).
- `outbox_prune` never deletes an event a subscriber has not handled yet.

A subscriber registered later sees only events recorded after it was registered. Handlers
must be quick (they hold a row lock); heavy work (fan-out to 100,000 recipients) enqueues
its own background task from the handler.
"""

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from community_service.outbox.models import DeliveryStatus, OutboxDelivery, OutboxEvent

logger = logging.getLogger("community_service.outbox")

Handler = Callable[[OutboxEvent], None]
# First key of the two-int advisory lock; the second is the subscriber name's crc32.
SUBSCRIBER_LOCK_CLASS = 0x737562  # "sub"


@dataclass(frozen=True)
class Subscriber:
    name: str
    handler: Handler
    # None: every event type.
    event_types: frozenset[str] | None = None

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


_registry: dict[str, Subscriber] = {}


def subscriber_register(name: str, handler: Handler, *, event_types: Iterable[str] | None = None) -> Subscriber:
    """Register (or replace, for reloads and tests) the in-process subscriber `name`."""
    if not name or len(name) > 64:
        raise ValueError("A subscriber name is 1 to 64 characters.")
    subscriber = Subscriber(name, handler, frozenset(event_types) if event_types is not None else None)
    _registry[name] = subscriber
    return subscriber


def subscriber_unregister(name: str) -> None:
    _registry.pop(name, None)


def subscribers() -> dict[str, Subscriber]:
    return dict(_registry)


def deliveries_record(event: OutboxEvent) -> list[str]:
    """Insert the ledger rows of `event` (caller's transaction); return the subscribers' names."""
    names = [s.name for s in _registry.values() if s.wants(event.event_type)]
    OutboxDelivery.objects.bulk_create([
        OutboxDelivery(subscriber=name, event=event, community_id=event.community_id,
                       next_attempt_at=event.created_at)
        for name in names
    ])
    return names


def _lock_subscriber(name: str, *, wait: float) -> bool:
    """One dispatcher per subscriber at a time (order); False when still busy after `wait` s."""
    key = zlib.crc32(name.encode()) - 2**31  # into int4 range
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{max(int(wait * 1000), 1)}ms"])
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SUBSCRIBER_LOCK_CLASS, key])
        except OperationalError:  # lock_timeout: another dispatcher of this subscriber is busy
            return False
        finally:
            cursor.execute("SELECT set_config('lock_timeout', '0', true)")
    return True


def deliveries_due(name: str, *, batch_size: int) -> QuerySet[OutboxDelivery]:
    """Pending rows of `name` due now, in event order, skipping communities with an older row backing off."""
    now = timezone.now()
    older_backing_off = OutboxDelivery.objects.filter(
        subscriber=name, status=DeliveryStatus.PENDING, community_id=OuterRef("community_id"),
        event_id__lt=OuterRef("event_id"), next_attempt_at__gt=now,
    )
    return (
        OutboxDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("event")
        .filter(subscriber=name, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(~Exists(older_backing_off))
        .order_by("event_id")[:batch_size]
    )


@dataclass
class DispatchStats:
    handled: int = 0
    retrying: int = 0
    failed: int = 0
    lock_busy: bool = False


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


def _handle_batch(subscriber: Subscriber, rows: list[OutboxDelivery], stats: DispatchStats) -> None:
    done: list[int] = []
    blocked: set[object] = set()  # communities whose earlier row just failed: keep their order
    for row in rows:
        if row.community_id in blocked:
            continue
        try:
            with transaction.atomic():
                subscriber.handler(row.event)
        except Exception as exc:  # a consumer's bug or outage must not stop the others
            blocked.add(row.community_id)
            row.attempts += 1
            give_up = row.attempts >= settings.OUTBOX_SUBSCRIBER_MAX_ATTEMPTS
            row.status = DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING
            row.last_error = repr(exc)[:2000]
            row.next_attempt_at = timezone.now() + _backoff(row.attempts)
            row.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
            stats.failed += give_up
            stats.retrying += not give_up
            logger.warning("subscriber failed to handle an event", exc_info=True, extra={
                "subscriber": subscriber.name, "event_id": str(row.event.event_id), "attempts": row.attempts})
            continue
        done.append(row.pk)
    OutboxDelivery.objects.filter(pk__in=done).update(
        status=DeliveryStatus.DONE, handled_at=timezone.now(), attempts=0, last_error="")
    stats.handled += len(done)


def subscriber_dispatch(name: str, *, batch_size: int | None = None, lock_wait: float | None = None,
                        max_batches: int | None = None) -> DispatchStats:
    """Run `name`'s handler over its due rows, batch by batch (one transaction each), in event order."""
    stats = DispatchStats()
    subscriber = _registry.get(name)
    if subscriber is None:  # rows of a subscriber this process does not know wait for one that does
        return stats
    batch_size = batch_size or settings.OUTBOX_SUBSCRIBER_BATCH_SIZE
    lock_wait = settings.OUTBOX_LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            if not _lock_subscriber(name, wait=lock_wait):
                stats.lock_busy = True
                break
            rows = list(deliveries_due(name, batch_size=batch_size))
            if not rows:
                break
            before = stats.handled
            _handle_batch(subscriber, rows, stats)
        if len(rows) < batch_size or stats.handled == before:
            break
    return stats


def subscribers_sweep() -> dict[str, DispatchStats]:
    """The periodic path: dispatch every registered subscriber's due rows."""
    return {name: subscriber_dispatch(name) for name in _registry}


@transaction.atomic
def deliveries_retry_failed(*, subscriber: str | None = None) -> int:
    """Make failed rows pending again (of one subscriber, or all); return how many."""
    rows = OutboxDelivery.objects.filter(status=DeliveryStatus.FAILED)
    if subscriber is not None:
        rows = rows.filter(subscriber=subscriber)
    return rows.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())


def event_unhandled() -> Exists:
    """For `outbox_prune`: the event still has a row some subscriber has not handled."""
    return Exists(OutboxDelivery.objects.filter(event_id=OuterRef("pk")).exclude(status=DeliveryStatus.DONE))
