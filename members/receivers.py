"""Members' reactions to hooks sent by the layer below (connected in MembersConfig.ready)."""

from typing import Any

from communities.models import Community
from community_service.cache import cache_delete, invalidate_around_commit
from members.models import User
from members.selectors.users import user_cache_key
from members.services.memberships import member_bootstrap_community


def bootstrap_new_community(*, community: Community, owner: User, **kwargs: Any) -> None:
    """A new community gets its default roles and the owner's membership."""
    member_bootstrap_community(community=community, owner=owner)


def forget_cached_user(*, instance: User, **kwargs: Any) -> None:
    """A saved or deleted user drops its cached row (read by bearer authentication), now and
    after the transaction commits."""
    invalidate_around_commit(lambda: cache_delete(user_cache_key(instance.pk)))
