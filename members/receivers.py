"""Members' reactions to hooks sent by the layer below (connected in MembersConfig.ready)."""

from typing import Any

from django.db import transaction

from communities.models import Community
from community_service.cache.aside import cache_delete
from members.models import User
from members.selectors.users import user_cache_key, user_recache
from members.services.memberships import member_bootstrap_community


def bootstrap_new_community(*, community: Community, owner: User, **kwargs: Any) -> None:
    """A new community gets its default roles and the owner's membership."""
    member_bootstrap_community(community=community, owner=owner)


def recache_user(*, instance: User, **kwargs: Any) -> None:
    """A saved or deleted user drops its cached row (read by bearer authentication) now, and
    after the transaction commits stores the committed row over anything a reader cached in
    between (members.selectors.users.user_for_token)."""
    user_id = instance.pk
    cache_delete(user_cache_key(user_id))
    transaction.on_commit(lambda: user_recache(user_id))
