"""Rollup numbers against a hand-computed community, and their idempotence.

The story, three days ago (D1) to yesterday (D3), UTC:
  D1  owner, A, B and X join; A posts P1.
  D2  Y joins, X leaves; B posts P2, A posts P3 (later deleted); B comments on P1 and likes
      P1 and P3.
  D3  Y is kicked; A comments on P1 and likes P2 and B's comment; B comments on P2 (later
      deleted).
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.models import CommunityDay, CommunityWindow, MemberDay, PostDay
from analytics.selectors.communities import community_analytics
from analytics.selectors.members import member_analytics
from analytics.selectors.posts import post_analytics
from analytics.selectors.ranges import day_range
from analytics.services.rollups import rollup_days, rollup_recent
from content.models import Comment, Post, Reaction
from members.models import Member, MemberStatus
from tests.factories import CommentFactory, CommunityFactory, PostFactory, ReactionFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
D1, D2, D3 = (TODAY - dt.timedelta(days=n) for n in (3, 2, 1))


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _dated(model, obj, day: dt.date, **fields) -> None:
    model.objects.filter(pk=obj.pk).update(created_at=at(day), **fields)


@pytest.fixture
def story():
    community = CommunityFactory()
    owner = community.owner
    a, b = member_add(community), member_add(community)
    x = member_add(community, status=MemberStatus.LEFT, left_at=at(D2))
    y = member_add(community, status=MemberStatus.KICKED, left_at=at(D3))
    Member.objects.filter(community=community).update(joined_at=at(D1))
    Member.objects.filter(community=community, user=y).update(joined_at=at(D2))

    def post(author, day, **fields):
        p = PostFactory(community=community, author=author, title=f"by {author.username}", content="x")
        _dated(Post, p, day, **fields)
        return p

    def comment(author, on, day, **fields):
        c = CommentFactory(post=on, author=author, content="y")
        _dated(Comment, c, day, **fields)
        return c

    def like(user, day, **target):
        _dated(Reaction, ReactionFactory(user=user, **({"post": None} | target)), day)  # a post or a comment

    p1, p2 = post(a, D1), post(b, D2)
    p3 = post(a, D2, deleted_at=at(D3))
    c1 = comment(b, p1, D2)
    comment(a, p1, D3)
    comment(b, p2, D3, deleted_at=at(D3, 13))
    like(b, D2, post=p1)
    like(b, D2, post=p3)
    like(a, D3, post=p2)
    like(a, D3, comment=c1)
    return {"community": community, "owner": owner, "a": a, "b": b, "x": x, "y": y, "p1": p1, "p2": p2}


def _snapshot(community) -> dict:
    return {
        "community": sorted(CommunityDay.objects.filter(community=community).values_list(
            "day", "members_joined", "members_left", "posts", "comments", "likes", "active_users")),
        "posts": sorted(PostDay.objects.filter(community=community).values_list("post_id", "day", "likes", "comments")),
        "members": sorted(MemberDay.objects.filter(community=community).values_list(
            "user_id", "day", "posts", "comments", "likes_given", "likes_received")),
        "window": list(CommunityWindow.objects.filter(community=community).values_list(
            "since", "until", "monthly_active_users", "active_posters", "top_donors")),
    }


def test_community_days_match_the_hand_count(story):
    rollup_days(since=D1, until=TODAY)
    assert _snapshot(story["community"])["community"] == [
        # day, joined, left, posts, comments, likes, active users
        (D1, 4, 0, 1, 0, 0, 1),
        (D2, 1, 1, 1, 1, 1, 1),  # P3 is deleted: neither it nor its like counts; A was not active
        (D3, 0, 1, 0, 1, 2, 1),  # the deleted comment does not count
    ]


def test_post_and_member_days_match_the_hand_count(story):
    rollup_days(since=D1, until=TODAY)
    snap = _snapshot(story["community"])
    p1, p2 = story["p1"].pk, story["p2"].pk
    assert snap["posts"] == sorted([(p1, D2, 1, 1), (p1, D3, 0, 1), (p2, D3, 1, 0)])
    a, b = story["a"].pk, story["b"].pk
    assert snap["members"] == sorted([
        (a, D1, 1, 0, 0, 0),
        (a, D2, 0, 0, 0, 1),   # B liked A's P1
        (a, D3, 0, 1, 2, 0),
        (b, D2, 1, 1, 1, 0),
        (b, D3, 0, 0, 0, 2),   # A liked B's P2 and B's comment
    ])


def test_the_dashboard_reads_the_rollups(story):
    rollup_days(since=D1, until=TODAY)
    days = day_range(since=D1, until=TODAY)
    story["community"].refresh_from_db()  # member_count, as the view loads it
    data = community_analytics(community=story["community"], days=days)
    members = data["members"]
    assert members["total"] == 3 and members["active_30d"] == 2
    assert (members["joined_7d"], members["left_7d"]) == (5, 2)
    assert [(g["day"], g["total"]) for g in members["growth"]] == [(D1, 4), (D2, 4), (D3, 3), (TODAY, 3)]
    assert (data["content"]["posts"], data["content"]["comments"]) == (2, 2)
    assert data["content"]["top_posts"][0]["post_id"] == story["p1"].pk
    engagement = data["engagement"]
    assert engagement["likes"] == 3 and engagement["comments_per_post"] == 1.0
    assert engagement["active_posters"] == 2
    assert engagement["dau_mau"] == round(3 / 30 / 2, 4)


def test_the_default_range_reads_its_stored_window_and_it_matches_the_live_queries(story):
    rollup_days(since=D1, until=TODAY)
    community = story["community"]
    community.refresh_from_db()
    days = day_range(since=None, until=None)
    stored = community_analytics(community=community, days=days)
    window = CommunityWindow.objects.get(community=community)
    assert (window.since, window.until) == (days.since, days.until)
    assert (window.monthly_active_users, window.active_posters) == (2, 2)
    assert [row["post_id"] for row in stored["content"]["top_posts"]] == [story["p1"].pk, story["p2"].pk]
    # The dashboard reads the row, not the per-user rows: a changed row shows.
    CommunityWindow.objects.filter(community=community).update(active_posters=99)
    assert community_analytics(community=community, days=days)["engagement"]["active_posters"] == 99
    # Without the row (a new day before the periodic task) the live queries give the same.
    CommunityWindow.objects.filter(community=community).delete()
    assert community_analytics(community=community, days=days) == stored


def test_a_rollup_refreshes_the_window_only_when_its_days_are_in_it(story):
    rollup_days(since=D1, until=TODAY)
    community = story["community"]
    CommunityWindow.objects.filter(community=community).update(active_posters=99)
    long_ago = TODAY - dt.timedelta(days=60)
    rollup_days(since=long_ago, until=long_ago)  # nothing in the last 30 days changed
    assert CommunityWindow.objects.get(community=community).active_posters == 99
    rollup_days(since=D2, until=D2, community_id=community.pk)
    assert CommunityWindow.objects.get(community=community).active_posters == 2


def test_post_and_member_dashboards(story):
    rollup_days(since=D1, until=TODAY)
    days = day_range(since=D1, until=TODAY)
    post = Post.objects.get(pk=story["p1"].pk)
    by_day = post_analytics(post=post, days=days)["by_day"]
    assert [(d["day"], d["likes"], d["comments"]) for d in by_day][:3] == [(D1, 0, 0), (D2, 1, 1), (D3, 0, 1)]
    member = Member.objects.get(community=story["community"], user=story["a"])
    data = member_analytics(member=member, days=days)
    assert data["all_time"] == {"posts": 1, "comments": 1, "likes_given": 2, "likes_received": 1}
    assert data["active_days_in_range"] == 2


def test_replaying_a_rollup_counts_nothing_twice(story):
    rollup_days(since=D1, until=TODAY)
    first = _snapshot(story["community"])
    rollup_days(since=D1, until=TODAY)
    rollup_days(since=D2, until=D2, community_id=story["community"].pk)
    assert _snapshot(story["community"]) == first


def test_a_rebuild_gives_the_numbers_of_the_incremental_path(story):
    for day in (D1, D2, D3, TODAY):  # the periodic task, as it ran each day
        rollup_recent(days=2, today=day)
    incremental = _snapshot(story["community"])
    for model in (CommunityDay, PostDay, MemberDay, CommunityWindow):
        model.objects.all().delete()
    call_command("rebuild_analytics", "--community", str(story["community"].pk), "--since", str(D1))
    assert _snapshot(story["community"]) == incremental
    assert incremental["community"]  # the comparison is not of two empty sets


def test_a_rollup_of_one_community_leaves_the_others_alone(story):
    other = CommunityFactory()
    _dated(Post, PostFactory(community=other, author=UserFactory()), D1)
    rollup_days(since=D1, until=TODAY)
    before = _snapshot(other)
    rollup_days(since=D1, until=TODAY, community_id=story["community"].pk)
    assert _snapshot(other) == before and before["community"]
