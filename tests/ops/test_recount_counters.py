"""recount_counters: drifted counters are found, fixed exactly, and reported; writes racing it are kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from communities.models import Community
from community_service.db.counters import counter_recount, counter_specs
from content.models import Comment, Reaction
from members.services.memberships import member_join
from tests.concurrency import run_concurrently
from tests.factories import CommentFactory, CommunityFactory, PostFactory, UserFactory, member_add


def recount(*args: str) -> str:
    out = StringIO()
    call_command("recount_counters", "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_drifted_counters_are_fixed_and_reported():
    community = CommunityFactory()
    author = member_add(community)
    post = PostFactory(community=community, author=author)
    # about creation: counter drift — raw creates leave the like, comment and reply counts
    # at 0 for the recount to find and fix.
    Reaction.objects.create(user=author, post=post)
    root = Comment.objects.create(post=post, community=community, author=author, content="root")
    Comment.objects.create(post=post, community=community, author=author, content="reply", parent=root,
                           thread=root, depth=1)
    Community.objects.filter(pk=community.pk).update(member_count=99, post_count=7)
    output = recount()
    community.refresh_from_db(), post.refresh_from_db(), root.refresh_from_db()
    assert (community.member_count, community.post_count) == (2, 1)
    assert (post.like_count, post.comment_count, root.reply_count) == (1, 2, 1)
    assert f"communities.Community.member_count: 1 row(s) fixed\n  {community.pk}: 99 -> 2" in output
    assert "content.Post.comment_count: 1 row(s) fixed" in output
    assert recount().endswith("fixed 0 row(s) in total\n")


@pytest.mark.django_db
def test_dry_run_reports_and_changes_nothing():
    community = CommunityFactory()
    Community.objects.filter(pk=community.pk).update(member_count=5)
    assert "communities.Community.member_count: 1 row(s) drifted" in recount("--dry-run")
    community.refresh_from_db()
    assert community.member_count == 5


@pytest.mark.django_db
def test_a_placeholder_shows_only_while_it_holds_replies():
    community = CommunityFactory()
    author = member_add(community)
    root = CommentFactory(post=PostFactory(community=community, author=author), author=author, content="root")
    gone = CommentFactory(parent=root, author=author, content="x", deleted=True)
    CommentFactory(parent=gone, author=author, content="y", deleted=True)
    recount("--only", "content.Comment.reply_count")
    gone.refresh_from_db(), root.refresh_from_db()
    # Both replies below are deleted: the placeholder holds nothing, so the root shows no reply.
    assert (gone.reply_count, root.reply_count) == (0, 0)


def test_unknown_counters_are_refused_by_name():
    with pytest.raises(CommandError, match="Unknown counter nope"):
        call_command("recount_counters", "--only", "nope")


@pytest.mark.django_db(transaction=True)
def test_joins_racing_a_recount_are_all_counted():
    community = CommunityFactory()
    Community.objects.filter(pk=community.pk).update(member_count=0)  # drift to repair meanwhile
    users = [UserFactory() for _ in range(12)]
    spec = next(spec for spec in counter_specs() if spec.name == "communities.Community.member_count")

    def join(user):
        return lambda: member_join(community=Community.objects.get(pk=community.pk), user=user)

    def recount_often():
        for _ in range(5):
            counter_recount(spec, fix=True, batch_size=1)

    run_concurrently([recount_often, *(join(user) for user in users), recount_often])
    community.refresh_from_db()
    assert community.member_count == 13 == community.members.filter(status="active").count()
