"""The framework hook of the outbox: a committed OutboxEvent row enqueues its publish task."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from community_service.outbox.models import OutboxEvent

logger = logging.getLogger("community_service.outbox")


def outbox_enqueue_publish(*, event_id: str) -> None:
    from community_service.outbox.tasks import outbox_publish_task

    try:
        # retry=False: with the task broker down, fail now and leave the row to the relay
        # rather than hold the request open.
        outbox_publish_task.apply_async(args=[event_id], retry=False)
    except Exception as exc:  # task broker boundary: the row is safe in the outbox either way
        logger.warning("could not enqueue outbox publish; the relay will send it",
                       extra={"event_id": event_id, "error": repr(exc)})


def outbox_enqueue_dispatch(*, subscriber: str) -> None:
    from community_service.outbox.tasks import outbox_dispatch_task

    try:
        outbox_dispatch_task.apply_async(args=[subscriber], retry=False)
    except Exception as exc:  # task broker boundary: the ledger row waits for the sweep
        logger.warning("could not enqueue subscriber dispatch; the sweep will run it",
                       extra={"subscriber": subscriber, "error": repr(exc)})


@receiver(post_save, sender=OutboxEvent, dispatch_uid="outbox_publish_on_commit")
def _publish_on_commit(sender: type[OutboxEvent], instance: OutboxEvent, created: bool, **kwargs: object) -> None:
    if created:
        event_id = str(instance.event_id)

        # A named function, not functools.partial: Django logs a failing robust callback by
        # its __qualname__, which a partial lacks (the log call itself would then raise).
        def enqueue() -> None:
            outbox_enqueue_publish(event_id=event_id)

        transaction.on_commit(enqueue, robust=True)

        # Read at commit time: outbox_record sets `subscribers` after this post_save has run.
        def dispatch() -> None:
            for name in getattr(instance, "subscribers", ()):
                outbox_enqueue_dispatch(subscriber=name)

        transaction.on_commit(dispatch, robust=True)
