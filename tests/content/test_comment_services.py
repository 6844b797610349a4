"""The comment services' rules, called directly: where comments may go, threading and its
depth limit, edits, deletion with placeholders, and the counters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import AuditLogEntry, Community
from community_service.exceptions import Conflict, NotFound, PermissionDenied, UnknownReference
from community_service.outbox.models import OutboxEvent
from content.models import Comment, Post, PostStatus
from content.services.comments import comment_create, comment_delete, comment_update
from members.models import User
from members.selectors.access import CommunityAccess, community_access
from tests.factories import CommunityFactory, PostFactory, member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def community() -> Community:
    return CommunityFactory()


@pytest.fixture
def post(community) -> Post:
    return PostFactory(community=community, author=member_add(community))


def _access(community: Community, user: User) -> CommunityAccess:
    return community_access(community_id=community.pk, user=user)


def _comment(post: Post, author: User, parent: Comment | None = None, content: str = "Hi") -> Comment:
    return comment_create(post=post, author=author, access=_access(post.community, author), content=content,
                          parent_id=parent.pk if parent else None)


def _delete(comment: Comment, actor: User) -> None:
    comment_delete(comment=comment, actor=actor, access=_access(comment.community, actor))


def _counts(post: Post, *comments: Comment) -> tuple[int, ...]:
    post.refresh_from_db()
    for comment in comments:
        comment.refresh_from_db()
    return (post.comment_count, *(comment.reply_count for comment in comments))


# Create


def test_a_comment_counts_on_its_post_and_is_announced(community, post):
    comment = _comment(post, member_add(community))
    assert _counts(post) == (1,)
    assert list(OutboxEvent.objects.filter(aggregate_id=str(comment.pk)).values_list("event_type", flat=True)) == [
        "comment.created"
    ]


def test_a_reply_joins_its_parents_thread_one_level_deeper(community, post):
    member = member_add(community)
    root = _comment(post, member)
    reply = _comment(post, member, parent=root)
    deeper = _comment(post, member, parent=reply)
    assert (reply.thread_id, reply.depth) == (root.pk, 1)
    assert (deeper.thread_id, deeper.depth) == (root.pk, 2)
    assert _counts(post, root, reply) == (3, 1, 1)


def test_replies_stop_at_the_depth_limit(community, post, settings):
    settings.COMMENT_MAX_DEPTH = 1
    member = member_add(community)
    reply = _comment(post, member, parent=_comment(post, member))
    with pytest.raises(Conflict) as refused:
        _comment(post, member, parent=reply)
    assert (refused.value.field, refused.value.code) == ("parent_id", "too_deep")


def test_a_reply_to_a_comment_of_another_post_is_refused(community, post):
    member = member_add(community)
    elsewhere = PostFactory(community=community, author=member)
    with pytest.raises(UnknownReference) as refused:
        _comment(post, member, parent=_comment(elsewhere, member))
    assert (refused.value.field, refused.value.code) == ("parent_id", "does_not_exist")


@pytest.mark.parametrize("status", [PostStatus.DRAFT, PostStatus.PENDING_REVIEW, PostStatus.ARCHIVED])
def test_only_published_posts_take_comments(community, post, status):
    Post.objects.filter(pk=post.pk).update(status=status)
    with pytest.raises(Conflict) as refused:
        _comment(post, member_add(community))
    assert refused.value.code == "post_not_published"


def test_a_post_deleted_meanwhile_takes_no_comment(community, post):
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())  # after the view read it
    with pytest.raises(NotFound):
        _comment(post, member_add(community))
    assert _counts(post) == (0,)


def test_locked_comments_refuse_members_but_not_moderators(community, post):
    Post.objects.filter(pk=post.pk).update(comments_locked=True)
    with pytest.raises(PermissionDenied) as refused:
        _comment(post, member_add(community))
    assert refused.value.code == "comments_locked"
    assert _comment(post, member_add(community, role="Moderator")).pk


def test_muted_and_outside_users_cannot_comment(community, post):
    muted = member_add(community, muted_until=timezone.now() + timedelta(hours=1))
    for user in (muted, member_add(CommunityFactory())):
        with pytest.raises(PermissionDenied):
            _comment(post, user)


# Update


def test_the_author_edits_a_comment_and_it_is_marked_edited(community, post):
    author = member_add(community)
    comment = _comment(post, author)
    same = comment_update(comment=comment, actor=author, access=_access(community, author), content="Hi")
    assert not same.is_edited  # no change, no mark
    edited = comment_update(comment=comment, actor=author, access=_access(community, author), content="Hello")
    assert (edited.content, edited.is_edited) == ("Hello", True)


def test_nobody_edits_anothers_comment_not_even_a_moderator(community, post):
    comment = _comment(post, member_add(community))
    moderator = member_add(community, role="Moderator")
    with pytest.raises(PermissionDenied) as refused:
        comment_update(comment=comment, actor=moderator, access=_access(community, moderator), content="Mine")
    assert refused.value.code == "not_author"


def test_a_deleted_comment_cannot_be_edited(community, post):
    author = member_add(community)
    comment = _comment(post, author)
    _delete(comment, author)
    with pytest.raises(Conflict) as refused:
        comment_update(comment=comment, actor=author, access=_access(community, author), content="Back")
    assert refused.value.code == "comment_deleted"


# Delete


def test_deleting_a_comment_with_replies_leaves_a_placeholder_that_still_holds_them(community, post):
    member = member_add(community)
    root = _comment(post, member)
    _comment(post, member, parent=root)
    _delete(root, member)
    assert _counts(post, root) == (1, 1)  # one live comment; the placeholder still shows its reply
    assert Comment.objects.get(pk=root.pk).is_deleted


def test_the_last_reply_under_placeholders_takes_them_out_of_the_thread(community, post):
    member = member_add(community)
    root = _comment(post, member)
    middle = _comment(post, member, parent=root)
    leaf = _comment(post, member, parent=middle)
    _delete(root, member)
    _delete(middle, member)
    _delete(leaf, member)
    assert _counts(post, root, middle) == (0, 0, 0)


def test_deleting_twice_uncounts_once(community, post):
    author = member_add(community)
    comment = _comment(post, author)
    _delete(comment, author)
    _delete(comment, author)
    assert _counts(post) == (0,)
    assert OutboxEvent.objects.filter(aggregate_id=str(comment.pk), event_type="comment.deleted").count() == 1


def test_a_moderators_removal_is_audited_and_announced(community, post):
    comment = _comment(post, member_add(community))
    moderator = member_add(community, role="Moderator")
    comment_delete(comment=comment, actor=moderator, access=_access(community, moderator), reason="rude")
    events = list(OutboxEvent.objects.filter(aggregate_id=str(comment.pk)).order_by("id")
                  .values_list("event_type", flat=True))
    assert events == ["comment.created", "comment.moderated", "comment.deleted"]
    assert AuditLogEntry.objects.get(target_id=str(comment.pk)).reason == "rude"


def test_a_member_cannot_delete_anothers_comment(community, post):
    comment = _comment(post, member_add(community))
    with pytest.raises(PermissionDenied):
        _delete(comment, member_add(community))
    assert _counts(post) == (1,)
