"""The post services' rules, called directly: status transitions, counting, the pin cap,
moderation, deletion. (tests/content/test_posts_api.py covers the same through HTTP.)"""

# Why this is long: one test per rule and refusal of the post services, as STYLE.md asks.

import pytest
from django.utils import timezone

from communities.models import AuditLogEntry, Community
from community_service.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from community_service.outbox.models import OutboxEvent
from content.models import Channel, Post, PostStatus
from content.services.posts import AUTHOR_TRANSITIONS, post_create, post_delete, post_moderate, post_update
from members.models import User
from members.selectors.access import CommunityAccess, community_access
from tests.factories import ChannelFactory, CommunityFactory, PostFactory, member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def community() -> Community:
    return CommunityFactory()



def _trait(status: str) -> dict[str, bool]:
    """PostFactory's trait for a post in `status` (published is its default)."""
    return {} if status == PostStatus.PUBLISHED else {status: True}


def _as(moderator, post):
    """The moderator's access in the post's community, as the door that calls post_moderate hands it."""
    return community_access(community_id=post.community_id, user=moderator)


def _access(community: Community, user: User) -> CommunityAccess:
    return community_access(community_id=community.pk, user=user)


def _write(community: Community, author: User, **fields: object) -> Post:
    return post_create(community=community, author=author, access=_access(community, author), title="Title",
                       content="Body", **fields)


def _post_count(community: Community) -> int:
    community.refresh_from_db()
    return community.post_count


def _events(post: Post) -> list[str]:
    return list(OutboxEvent.objects.filter(aggregate_id=str(post.pk)).order_by("id").values_list("event_type",
                                                                                                 flat=True))


# Create


def test_a_published_post_is_counted_and_announced(community):
    post = _write(community, member_add(community))
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert _post_count(community) == 1
    assert _events(post) == ["post.created"]


def test_a_draft_is_neither_counted_nor_announced(community):
    post = _write(community, member_add(community), status=PostStatus.DRAFT)
    assert post.status == PostStatus.DRAFT and post.published_at is None
    assert _post_count(community) == 0
    assert _events(post) == []


def test_a_pre_moderated_community_queues_a_members_post_for_review(community):
    Community.objects.filter(pk=community.pk).update(post_moderation=True)
    community.refresh_from_db()
    post = _write(community, member_add(community))
    assert post.status == PostStatus.PENDING_REVIEW
    assert _post_count(community) == 0
    assert _events(post) == []


def test_a_moderators_post_skips_pre_moderation(community):
    Community.objects.filter(pk=community.pk).update(post_moderation=True)
    community.refresh_from_db()
    post = _write(community, member_add(community, role="Moderator"))
    assert post.status == PostStatus.PUBLISHED and _post_count(community) == 1


def test_a_non_member_cannot_post(community):
    with pytest.raises(PermissionDenied):
        _write(community, member_add(CommunityFactory()))
    assert Post.objects.count() == 0


def test_posting_into_a_channel_deleted_meanwhile_names_channel_id(community):
    author = member_add(community)
    channel = ChannelFactory(community=community, name="Gone", slug="gone")
    Channel.objects.filter(pk=channel.pk).delete()  # the view resolved it a moment earlier
    with pytest.raises(ValidationFailed) as refused:
        _write(community, author, channel=channel)
    assert refused.value.field == "channel_id"
    assert Post.objects.count() == 0 and _post_count(community) == 0


# Status transitions by the author


@pytest.mark.parametrize(
    ("start", "wanted"),
    [(start, wanted) for start in PostStatus.values for wanted in PostStatus.values if start != wanted],
)
def test_an_author_moves_a_post_only_along_the_allowed_transitions(community, start, wanted):
    author = member_add(community)
    post = PostFactory(community=community, author=author, **_trait(start))
    allowed = wanted in AUTHOR_TRANSITIONS.get(start, set())
    if allowed:
        post = post_update(post=post, actor=author, access=_access(community, author), data={"status": wanted})
        assert post.status == wanted
    else:
        with pytest.raises(Conflict) as refused:
            post_update(post=post, actor=author, access=_access(community, author), data={"status": wanted})
        assert refused.value.code == "invalid_transition"
        post.refresh_from_db()
        assert post.status == start


def test_archiving_and_republishing_move_the_count_and_keep_the_first_publication_date(community):
    author = member_add(community)
    post = _write(community, author)
    published_at = post.published_at
    post_update(post=post, actor=author, access=_access(community, author), data={"status": PostStatus.ARCHIVED})
    assert _post_count(community) == 1  # archived posts stay visible, and counted
    post = post_update(post=post, actor=author, access=_access(community, author),
                       data={"status": PostStatus.PUBLISHED})
    assert post.published_at == published_at and _post_count(community) == 1
    # Republishing is a change of status, not a new publication.
    assert _events(post) == ["post.created", "post.updated", "post.updated"]


def test_publishing_a_draft_counts_and_announces_it_once(community):
    author = member_add(community)
    post = _write(community, author, status=PostStatus.DRAFT)
    post = post_update(post=post, actor=author, access=_access(community, author),
                       data={"status": PostStatus.PUBLISHED})
    assert post.status == PostStatus.PUBLISHED and _post_count(community) == 1
    assert _events(post) == ["post.created"]


def test_post_update_leaves_the_callers_data_whole_so_a_retry_sees_the_same_change(community):
    author = member_add(community)
    post = _write(community, author, status=PostStatus.DRAFT)
    data = {"status": PostStatus.PUBLISHED, "title": "New"}
    post_update(post=post, actor=author, access=_access(community, author), data=data)
    assert data == {"status": PostStatus.PUBLISHED, "title": "New"}


# Editing others' posts


def test_a_holder_of_post_update_edits_anothers_title_but_not_its_status(community):
    author, moderator = member_add(community), member_add(community, role="Moderator")
    post = _write(community, author)
    post = post_update(post=post, actor=moderator, access=_access(community, moderator), data={"title": "Fixed"})
    assert post.title == "Fixed"
    with pytest.raises(PermissionDenied):
        post_update(post=post, actor=moderator, access=_access(community, moderator),
                    data={"status": PostStatus.ARCHIVED})


def test_a_member_cannot_edit_anothers_post(community):
    post = _write(community, member_add(community))
    other = member_add(community)
    with pytest.raises(PermissionDenied):
        post_update(post=post, actor=other, access=_access(community, other), data={"title": "Mine now"})


def test_only_real_changes_are_announced_as_updated(community):
    author = member_add(community)
    post = _write(community, author)
    post_update(post=post, actor=author, access=_access(community, author), data={"title": "Title"})
    post_update(post=post, actor=author, access=_access(community, author), data={"content": "Other"})
    assert _events(post) == ["post.created", "post.updated"]


# Delete


def test_deleting_a_post_uncounts_it_once_and_a_second_delete_changes_nothing(community):
    author = member_add(community)
    post = _write(community, author)
    post_delete(post=post, actor=author, access=_access(community, author))
    post_delete(post=post, actor=author, access=_access(community, author))
    assert _post_count(community) == 0
    assert _events(post) == ["post.created", "post.deleted"]


def test_deleting_a_draft_leaves_the_count_alone(community):
    author = member_add(community)
    _write(community, author)
    draft = _write(community, author, status=PostStatus.DRAFT)
    post_delete(post=draft, actor=author, access=_access(community, author))
    assert _post_count(community) == 1


def test_a_moderators_removal_is_audited_and_published_as_moderated(community):
    post = _write(community, member_add(community))
    moderator = member_add(community, role="Moderator")
    post_delete(post=post, actor=moderator, access=_access(community, moderator), reason="spam")
    assert _events(post) == ["post.created", "post.moderated", "post.deleted"]
    entry = AuditLogEntry.objects.get(target_id=str(post.pk))
    assert (entry.action, entry.actor_id, entry.reason) == ("post.removed", moderator.pk, "spam")


def test_a_member_cannot_delete_anothers_post(community):
    post = _write(community, member_add(community))
    other = member_add(community)
    with pytest.raises(PermissionDenied):
        post_delete(post=post, actor=other, access=_access(community, other))
    post.refresh_from_db()
    assert post.deleted_at is None


# Moderation


def _moderator(community: Community) -> User:
    return member_add(community, role="Moderator")


def test_pinning_stops_at_the_community_cap(community, settings):
    settings.MAX_PINNED_POSTS = 2
    author, moderator = member_add(community), _moderator(community)
    first, second, third = (_write(community, author) for _ in range(3))
    post_moderate(post=first, moderator=moderator, access=_as(moderator, first), action="pin")
    post_moderate(post=second, moderator=moderator, access=_as(moderator, second), action="pin")
    with pytest.raises(Conflict) as refused:
        post_moderate(post=third, moderator=moderator, access=_as(moderator, third), action="pin")
    assert refused.value.code == "pin_limit"
    post_moderate(post=first, moderator=moderator, access=_as(moderator, first), action="unpin")
    assert post_moderate(post=third, moderator=moderator, access=_as(moderator, third), action="pin").is_pinned


def test_deleting_a_pinned_post_frees_its_pin_slot(community, settings):
    settings.MAX_PINNED_POSTS = 1
    author, moderator = member_add(community), _moderator(community)
    first, second = _write(community, author), _write(community, author)
    post_moderate(post=first, moderator=moderator, access=_as(moderator, first), action="pin")
    post_delete(post=first, actor=author, access=_access(community, author))
    assert post_moderate(post=second, moderator=moderator, access=_as(moderator, second), action="pin").is_pinned


def test_pinning_a_pinned_post_changes_nothing(community):
    post = _write(community, member_add(community))
    moderator = _moderator(community)
    post_moderate(post=post, moderator=moderator, access=_as(moderator, post), action="pin")
    post_moderate(post=post, moderator=moderator, access=_as(moderator, post), action="pin")
    assert _events(post).count("post.moderated") == 1


@pytest.mark.parametrize("status", [PostStatus.DRAFT, PostStatus.PENDING_REVIEW, PostStatus.ARCHIVED,
                                    PostStatus.REJECTED])
def test_only_published_posts_can_be_pinned(community, status):
    post = PostFactory(community=community, author=member_add(community), **_trait(status))
    with pytest.raises(Conflict) as refused:
        post_moderate(post=post, moderator=_moderator(community), access=_as(_moderator(community), post), action="pin")
    assert refused.value.code == "invalid_transition"


def test_approving_a_queued_post_publishes_counts_and_announces_it(community):
    post = PostFactory(community=community, author=member_add(community), pending_review=True)
    post = post_moderate(post=post, moderator=_moderator(community), access=_as(_moderator(community), post),
                         action="approve")
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert _post_count(community) == 1
    assert _events(post) == ["post.moderated", "post.created"]


def test_a_rejected_post_keeps_the_reason_and_can_still_be_approved(community):
    post = PostFactory(community=community, author=member_add(community), pending_review=True)
    moderator = _moderator(community)
    post = post_moderate(post=post, moderator=moderator, access=_as(moderator, post), action="reject",
                         reason="off topic")
    assert (post.status, post.rejection_reason) == (PostStatus.REJECTED, "off topic")
    assert _post_count(community) == 0
    post = post_moderate(post=post, moderator=moderator, access=_as(moderator, post), action="approve")
    assert (post.status, post.rejection_reason) == (PostStatus.PUBLISHED, "")


def test_a_published_post_cannot_be_rejected(community):
    post = _write(community, member_add(community))
    with pytest.raises(Conflict):
        post_moderate(post=post, moderator=_moderator(community), access=_as(_moderator(community), post),
                      action="reject", reason="late")


def test_lock_and_unlock_toggle_comments_and_are_audited(community):
    post = _write(community, member_add(community))
    moderator = _moderator(community)
    assert post_moderate(post=post, moderator=moderator, access=_as(moderator, post), action="lock").comments_locked
    assert not post_moderate(post=post, moderator=moderator, access=_as(moderator, post),
                             action="unlock").comments_locked
    actions = list(AuditLogEntry.objects.filter(target_id=str(post.pk)).order_by("created_at")
                   .values_list("action", flat=True))
    assert actions == ["post.locked", "post.unlocked"]


@pytest.mark.parametrize("action", ["approve", "reject", "pin", "unpin", "lock", "unlock"])
def test_moderating_a_post_deleted_meanwhile_is_not_found_and_changes_nothing(community, action):
    author = member_add(community)
    post = _write(community, author)
    stale = Post.objects.get(pk=post.pk)  # what the view read before the delete committed
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    with pytest.raises(NotFound):
        post_moderate(post=stale, moderator=_moderator(community), access=_as(_moderator(community), stale),
                      action=action)
    assert not AuditLogEntry.objects.filter(target_id=str(post.pk)).exists()
