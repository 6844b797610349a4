"""Content's notification rules: who hears of a post, a comment or a like (issue 38).

The machinery is community_service/notifications; content decides who is concerned and,
through content.access (members/policy.py underneath), who may read the object now:

- `mention` — `@username` in a post or comment: members of that community only, at most
  NOTIFICATIONS_MAX_MENTIONS distinct names per message, never the author;
- `reply` — a comment on my post, or a reply to my comment;
- `reaction` — likes on my post or comment, folded into one unread notice per object
  ("alice and 3 others liked …");
- `watched_post` — a new post in a community or channel I watch (a background fan-out);
- `post_moderated` / `comment_removed` — my post approved, rejected or removed, or my comment
  removed, with the moderator's reason (urgent: mailed at once);
- `report_decided` — what came of what I reported, as Discourse tells flaggers (the author
  hears of the action itself through the events above and members' ban and mute notices).
"""

import re
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models.functions import Lower

from community_service.notifications.consumer import rule_register
from community_service.notifications.models import Delivery
from community_service.notifications.registry import DIRECT, PERSONAL, WATCHED, Notice, NoticeType, notice_type_register
from community_service.notifications.selectors import watchers
from community_service.outbox.models import OutboxEvent
from content.access import comment_readers, post_readers
from content.models import Comment, Post
from members import policy
from members.models import User

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w)")

TYPES = (
    # Addressed to me by name: mailed at once, as Discourse does (the rest waits for the digest).
    NoticeType("mention", "Mentions of me", default=Delivery.BOTH, urgent=True, reach=DIRECT),
    NoticeType("reply", "Replies to my posts and comments", default=Delivery.BOTH, reach=DIRECT),
    NoticeType("reaction", "Likes on my posts and comments", reach=PERSONAL),
    NoticeType("watched_post", "New posts where I watch", reach=WATCHED),
    NoticeType("post_moderated", "My post approved, rejected or removed", default=Delivery.BOTH, urgent=True,
               reach=DIRECT),
    NoticeType("comment_removed", "My comment removed", default=Delivery.BOTH, urgent=True, reach=DIRECT),
    NoticeType("report_decided", "What came of my reports", reach=DIRECT),
)


def post_url(post_id: object) -> str:
    return f"/api/v1/posts/{post_id}"


def mentioned_users(text: str, *, limit: int | None = None) -> list[UUID]:
    """Ids of the first `limit` distinct @usernames of `text` that are accounts (case-insensitive)."""
    limit = settings.NOTIFICATIONS_MAX_MENTIONS if limit is None else limit
    names = list(dict.fromkeys(name.lower() for name in MENTION.findall(text)))[:limit]
    if not names:
        return []
    return list(User.objects.annotate(handle=Lower("username")).filter(handle__in=names, is_active=True)
                .values_list("pk", flat=True))


def _username(user_id: UUID | str | None) -> str:
    if user_id is None:
        return "someone"
    return User.objects.filter(pk=user_id).values_list("username", flat=True).first() or "someone"


def _live_post(post_id: UUID | str) -> Post | None:
    return Post.objects.select_related("community", "channel").filter(pk=post_id).first()


def on_post_created(event: OutboxEvent) -> list[Notice]:
    post = _live_post(event.payload["post_id"])
    if post is None:
        return []
    actor = _username(post.author_id)
    common: dict[str, Any] = {"source_event_id": event.event_id, "readable": lambda ids: post_readers(post, ids),
              "community_id": post.community_id, "channel_id": post.channel_id, "actor_id": post.author_id,
              "object_type": "post", "object_id": str(post.pk), "url": post_url(post.pk),
              "data": {"post_id": str(post.pk), "title": post.title}}
    where = f" in #{post.channel.name}" if post.channel else ""
    return [
        Notice(type="mention", text=f"{actor} mentioned you in “{post.title}”",
               recipients=mentioned_users(f"{post.title}\n{post.content}"), **common),
        Notice(type="watched_post", text=f"New post{where} by {actor}: “{post.title}”",
               audience=lambda after, limit: watchers(community_id=post.community_id, channel_id=post.channel_id,
                                                      after=after, limit=limit), **common),
    ]


def on_comment_created(event: OutboxEvent) -> list[Notice]:
    comment = Comment.objects.select_related("post", "parent").filter(pk=event.payload["comment_id"]).first()
    if comment is None:
        return []
    post = comment.post
    actor = _username(comment.author_id)
    common: dict[str, Any] = {"source_event_id": event.event_id, "readable": lambda ids: comment_readers(comment, ids),
              "community_id": comment.community_id, "channel_id": post.channel_id, "actor_id": comment.author_id,
              "object_type": "comment", "object_id": str(comment.pk), "url": post_url(post.pk),
              "data": {"post_id": str(post.pk), "comment_id": str(comment.pk), "title": post.title}}
    notices = []
    if comment.parent is not None:
        notices.append(Notice(type="reply", text=f"{actor} replied to your comment on “{post.title}”",
                              recipients=[comment.parent.author_id], **common))
    notices += [
        Notice(type="reply", text=f"{actor} commented on your post “{post.title}”", recipients=[post.author_id],
               **common),
        Notice(type="mention", text=f"{actor} mentioned you in a comment on “{post.title}”",
               recipients=mentioned_users(comment.content), **common),
    ]
    return notices


def on_post_liked(event: OutboxEvent) -> list[Notice]:
    post = _live_post(event.payload["post_id"])
    if post is None:
        return []
    actor = _username(event.payload["user_id"])
    return [Notice(
        type="reaction", text=f"{actor} liked your post “{post.title}”",
        collapsed_text=f"{actor} and {{others}} others liked your post “{post.title}”",
        collapse_key=f"reaction:post:{post.pk}", source_event_id=event.event_id,
        readable=lambda ids: post_readers(post, ids), recipients=[post.author_id],
        community_id=post.community_id, channel_id=post.channel_id, actor_id=UUID(event.payload["user_id"]),
        object_type="post", object_id=str(post.pk), url=post_url(post.pk), data={"post_id": str(post.pk)},
    )]


def on_comment_liked(event: OutboxEvent) -> list[Notice]:
    comment = Comment.objects.select_related("post").filter(pk=event.payload["comment_id"]).first()
    if comment is None:
        return []
    actor = _username(event.payload["user_id"])
    title = comment.post.title
    return [Notice(
        type="reaction", text=f"{actor} liked your comment on “{title}”",
        collapsed_text=f"{actor} and {{others}} others liked your comment on “{title}”",
        collapse_key=f"reaction:comment:{comment.pk}", source_event_id=event.event_id,
        readable=lambda ids: comment_readers(comment, ids), recipients=[comment.author_id],
        community_id=comment.community_id, channel_id=comment.post.channel_id,
        actor_id=UUID(event.payload["user_id"]), object_type="comment", object_id=str(comment.pk),
        url=post_url(comment.post_id), data={"post_id": str(comment.post_id), "comment_id": str(comment.pk)},
    )]


MODERATION_TEXT = {"approved": "was approved", "rejected": "was rejected", "removed": "was removed by a moderator",
                   "restored": "was restored"}


def on_post_moderated(event: OutboxEvent) -> list[Notice]:
    action = event.payload["action"]
    if action not in MODERATION_TEXT:
        return []  # pins and locks are not news for the author
    post = Post.objects.filter(pk=event.payload["post_id"]).only("id", "title", "author_id", "community_id").first()
    if post is None:
        return []
    reason = event.payload.get("reason") or ""
    community_id = post.community_id
    return [Notice(
        type="post_moderated", text=f"Your post “{post.title}” {MODERATION_TEXT[action]}"
        + (f": {reason}" if reason else "."), source_event_id=event.event_id,
        # The author is told about their own post even once it is gone, while still a member.
        readable=lambda ids: policy.insiders_among(community_id=community_id, user_ids=ids),
        recipients=[post.author_id], community_id=community_id, actor_id=UUID(event.payload["moderator_id"]),
        object_type="post", object_id=str(post.pk), url=post_url(post.pk),
        data={"post_id": str(post.pk), "action": action, "reason": reason},
    )]


def on_comment_moderated(event: OutboxEvent) -> list[Notice]:
    if event.payload["action"] != "removed":
        return []
    comment = Comment.objects.select_related("post").filter(pk=event.payload["comment_id"]).first()
    if comment is None:
        return []
    reason = event.payload.get("reason") or ""
    community_id = comment.community_id
    return [Notice(
        type="comment_removed", text=f"Your comment on “{comment.post.title}” was removed by a moderator"
        + (f": {reason}" if reason else "."), source_event_id=event.event_id,
        readable=lambda ids: policy.insiders_among(community_id=community_id, user_ids=ids),
        recipients=[comment.author_id], community_id=community_id, actor_id=UUID(event.payload["moderator_id"]),
        object_type="comment", object_id=str(comment.pk), url=post_url(comment.post_id),
        data={"post_id": str(comment.post_id), "comment_id": str(comment.pk), "reason": reason},
    )]


REPORT_OUTCOME = {"approve": "reviewed and kept", "remove": "removed", "lock": "closed to new comments",
                  "ban": "acted on: its author was banned", "mute": "acted on: its author was muted"}


def on_report_decided(event: OutboxEvent) -> list[Notice]:
    payload = event.payload
    community_id = UUID(payload["community_id"])
    target = {"post": "post", "comment": "comment"}.get(payload["target_type"], "member")
    reason = payload.get("reason") or ""
    return [Notice(
        type="report_decided", text=f"The {target} you reported was {REPORT_OUTCOME[payload['decision']]}"
        + (f": {reason}" if reason else "."), source_event_id=event.event_id,
        # A reporter still inside the community hears; the reported content is not shown again.
        readable=lambda ids: policy.insiders_among(community_id=community_id, user_ids=ids),
        recipients=[UUID(user_id) for user_id in payload["reporter_ids"]], community_id=community_id,
        actor_id=UUID(payload["moderator_id"]), object_type="report", object_id=str(payload["report_id"]),
        data={"target_type": payload["target_type"], "decision": payload["decision"], "reason": reason},
    )]


def notices_register() -> None:
    notice_type_register(*TYPES)
    rule_register("post.created", on_post_created)
    rule_register("comment.created", on_comment_created)
    rule_register("post.liked", on_post_liked)
    rule_register("comment.liked", on_comment_liked)
    rule_register("post.moderated", on_post_moderated)
    rule_register("comment.moderated", on_comment_moderated)
    rule_register("report.decided", on_report_decided)
