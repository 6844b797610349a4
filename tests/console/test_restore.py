"""Restoring removed content: counters, the comment tree and the audit log come back with it."""

import pytest
from django.urls import reverse

from communities.models import AuditLogEntry
from community_service.exceptions import Conflict, PermissionDenied
from content.models import Comment, Post
from content.services.comments import comment_delete, comment_restore
from members.selectors.access import community_access
from tests.console.conftest import make_post
from tests.factories import CommentFactory, member_add

pytestmark = pytest.mark.django_db


def _comment(post: Post, **fields: object) -> Comment:
    return CommentFactory(post=post, author=post.author, content="c", **fields)


def test_restoring_a_reply_brings_back_the_placeholder_above_it(world):
    post = make_post(world.a)
    root = _comment(post)
    reply = _comment(post, parent=root, thread=root, depth=1)
    access = community_access(community_id=world.a.pk, user=world.moderator)
    comment_delete(comment=root, actor=world.moderator, access=access)     # placeholder: it holds a reply
    comment_delete(comment=reply, actor=world.moderator, access=access)    # both leave the thread
    root.refresh_from_db()
    assert root.reply_count == 0
    comment_restore(comment=reply, actor=world.moderator, access=access, reason="not spam")
    root.refresh_from_db(), reply.refresh_from_db(), post.refresh_from_db()
    assert not reply.is_deleted and root.is_deleted and root.reply_count == 1
    assert post.comment_count == 1
    assert AuditLogEntry.objects.get(action="comment.restored").reason == "not spam"


def test_restore_needs_the_moderation_code_and_a_removed_comment(world):
    post = make_post(world.a)
    comment = _comment(post)
    member = member_add(world.a)
    with pytest.raises(PermissionDenied):
        comment_restore(comment=comment, actor=member, access=community_access(community_id=world.a.pk, user=member))
    with pytest.raises(Conflict):
        comment_restore(comment=comment, actor=world.moderator,
                        access=community_access(community_id=world.a.pk, user=world.moderator))


def test_comments_are_removed_and_restored_in_bulk_from_the_console(world):
    post = make_post(world.a)
    comment = _comment(post)
    url = reverse("admin:content_comment_changelist")
    world.client.post(url, {"action": "remove_comments", "_selected_action": [str(comment.pk)], "confirmed": "yes"})
    comment.refresh_from_db()
    assert comment.is_deleted
    world.client.post(url, {"action": "restore_comments", "_selected_action": [str(comment.pk)]})
    comment.refresh_from_db(), post.refresh_from_db()
    assert not comment.is_deleted and post.comment_count == 1
