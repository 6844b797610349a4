"""Celery tasks of the events app. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from community_service.notifications.tasks import notifications_mail_immediate_task
from events.notices import events_reminders_send
from events.services.events import event_statuses_advance


# Beat runs it every EVENT_STATUS_INTERVAL_SECONDS; a late run catches up on everything due.
@shared_task(name="events.statuses_advance", ignore_result=True)
def event_statuses_advance_task() -> None:
    event_statuses_advance()


# Beat runs it every few minutes; each reminder is sent once however often it runs.
@shared_task(name="events.reminders_send", ignore_result=True)
def events_reminders_send_task() -> None:
    if events_reminders_send():
        notifications_mail_immediate_task.delay()
