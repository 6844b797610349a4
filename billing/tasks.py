"""Celery tasks of billing. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from billing.services.subscriptions import subscriptions_expire


# Beat runs it every BILLING_EXPIRY_INTERVAL_SECONDS; rows are locked with SKIP LOCKED, so an
# overlapping run (or `manage.py expire_subscriptions`) never ends a subscription twice.
@shared_task(name="billing.subscriptions_expire", ignore_result=True)
def subscriptions_expire_task() -> None:
    subscriptions_expire()
