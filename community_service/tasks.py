"""Celery task modules of the platform app (found by `app.autodiscover_tasks()`)."""

from community_service.outbox.tasks import outbox_publish_task, outbox_relay_task

__all__ = ["outbox_publish_task", "outbox_relay_task"]
