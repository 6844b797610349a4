"""Writes for posts: create, edit, status changes, soft delete and moderation.

`community.post_count` counts visible posts (published or archived, not deleted); it
changes with F() updates exactly when a post enters or leaves that set.

Lock order (docs/architecture.md): a write that may move post_count locks the community
row first, then the channel it posts into (KEY SHARE), then the post. Every write re-reads
the post under its lock and treats a post deleted meanwhile as gone (NotFound).
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from communities.audit import audit_record
from communities.locks import community_lock
from communities.models import AuditAction, Community
from communities.services import community_invalidate_cache
from community_service.cache.aside import invalidate_around_commit
from community_service.contracts.entitlements import unknown_level_ids
from community_service.db.transactions import atomic_with_retry, lock_key_share
from community_service.exceptions import Conflict, NotFound, PermissionDenied, UnknownReference
from community_service.outbox.services import outbox_record
from content.access import require_can_write
from content.models import Channel, Post, PostStatus
from members import policy
from members.models import User
from members.selectors.access import CommunityAccess

COUNTED = (PostStatus.PUBLISHED, PostStatus.ARCHIVED)


def max_pinned_posts() -> int:
    """The community-wide cap on pinned posts (MAX_PINNED_POSTS, default 5)."""
    return settings.MAX_PINNED_POSTS

# Status changes an author may make to their own post.
AUTHOR_TRANSITIONS: dict[str, set[str]] = {
    PostStatus.DRAFT: {PostStatus.PUBLISHED},
    PostStatus.PUBLISHED: {PostStatus.ARCHIVED},
    PostStatus.ARCHIVED: {PostStatus.PUBLISHED},
    PostStatus.REJECTED: {PostStatus.DRAFT},
    PostStatus.PENDING_REVIEW: {PostStatus.DRAFT},
}


def _record(event_type: str, post: Post, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="post", aggregate_id=post.pk, community_id=post.community_id,
        payload={"community_id": post.community_id, "post_id": post.pk, "author_id": post.author_id,
                 "channel_id": post.channel_id, **extra},
    )


def _count(community_id: UUID, delta: int) -> None:
    """Precondition: the community row is locked (community_lock), so this UPDATE takes no new lock."""
    Community.objects.filter(pk=community_id).update(post_count=F("post_count") + delta)
    invalidate_around_commit(lambda: community_invalidate_cache(community_id))


def _enter_status(post: Post, new_status: str) -> None:
    """Move a locked post to `new_status`, keeping post_count and published_at right."""
    old_status = post.status
    post.status = new_status
    if new_status == PostStatus.PUBLISHED and post.published_at is None:
        post.published_at = timezone.now()
    if (old_status in COUNTED) != (new_status in COUNTED):
        _count(post.community_id, +1 if new_status in COUNTED else -1)


def _gate_check(community_id: UUID, level_ids: Sequence[UUID], access: CommunityAccess) -> list[UUID]:
    """Setting or lifting a gate needs billing.manage; every level must be the community's."""
    if not access.has("billing.manage"):
        raise PermissionDenied("Only holders of billing.manage can gate a post.", field="required_level_ids")
    level_ids = list(dict.fromkeys(level_ids))
    unknown = unknown_level_ids(community_id=community_id, level_ids=level_ids)
    if unknown:
        names = ", ".join(sorted(str(level_id) for level_id in unknown))
        raise UnknownReference(f"Not a subscription level of this community: {names}.",
                               field="required_level_ids")
    return level_ids


def _locked_post(post_id: UUID, *, related: tuple[str, ...] = ()) -> Post:
    """The live post (with `related` joined, unlocked), locked FOR NO KEY UPDATE; NotFound if
    it was deleted meanwhile."""
    posts = Post.objects.select_for_update(no_key=True, of=("self",)).select_related(*related)
    post = posts.filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None:
        raise NotFound("Post not found.")
    return post


def _lock_channel(channel: Channel | None) -> None:
    """KEY SHARE on the channel a post goes into, so a concurrent channel delete waits for
    this post (and then detaches it) instead of failing its foreign key at commit."""
    if channel is not None and not lock_key_share(Channel, [channel.pk]):
        raise UnknownReference("No such channel in this community.", field="channel_id")


def _publish_or_queue(community: Community, access: CommunityAccess) -> str:
    """Pre-moderated communities hold new posts for review unless the author moderates."""
    if community.post_moderation and not access.has("post.moderate"):
        return PostStatus.PENDING_REVIEW
    return PostStatus.PUBLISHED


@atomic_with_retry
def post_create(
    *, community: Community, author: User, access: CommunityAccess, title: str, content: str,
    channel: Channel | None = None, status: str = PostStatus.PUBLISHED,
    attachment_ids: Sequence[UUID | str] | None = None, required_level_ids: Sequence[UUID] | None = None,
) -> Post:
    """Write a post (or a draft), gated when `required_level_ids` is given (billing.manage).
    Raises PermissionDenied when the caller may not post here, ValidationFailed for unknown levels
    or (`channel_id`) a channel deleted meanwhile."""
    require_can_write(channel, access, "post.create")
    gate = _gate_check(community.pk, required_level_ids, access) if required_level_ids else []
    if status == PostStatus.PUBLISHED:
        community_lock(community.pk)  # post_count may move
    _lock_channel(channel)
    post = Post(community=community, channel=channel, author=author, title=title, content=content,
                status=PostStatus.DRAFT, required_level_ids=gate)
    post.save()
    if attachment_ids:
        from content.services.attachments import attachments_claim

        attachments_claim(community=community, uploader=author, attachment_ids=attachment_ids, post=post)
    if status == PostStatus.PUBLISHED:
        _enter_status(post, _publish_or_queue(community, access))
        post.save(update_fields=["status", "published_at"])
        if post.status == PostStatus.PUBLISHED:
            _record("post.created", post, title=post.title)
    return post


@atomic_with_retry
def post_update(*, post: Post, actor: User, access: CommunityAccess, data: dict[str, Any]) -> Post:
    """Edit a post. Authors edit their own (and move it between draft/published/archived);
    holders of post.update edit others' title and content. Raises PermissionDenied/Conflict,
    NotFound when the post was deleted meanwhile.
    """
    data = dict(data)  # popped below; the caller's dict stays whole for a retry
    if "status" in data:
        community_lock(post.community_id)  # a status change may move post_count
    if "channel" in data:
        _lock_channel(data["channel"])
    post = _locked_post(post.pk, related=("community", "channel"))
    is_author = post.author_id == actor.pk
    if "required_level_ids" in data:
        if list(dict.fromkeys(data["required_level_ids"])) == list(post.required_level_ids):
            data.pop("required_level_ids")
        else:
            data["required_level_ids"] = _gate_check(post.community_id, data["required_level_ids"], access)
    if not is_author and (set(data) - {"required_level_ids"}):
        if not access.has("post.update"):
            raise PermissionDenied("Only the author or a holder of post.update can edit this post.")
        if set(data) - {"title", "content", "required_level_ids"}:
            raise PermissionDenied("Only the author can move or change the status of a post.")
    if "channel" in data and data["channel"] != post.channel:
        require_can_write(data["channel"], access, "post.create")
    changed = sorted(key for key, value in data.items() if getattr(post, key) != value)
    first_publication = False
    if "status" in data and data["status"] != post.status:
        wanted = data.pop("status")
        if wanted not in AUTHOR_TRANSITIONS.get(post.status, set()):
            raise Conflict(f"A {post.status} post cannot become {wanted}.", field="status", code="invalid_transition")
        if wanted == PostStatus.PUBLISHED and post.status == PostStatus.DRAFT:
            require_can_write(post.channel, access, "post.create")
            wanted = _publish_or_queue(post.community, access)
            first_publication = wanted == PostStatus.PUBLISHED and post.published_at is None
        _enter_status(post, wanted)
    data.pop("status", None)
    for attr, value in data.items():
        setattr(post, attr, value)
    post.save()
    if first_publication:
        _record("post.created", post, title=post.title)
    elif changed and post.status in COUNTED:
        _record("post.updated", post, changed=[("channel_id" if c == "channel" else c) for c in changed])
    return post


@atomic_with_retry
def post_delete(*, post: Post, actor: User, access: CommunityAccess, reason: str = "") -> None:
    """Soft-delete. The author may always; others need post.delete (audited as a removal).
    Deleting a deleted post changes nothing."""
    community_lock(post.community_id)  # post_count may move; taken before the post (lock order)
    post = Post.objects.select_for_update(no_key=True).get(pk=post.pk)
    is_author = post.author_id == actor.pk
    if not is_author and not access.has("post.delete"):
        raise PermissionDenied("Only the author or a holder of post.delete can delete this post.")
    if post.deleted_at is not None:
        return
    post.deleted_at = timezone.now()
    post.is_pinned = False
    post.save(update_fields=["deleted_at", "is_pinned", "updated_at"])
    if post.status in COUNTED:
        _count(post.community_id, -1)
    if not is_author:
        audit_record(community_id=post.community_id, actor_id=actor.pk, action=AuditAction.POST_REMOVED,
                     target_type="post", target_id=post.pk, reason=reason)
        _record("post.moderated", post, moderator_id=actor.pk, action="removed", reason=reason)
    _record("post.deleted", post)


MODERATION_ACTIONS: dict[str, tuple[str, set[str]]] = {
    # action: (audit action, allowed current statuses)
    "approve": (AuditAction.POST_APPROVED, {PostStatus.PENDING_REVIEW, PostStatus.REJECTED}),
    "reject": (AuditAction.POST_REJECTED, {PostStatus.PENDING_REVIEW}),
    "pin": (AuditAction.POST_PINNED, {PostStatus.PUBLISHED}),
    "unpin": (AuditAction.POST_UNPINNED, set(PostStatus.values)),
    "lock": (AuditAction.POST_LOCKED, set(PostStatus.values)),
    "unlock": (AuditAction.POST_UNLOCKED, set(PostStatus.values)),
}
EVENT_ACTION = {"approve": "approved", "reject": "rejected", "pin": "pinned", "unpin": "unpinned",
                "lock": "locked", "unlock": "unlocked"}


@atomic_with_retry
def post_moderate(*, post: Post, moderator: User, access: CommunityAccess, action: str, reason: str = "") -> Post:
    """approve | reject | pin | unpin | lock | unlock, audited and published as post.moderated;
    `access` (the moderator's) must hold post.moderate, whichever door called.

    Pinning respects max_pinned_posts() per community (Conflict `pin_limit`). Raises
    NotFound when the post was deleted meanwhile.
    """
    policy.require_permission(access, "post.moderate")
    audit_action, allowed = MODERATION_ACTIONS[action]
    # The community row first: approve and reject move post_count, and two concurrent pins
    # must not both pass the cap.
    if action in ("approve", "reject", "pin"):
        community_lock(post.community_id)
    post = _locked_post(post.pk)
    if post.status not in allowed:
        raise Conflict(f"Cannot {action} a {post.status} post.", code="invalid_transition")
    if action == "approve":
        _enter_status(post, PostStatus.PUBLISHED)
        post.rejection_reason = ""
    elif action == "reject":
        _enter_status(post, PostStatus.REJECTED)
        post.rejection_reason = reason
    elif action == "pin":
        if post.is_pinned:
            return post
        pinned = Post.objects.filter(community_id=post.community_id, is_pinned=True, deleted_at__isnull=True).count()
        if pinned >= max_pinned_posts():
            raise Conflict(f"At most {max_pinned_posts()} posts can be pinned; unpin one first.", code="pin_limit")
        post.is_pinned, post.pinned_at = True, timezone.now()
    elif action == "unpin":
        post.is_pinned, post.pinned_at = False, None
    else:
        post.comments_locked = action == "lock"
    post.save()
    audit_record(community_id=post.community_id, actor_id=moderator.pk, action=audit_action, target_type="post",
                 target_id=post.pk, reason=reason)
    extra = {"reason": reason} if reason else {}
    _record("post.moderated", post, moderator_id=moderator.pk, action=EVENT_ACTION[action], **extra)
    if action == "approve" and post.published_at and post.status == PostStatus.PUBLISHED:
        _record("post.created", post, title=post.title)
    return post



@atomic_with_retry
def post_restore(*, post: Post, actor: User, access: CommunityAccess, reason: str = "") -> Post:
    """Undo a soft delete: the post is back where it was, counted again. Needs post.delete;
    audited and published as post.moderated (`restored`). Raises PermissionDenied, Conflict.
    """
    if not access.has("post.delete"):
        raise PermissionDenied("You need the post.delete permission in this community to restore posts.")
    community_lock(post.community_id)  # post_count moves; taken before the post (lock order)
    post = Post.objects.select_for_update(no_key=True).get(pk=post.pk)
    if post.deleted_at is None:
        raise Conflict("This post is not deleted.", code="not_deleted")
    post.deleted_at = None
    post.save(update_fields=["deleted_at", "updated_at"])
    if post.status in COUNTED:
        _count(post.community_id, +1)
    audit_record(community_id=post.community_id, actor_id=actor.pk, action=AuditAction.POST_RESTORED,
                 target_type="post", target_id=post.pk, reason=reason)
    _record("post.moderated", post, moderator_id=actor.pk, action="restored", **({"reason": reason} if reason else {}))
    return post
