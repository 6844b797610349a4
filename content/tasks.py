"""Celery tasks of the content app. They unpack arguments and call a service, nothing more."""

from celery import shared_task

from content.services.view_counts import post_views_flush


# Beat runs it every POST_VIEWS_FLUSH_SECONDS; a run that is late simply takes more views.
@shared_task(name="content.post_views_flush", ignore_result=True)
def post_views_flush_task() -> None:
    post_views_flush()
