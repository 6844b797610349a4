"""Members' reactions to hooks sent by the layer below (connected in MembersConfig.ready)."""

from typing import Any

from communities.models import Community
from members.models import User
from members.services.memberships import member_bootstrap_community


def bootstrap_new_community(*, community: Community, owner: User, **kwargs: Any) -> None:
    """A new community gets its default roles and the owner's membership."""
    member_bootstrap_community(community=community, owner=owner)
