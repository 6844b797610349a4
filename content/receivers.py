"""Content's reactions to hooks sent by the layers below (connected in ContentConfig.ready)."""

from typing import Any

from django.db import transaction

from communities.models import Community
from content.services.channels import channel_create
from content.tasks import community_content_reindex_task


def create_general_channel(*, community: Community, **kwargs: Any) -> None:
    """Every new community starts with #general, as Discord's servers do."""
    channel_create(community=community, name="general", topic="Talk about anything.")


def reindex_after_language_change(*, community: Community, **kwargs: Any) -> None:
    """Posts and comments were indexed in the old language: re-index them after commit."""
    community_id = str(community.pk)
    transaction.on_commit(lambda: community_content_reindex_task.delay(community_id))
