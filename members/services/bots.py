"""Bot accounts: users flagged as bots, made by a community's webhook.manage holders.

A bot is an active member of its community (the default role; role managers give it more as
to anyone), cannot sign in with a password (it has none), and acts only through API keys
its managers create, each limited to the bot's community. Removing a bot closes the account
and revokes its keys at once.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.locks import community_lock
from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound
from members import policy
from members.catalogue import Permission
from members.models import ApiKey, MemberStatus, User
from members.selectors.access import CommunityAccess, KeyGrant
from members.services.api_keys import api_key_create
from members.services.effects import member_event_record
from members.services.memberships import activate_member, deactivate_member, lock_or_create_member

BOT_EMAIL_DOMAIN = "bots.invalid"  # RFC 2606: never delivered


def bot_of(community: Community, user_id: uuid.UUID) -> User:
    """The community's live bot `user_id`, or NotFound."""
    bot = User.objects.filter(pk=user_id, is_bot=True, bot_community=community, is_active=True).first()
    if bot is None:
        raise NotFound("Bot not found.")
    return bot


@atomic_with_retry
def bot_create(*, actor: CommunityAccess, community: Community, username: str) -> User:
    """A bot account in `community`, an active member with the default role."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    if not community_lock(community.pk):
        raise NotFound("Community not found.")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("A user with this username already exists.", field="username", code="unique")
    try:
        with transaction.atomic():
            bot_id = uuid.uuid4()
            bot = User(id=bot_id, username=username, email=f"bot-{bot_id}@{BOT_EMAIL_DOMAIN}", is_bot=True,
                       bot_community=community)
            bot.set_unusable_password()
            bot.save()
    except IntegrityError as exc:
        raise Conflict("A user with this username already exists.", field="username", code="unique") from exc
    activate_member(lock_or_create_member(community, bot))
    return bot


@atomic_with_retry
def bot_remove(*, actor: CommunityAccess, community: Community, user_id: uuid.UUID) -> None:
    """Close the bot's account: it leaves the community and every key of it is refused at once."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    community_lock(community.pk)
    bot = bot_of(community, user_id)
    User.objects.filter(pk=bot.pk).update(is_active=False)
    ApiKey.objects.filter(user=bot, revoked_at__isnull=True).update(revoked_at=timezone.now())
    member = lock_or_create_member(community, bot)
    if member.status == MemberStatus.ACTIVE:
        deactivate_member(member, status=MemberStatus.LEFT)
        member_event_record("member.left", member, reason="left")


def bot_key_create(*, actor: CommunityAccess, community: Community, user_id: uuid.UUID, name: str,
                   scopes: Iterable[str], expires_at: datetime | None, grant: KeyGrant | None) -> tuple[ApiKey, str]:
    """A key of the bot, limited to its community; `grant`: the key the request came with."""
    policy.require_permission(actor, Permission.WEBHOOK_MANAGE)
    bot = bot_of(community, user_id)
    return api_key_create(user=bot, name=name, scopes=scopes, community_ids=[community.pk], expires_at=expires_at,
                          grant=grant)
