"""Celery tasks of the outbox. They unpack arguments and call a service, nothing more."""

from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_shutdown, worker_shutdown
from django.conf import settings

from community_service.outbox.publishers import event_publisher_close
from community_service.outbox.services import outbox_prune, outbox_publish_after_commit, outbox_relay
from community_service.outbox.subscribers import subscriber_dispatch, subscribers_sweep


# Idempotent (rows are locked, sent and marked in one transaction), so a task lost with its
# worker is simply run again: acks_late + reject_on_worker_lost.
@shared_task(name="outbox.publish", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_publish_task(event_id: str) -> None:
    outbox_publish_after_commit(event_id=event_id)


@shared_task(name="outbox.relay", ignore_result=True)
def outbox_relay_task() -> None:
    outbox_relay()


# Idempotent too (rows are locked, handled and marked done in one transaction).
@shared_task(name="outbox.dispatch", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_dispatch_task(subscriber: str) -> None:
    subscriber_dispatch(subscriber)


@shared_task(name="outbox.dispatch_sweep", ignore_result=True)
def outbox_dispatch_sweep_task() -> None:
    subscribers_sweep()


@shared_task(name="outbox.prune", ignore_result=True)
def outbox_prune_task() -> None:
    outbox_prune(older_than=timedelta(days=settings.OUTBOX_RETENTION_DAYS))


@worker_process_shutdown.connect
@worker_shutdown.connect
def _flush_publisher(**kwargs: object) -> None:
    # Deliver what the producer still holds before the process exits.
    event_publisher_close()
