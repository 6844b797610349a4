"""Writes of the outbox: record an event with its change, publish what is due, retry failures."""

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from community_service.observability.request_context import request_id_var, user_id_var
from community_service.outbox.catalogue import event_spec, payload_check
from community_service.outbox.models import OutboxEvent, OutboxStatus
from community_service.outbox.publishers import EventPublisher, PublishResult, event_publisher
from community_service.outbox.subscribers import deliveries_record, event_unhandled

logger = logging.getLogger("community_service.outbox")

# One publisher at a time, cluster-wide: rows leave in `id` order, so one community's events
# reach the broker in the order they were committed. (Any constant works; this spells "outbox".)
OUTBOX_LOCK_KEY = 0x6F7574626F78


def outbox_record(
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: UUID,
    community_id: UUID | None,
    payload: dict[str, Any],
    actor_id: UUID | None = None,
) -> OutboxEvent:
    """Record a domain event in the caller's transaction; it is published after commit.

    Precondition: called inside the transaction (`transaction.atomic`) of the write it
    describes, so a rollback removes both. Raises ValueError for an event type or payload
    that the catalogue (docs/events.md) does not describe. `actor_id` defaults to the
    authenticated user of the current request.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_record must run inside the transaction of the write it describes.")
    spec = event_spec(event_type)
    if aggregate_type != spec.aggregate:
        raise ValueError(f"{event_type} belongs to aggregate {spec.aggregate!r}, not {aggregate_type!r}.")
    payload_check(spec, payload)
    actor = actor_id if actor_id is not None else user_id_var.get()
    now = timezone.now()
    event = OutboxEvent.objects.create(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        community_id=community_id,
        # UUIDs, datetimes and Decimals become the strings consumers see.
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        metadata={
            "request_id": request_id_var.get(),
            "actor_id": str(actor) if actor is not None else None,
            "schema_version": spec.schema_version,
        },
        created_at=now,
        next_attempt_at=now,
    )
    # In-process subscribers (notifications, webhooks) get their ledger rows in this transaction.
    event.subscribers = deliveries_record(event)
    return event


@dataclass
class RelayStats:
    published: int = 0
    retrying: int = 0
    failed: int = 0
    batches: int = 0
    lock_busy: bool = False

    def add(self, result: PublishResult, *, dead: int) -> None:
        self.published += len(result.confirmed)
        self.retrying += len(result.unavailable) + len(result.rejected) - dead
        self.failed += dead
        self.batches += 1


def _lock_outbox(*, wait: float) -> bool:
    """Take the publish lock for the current transaction; False if busy after `wait` seconds."""
    with connection.cursor() as cursor:
        if wait <= 0:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [OUTBOX_LOCK_KEY])
            return bool(cursor.fetchone()[0])
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(wait * 1000)}ms"])
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [OUTBOX_LOCK_KEY])
        except OperationalError:  # lock_timeout: another publisher is busy
            return False
        finally:
            cursor.execute("SELECT set_config('lock_timeout', '0', true)")
        return True


def outbox_due(*, batch_size: int, min_age: float = 0) -> QuerySet[OutboxEvent]:
    """Pending rows that may be sent now, oldest first, locked for this transaction.

    A row waits while an older row of its community is backing off, so a retry never
    lets a later event of that community overtake an earlier one.
    """
    now = timezone.now()
    older_backing_off = OutboxEvent.objects.filter(
        status=OutboxStatus.PENDING,
        community_id=OuterRef("community_id"),
        id__lt=OuterRef("id"),
        next_attempt_at__gt=now,
    )
    due = OutboxEvent.objects.select_for_update(skip_locked=True).filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=now
    )
    if min_age:
        due = due.filter(created_at__lte=now - timedelta(seconds=min_age))
    return due.filter(~Exists(older_backing_off)).order_by("id")[:batch_size]


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


def _mark(events: list[OutboxEvent], result: PublishResult) -> int:
    """Store the outcome of one publish; return how many rows were given up on (failed)."""
    now = timezone.now()
    if result.confirmed:
        OutboxEvent.objects.filter(pk__in=result.confirmed).update(
            status=OutboxStatus.PUBLISHED, published_at=now, attempts=F("attempts") + 1, last_error=""
        )
    by_pk = {event.pk: event for event in events}
    groups: dict[tuple[int, str, bool], list[int]] = defaultdict(list)
    for pk, error in result.unavailable.items():
        # A broker outage delays events, it never kills them: no dead-lettering here.
        groups[(by_pk[pk].attempts + 1, error, False)].append(pk)
    for pk, error in result.rejected.items():
        attempts = by_pk[pk].attempts + 1
        groups[(attempts, error, attempts >= settings.OUTBOX_MAX_ATTEMPTS)].append(pk)
    dead = 0
    for (attempts, error, give_up), pks in groups.items():
        OutboxEvent.objects.filter(pk__in=pks).update(
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=now + _backoff(attempts),
            status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
        )
        dead += len(pks) if give_up else 0
    if result.unavailable or result.rejected:
        first = next(iter({**result.unavailable, **result.rejected}.values()))
        logger.warning(
            "outbox publish failed",
            extra={"unavailable": len(result.unavailable), "rejected": len(result.rejected), "failed": dead,
                   "error": first},
        )
    return dead


def outbox_publish_due(
    *,
    batch_size: int | None = None,
    min_age: float = 0,
    lock_wait: float | None = None,
    max_batches: int | None = None,
    publisher: EventPublisher | None = None,
) -> RelayStats:
    """Publish due rows in order, batch by batch, until none is left or the broker fails.

    Each batch is one transaction: rows are locked, sent, and marked published only for
    the messages the broker confirmed. A crash in between leaves them pending, and they
    are sent again with the same event_id (at-least-once).
    """
    publisher = publisher or event_publisher()
    batch_size = batch_size or settings.OUTBOX_RELAY_BATCH_SIZE
    lock_wait = settings.OUTBOX_LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
    stats = RelayStats()
    while max_batches is None or stats.batches < max_batches:
        with transaction.atomic():
            if not _lock_outbox(wait=lock_wait):
                stats.lock_busy = True
                break
            events = list(outbox_due(batch_size=batch_size, min_age=min_age))
            if not events:
                break
            result = publisher.publish(events)
            stats.add(result, dead=_mark(events, result))
        if result.unavailable or len(events) < batch_size:
            break
    return stats


# Per process: after the broker failed, the after-commit path stops trying for a while and
# leaves the rows to the relay, so a broker outage does not slow every write down.
_broker_down_until = 0.0


def outbox_publish_after_commit(*, event_id: str) -> RelayStats | None:
    """The fast path behind `outbox_publish_task`: publish what is due, starting now."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        logger.debug("broker recently down; leaving event to the relay", extra={"event_id": event_id})
        return None
    stats = outbox_publish_due()
    if stats.retrying:
        _broker_down_until = time.monotonic() + settings.OUTBOX_BREAKER_SECONDS
    return stats


def outbox_breaker_reset() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def outbox_relay(*, min_age: float | None = None, batch_size: int | None = None) -> RelayStats:
    """The periodic relay: publish rows that the after-commit path has not (older than min_age)."""
    stats = outbox_publish_due(
        batch_size=batch_size,
        min_age=settings.OUTBOX_RELAY_MIN_AGE_SECONDS if min_age is None else min_age,
    )
    if stats.published and not stats.retrying:
        outbox_breaker_reset()
    return stats


@transaction.atomic
def outbox_retry_failed(*, event_ids: list[int] | None = None) -> int:
    """Make failed rows pending again (all, or the given ids); return how many."""
    rows = OutboxEvent.objects.filter(status=OutboxStatus.FAILED)
    if event_ids is not None:
        rows = rows.filter(pk__in=event_ids)
    return rows.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())


@transaction.atomic
def outbox_retry_now(*, event_ids: list[int]) -> int:
    """Send the given rows at the next relay: failed ones become pending again (attempts reset),
    pending ones waiting out a backoff become due now. Returns how many rows changed."""
    requeued = outbox_retry_failed(event_ids=event_ids)
    hurried = OutboxEvent.objects.filter(
        pk__in=event_ids, status=OutboxStatus.PENDING, next_attempt_at__gt=timezone.now()
    ).update(next_attempt_at=timezone.now())
    return requeued + hurried


def outbox_prune(*, older_than: timedelta, batch_size: int = 5000) -> int:
    """Delete published rows older than `older_than`, in batches; return how many.

    Published rows are only history once the broker has them; pending and failed rows, and
    rows an in-process subscriber has not handled yet, are never pruned. Batches keep each
    delete short so the relay is never blocked for long.
    """
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        ids = list(
            OutboxEvent.objects.filter(status=OutboxStatus.PUBLISHED, published_at__lt=cutoff)
            .filter(~event_unhandled())
            .order_by("id").values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        # Count events only, not the subscribers' ledger rows deleted with them.
        deleted += OutboxEvent.objects.filter(pk__in=ids).delete()[1].get(OutboxEvent._meta.label, 0)
