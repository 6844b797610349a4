"""Celery tasks of the content app. They unpack arguments and call a service, nothing more."""

from uuid import UUID

from celery import shared_task

from content.services.search_index import community_content_reindex
from content.services.view_counts import post_views_flush


# Beat runs it every POST_VIEWS_FLUSH_SECONDS; a run that is late simply takes more views.
@shared_task(name="content.post_views_flush", ignore_result=True)
def post_views_flush_task() -> None:
    post_views_flush()


@shared_task(name="content.community_content_reindex", ignore_result=True, acks_late=True)
def community_content_reindex_task(community_id: str) -> None:
    community_content_reindex(community_id=UUID(community_id))
