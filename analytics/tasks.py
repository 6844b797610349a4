"""Celery tasks of the analytics app. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from analytics.services.rollups import rollup_recent


# Beat runs it every ANALYTICS_ROLLUP_SECONDS; each run recomputes today and yesterday whole.
@shared_task(name="analytics.rollup_recent", ignore_result=True)
def analytics_rollup_recent_task() -> None:
    rollup_recent()
