"""Content's reactions to hooks sent by the layers below (connected in ContentConfig.ready)."""

from typing import Any

from communities.models import Community
from content.services.channels import channel_create


def create_general_channel(*, community: Community, **kwargs: Any) -> None:
    """Every new community starts with #general, as Discord's servers do."""
    channel_create(community=community, name="general", topic="Talk about anything.")
