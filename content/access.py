"""Who may see and who may write what in a community's content.

Reads: private communities and members-only channels are for active members; banned
users see nothing; drafts are their author's; posts waiting for review or rejected are
visible to their author and to post.moderate holders.

Writes that speak (post, comment, react) additionally need: an active membership, no
mute, the permission code, and the channel's overwrites (Discord's resolution: among the
caller's roles an allow beats a deny; a member-level overwrite beats both), and in an
announcement channel post.moderate.
"""

from uuid import UUID

from django.db.models import BooleanField, ExpressionWrapper, Q, Value

from community_service.contracts.entitlements import held_level_ids
from community_service.exceptions import NotFound, PermissionDenied, Unauthenticated
from content.models import Channel, ChannelOverwrite, ChannelType, Comment, Post, PostStatus
from members import policy
from members.selectors.access import CommunityAccess


def channel_readable(channel: Channel | None, access: CommunityAccess) -> bool:
    return channel is None or policy.sees_members_only(channel.is_members_only, access)


def post_readable(post: Post, *, user_id: UUID | None, access: CommunityAccess) -> bool:
    """Visibility of one post (the community itself must be visible too)."""
    if post.deleted_at is not None:
        return False
    if not policy.sees_community(post.community.community_type, access):
        return False
    if not channel_readable(post.channel, access):
        return False
    if post.status in (PostStatus.PUBLISHED, PostStatus.ARCHIVED):
        return True
    is_author = user_id is not None and post.author_id == user_id
    if post.status == PostStatus.DRAFT:
        return is_author
    return is_author or access.has("post.moderate")


def post_shareable(post: Post) -> bool:
    """May an anonymous answer showing this post (or its comments) be kept by a shared HTTP
    cache? The policy's rule on the post's facts: published, in a community anyone sees, not
    in a members-only channel, not gated. Its community and channel are loaded (post_readable)."""
    return post.status == PostStatus.PUBLISHED and policy.anonymous_shares(
        post.community.community_type, members_only=post.channel is not None and post.channel.is_members_only,
        gated=bool(post.required_level_ids))


def post_readable_filter(*, user_id: UUID | None, access: CommunityAccess) -> Q:
    """The same rule as post_readable, for a queryset of one community's posts."""
    visible = Q(status__in=[PostStatus.PUBLISHED, PostStatus.ARCHIVED])
    if user_id is not None:
        visible |= Q(author_id=user_id)
    if access.has("post.moderate"):
        visible |= Q(status__in=[PostStatus.PENDING_REVIEW, PostStatus.REJECTED])
    return Q(deleted_at__isnull=True) & visible & policy.insiders_only_q(access, "channel__is_members_only")


def require_readable_post(post: Post | None, *, user_id: UUID | None, access: CommunityAccess) -> Post:
    """The post, or NotFound (an invisible post does not exist for this caller); 403 if banned."""
    if post is not None:
        policy.refuse_banned(access)
    if post is None or not post_readable(post, user_id=user_id, access=access):
        raise NotFound("Post not found.")
    return post


def can_write_in_channel(channel: Channel | None, access: CommunityAccess, code: str) -> bool:
    """May the caller use `code` (post.create or comment.create) in this channel?"""
    try:
        policy.require_can_speak(access)
    except (PermissionDenied, Unauthenticated):
        return False
    if access.is_superadmin or access.is_owner:
        return True
    allowed = access.has(code)
    if channel is not None:
        overwrites = list(
            ChannelOverwrite.objects.filter(channel=channel).filter(
                Q(role_id__in=access.role_ids) | Q(member_id=access.member_id)
            )
        )
        role_level = [o for o in overwrites if o.role_id is not None]
        if any(code in o.deny for o in role_level):
            allowed = False
        if any(code in o.allow for o in role_level):
            allowed = True
        for overwrite in (o for o in overwrites if o.member_id is not None):
            if code in overwrite.deny:
                allowed = False
            if code in overwrite.allow:
                allowed = True
        if code == "post.create" and channel.channel_type == ChannelType.ANNOUNCEMENT:
            allowed = allowed and access.has("post.moderate")
    return allowed


# Posting, commenting and reacting: an active, unbanned, unmuted membership (the policy's rule).
require_can_speak = policy.require_can_speak


def require_can_write(channel: Channel | None, access: CommunityAccess, code: str) -> None:
    """require_can_speak, plus `code` in this channel. Raises PermissionDenied with a code a
    client can act on."""
    policy.require_can_speak(access)
    if not can_write_in_channel(channel, access, code):
        raise PermissionDenied(f"You cannot use {code} here.", code="permission_denied")


# --- Gated posts -----------------------------------------------------------------------------


gate_bypass = policy.gate_bypass  # superadmins, the owner, post.moderate and billing.manage holders


def post_locked(post: Post, *, user_id: UUID | None, access: CommunityAccess) -> bool:
    """Is this post's body, media and comments hidden from the caller?"""
    if not post.required_level_ids:
        return False
    if (user_id is not None and post.author_id == user_id) or gate_bypass(access):
        return False
    return not set(post.required_level_ids) & held_level_ids(user_id=user_id)


def post_locked_annotation(*, user_id: UUID | None, access: CommunityAccess | None) -> ExpressionWrapper | Value:
    """`is_locked` for a queryset of posts: per post in SQL, with the caller's levels read once.

    `access` is the caller's access in the one community being listed, or None across
    communities (global search), where the bypass is worked out per community in SQL.
    """
    if access is not None and gate_bypass(access):
        return Value(False, output_field=BooleanField())
    open_to_caller = Q(required_level_ids=[])
    if user_id is not None:
        open_to_caller |= Q(author_id=user_id)
        held = list(held_level_ids(user_id=user_id))
        if held:
            open_to_caller |= Q(required_level_ids__overlap=held)
        if access is None:
            open_to_caller |= policy.gate_bypass_q(user_id=user_id)
    return ExpressionWrapper(~open_to_caller, output_field=BooleanField())


def require_unlocked(post: Post, *, user_id: UUID | None, access: CommunityAccess) -> Post:
    """Comments, likes and media of a gated post need one of its levels (403 `subscription_required`)."""
    if post_locked(post, user_id=user_id, access=access):
        raise PermissionDenied("This post is for subscribers; subscribe to one of its levels to read it.",
                               code="subscription_required")
    return post


# --- Notices: which of many people may read an object now -----------------------------------


def post_readers(post: Post, user_ids: list[UUID]) -> set[UUID]:
    """Those of `user_ids` who may read `post` in full now (post_readable and not post_locked),
    as a few queries for a whole batch: for notices, where the recipient is not the caller.
    Only active members count (policy.insiders_among): a notice never reaches an outsider."""
    if post.deleted_at is not None:
        return set()
    readers = policy.insiders_among(community_id=post.community_id, user_ids=user_ids)
    if post.status not in (PostStatus.PUBLISHED, PostStatus.ARCHIVED):
        reviewers = policy.holders_among(community_id=post.community_id, user_ids=readers, codes=["post.moderate"])
        readers = {u for u in readers if u == post.author_id} | reviewers if post.status != PostStatus.DRAFT \
            else readers & {post.author_id}
    if post.required_level_ids and readers:
        bypass = policy.holders_among(community_id=post.community_id, user_ids=readers,
                                      codes=policy.GATE_BYPASS_CODES)
        required = set(post.required_level_ids)
        readers = {u for u in readers
                   if u == post.author_id or u in bypass or required & held_level_ids(user_id=u)}
    return readers


def comment_readers(comment: Comment, user_ids: list[UUID]) -> set[UUID]:
    """post_readers of the comment's post, while the comment is live."""
    if comment.is_deleted:
        return set()
    return post_readers(comment.post, user_ids)
