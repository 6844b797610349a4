"""Celery task modules of the platform app (found by `app.autodiscover_tasks()`)."""

from celery import shared_task

from community_service.api.idempotency import idempotency_prune
from community_service.notifications.tasks import (
    notifications_digest_task,
    notifications_fanout_task,
    notifications_mail_immediate_task,
)
from community_service.outbox.tasks import (
    outbox_dispatch_sweep_task,
    outbox_dispatch_task,
    outbox_publish_task,
    outbox_relay_task,
)
from community_service.webhooks.delivery import webhook_deliver_task, webhook_prune_task, webhook_sweep_task

__all__ = [
    "idempotency_prune_task", "notifications_digest_task", "notifications_fanout_task",
    "notifications_mail_immediate_task", "outbox_dispatch_sweep_task", "outbox_dispatch_task",
    "outbox_publish_task", "outbox_relay_task", "webhook_deliver_task", "webhook_prune_task", "webhook_sweep_task",
]


@shared_task(name="idempotency.prune", ignore_result=True)
def idempotency_prune_task() -> None:
    idempotency_prune()
