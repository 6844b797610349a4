"""Celery tasks of the events app. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from events.services.events import event_statuses_advance


# Beat runs it every EVENT_STATUS_INTERVAL_SECONDS; a late run catches up on everything due.
@shared_task(name="events.statuses_advance", ignore_result=True)
def event_statuses_advance_task() -> None:
    event_statuses_advance()
