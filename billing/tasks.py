"""Celery tasks of billing. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from billing.notices import subscriptions_ending_notify
from billing.services.subscriptions import subscriptions_expire
from community_service.notifications.tasks import notifications_mail_immediate_task


# Beat runs it every BILLING_EXPIRY_INTERVAL_SECONDS; rows are locked with SKIP LOCKED, so an
# overlapping run (or `manage.py expire_subscriptions`) never ends a subscription twice.
@shared_task(name="billing.subscriptions_expire", ignore_result=True)
def subscriptions_expire_task() -> None:
    subscriptions_expire()


# Hourly; each subscription period is told once however often it runs.
@shared_task(name="billing.ending_notices", ignore_result=True)
def subscriptions_ending_notify_task() -> None:
    if subscriptions_ending_notify():
        notifications_mail_immediate_task.delay()
