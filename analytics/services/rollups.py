"""Daily rollups, recomputed from the raw tables one day range at a time.

A day's rows are deleted and rebuilt in one transaction by INSERT ... SELECT inside
PostgreSQL, so a rollup is idempotent: the periodic task, a replay and `rebuild_analytics`
all leave the same numbers, and nothing is counted twice. Concurrent runs serialise on an
advisory lock. What counts: non-deleted posts and comments by their creation day, likes by
the day they were given (an unlike removes the like), joins by `joined_at`, departures
(left, kicked, banned) by `left_at`, donations by the day they settled and refunds by the
day they were refunded. Days are UTC.

Each rollup that touches the last month also recomputes, in its transaction, the
CommunityWindow rows of the default dashboard range ending today (distinct users, top posts
and donors), so those rows always agree with the daily rows beside them.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import connection, transaction

from analytics.models import CommunityDay, CommunityWindow, DonationDay, MemberDay, PostDay
from analytics.selectors import rankings
from analytics.selectors.ranges import today as utc_today

_LOCK_KEY = 0x616E616C  # "anal": one rollup at a time across workers
_DAY = "(({col}) AT TIME ZONE 'UTC')::date"

# Live content only: a deleted post takes its comments and likes out of the numbers.
_LIVE_POSTS = "SELECT id, community_id, author_id FROM content_post WHERE deleted_at IS NULL"
_LIVE_COMMENTS = (
    "SELECT c.id, c.post_id, c.community_id, c.author_id, c.created_at FROM content_comment c "
    "JOIN content_post cp ON cp.id = c.post_id WHERE c.deleted_at IS NULL AND cp.deleted_at IS NULL"
)
_IN_RANGE = "{col} >= %(start)s AND {col} < %(end)s"

_MEMBER_DAYS = f"""
INSERT INTO analytics_memberday (community_id, user_id, day, posts, comments, likes_given, likes_received)
SELECT community_id, user_id, day, SUM(p), SUM(c), SUM(lg), SUM(lr) FROM (
    SELECT community_id, author_id AS user_id, {_DAY.format(col="created_at")} AS day, 1 p, 0 c, 0 lg, 0 lr
      FROM content_post
     WHERE {_IN_RANGE.format(col="created_at")} AND deleted_at IS NULL AND author_id IS NOT NULL
       {{community_filter}}
    UNION ALL
    SELECT c.community_id, c.author_id, {_DAY.format(col="c.created_at")}, 0, 1, 0, 0
      FROM ({_LIVE_COMMENTS}) c
     WHERE {_IN_RANGE.format(col="c.created_at")} AND c.author_id IS NOT NULL {{c_filter}}
    UNION ALL
    SELECT p.community_id, r.user_id, {_DAY.format(col="r.created_at")}, 0, 0, 1, 0
      FROM content_reaction r JOIN ({_LIVE_POSTS}) p ON p.id = r.post_id
     WHERE {_IN_RANGE.format(col="r.created_at")} {{p_filter}}
    UNION ALL
    SELECT c.community_id, r.user_id, {_DAY.format(col="r.created_at")}, 0, 0, 1, 0
      FROM content_reaction r JOIN ({_LIVE_COMMENTS}) c ON c.id = r.comment_id
     WHERE {_IN_RANGE.format(col="r.created_at")} {{c_filter}}
    UNION ALL
    SELECT p.community_id, p.author_id, {_DAY.format(col="r.created_at")}, 0, 0, 0, 1
      FROM content_reaction r JOIN ({_LIVE_POSTS}) p ON p.id = r.post_id
     WHERE {_IN_RANGE.format(col="r.created_at")} AND p.author_id IS NOT NULL {{p_filter}}
    UNION ALL
    SELECT c.community_id, c.author_id, {_DAY.format(col="r.created_at")}, 0, 0, 0, 1
      FROM content_reaction r JOIN ({_LIVE_COMMENTS}) c ON c.id = r.comment_id
     WHERE {_IN_RANGE.format(col="r.created_at")} AND c.author_id IS NOT NULL {{c_filter}}
) activity
GROUP BY community_id, user_id, day
"""

_POST_DAYS = f"""
INSERT INTO analytics_postday (post_id, community_id, day, likes, comments)
SELECT post_id, community_id, day, SUM(l), SUM(c) FROM (
    SELECT r.post_id, p.community_id, {_DAY.format(col="r.created_at")} AS day, 1 l, 0 c
      FROM content_reaction r JOIN ({_LIVE_POSTS}) p ON p.id = r.post_id
     WHERE {_IN_RANGE.format(col="r.created_at")} {{p_filter}}
    UNION ALL
    SELECT c.post_id, c.community_id, {_DAY.format(col="c.created_at")}, 0, 1
      FROM ({_LIVE_COMMENTS}) c
     WHERE {_IN_RANGE.format(col="c.created_at")} {{c_filter}}
) activity
GROUP BY post_id, community_id, day
"""

_COMMUNITY_DAYS = f"""
INSERT INTO analytics_communityday
       (community_id, day, members_joined, members_left, posts, comments, likes, active_users)
SELECT community_id, day, SUM(j), SUM(lft), SUM(p), SUM(c), SUM(lk), SUM(a) FROM (
    SELECT community_id, {_DAY.format(col="joined_at")} AS day, 1 j, 0 lft, 0 p, 0 c, 0 lk, 0 a
      FROM members_member
     WHERE joined_at >= %(start)s AND joined_at < %(end)s {{community_filter}}
    UNION ALL
    SELECT community_id, {_DAY.format(col="left_at")}, 0, 1, 0, 0, 0, 0
      FROM members_member
     WHERE left_at >= %(start)s AND left_at < %(end)s AND status IN ('left', 'kicked', 'banned')
       {{community_filter}}
    UNION ALL
    SELECT community_id, day, 0, 0, SUM(posts), SUM(comments), SUM(likes_given),
           COUNT(*) FILTER (WHERE posts + comments + likes_given > 0)
      FROM analytics_memberday
     WHERE day >= %(since)s AND day <= %(until)s {{community_filter}}
     GROUP BY community_id, day
) activity
GROUP BY community_id, day
"""


# Anonymous donations roll up without a donor (never by name). Refunds come from the
# donation's payment: the day it was refunded.
_DONATION_DAYS = f"""
INSERT INTO analytics_donationday (community_id, day, currency, donor_id, donations, amount, refunds, refunded)
SELECT community_id, day, currency, donor_id, SUM(n), SUM(amount), SUM(rn), SUM(refunded) FROM (
    SELECT community_id, {_DAY.format(col="completed_at")} AS day, currency,
           CASE WHEN is_anonymous THEN NULL ELSE donor_id END AS donor_id, 1 n, amount, 0 rn, 0 refunded
      FROM billing_donation
     WHERE {_IN_RANGE.format(col="completed_at")} AND status IN ('completed', 'refunded') {{community_filter}}
    UNION ALL
    SELECT d.community_id, {_DAY.format(col="p.refunded_at")}, d.currency,
           CASE WHEN d.is_anonymous THEN NULL ELSE d.donor_id END, 0, 0, 1, d.amount
      FROM billing_payment p JOIN billing_donation d ON d.id = p.donation_id
     WHERE {_IN_RANGE.format(col="p.refunded_at")} {{d_filter}}
) money
GROUP BY community_id, day, currency, donor_id
"""


def _filters(community_id: uuid.UUID | None) -> dict[str, str]:
    if community_id is None:
        return {"community_filter": "", "p_filter": "", "c_filter": "", "d_filter": ""}
    return {
        "d_filter": "AND d.community_id = %(community_id)s",
        "community_filter": "AND community_id = %(community_id)s",
        "p_filter": "AND p.community_id = %(community_id)s",
        "c_filter": "AND c.community_id = %(community_id)s",
    }


@transaction.atomic
def rollup_days(*, since: dt.date, until: dt.date, community_id: uuid.UUID | None = None,
                windows: bool = True) -> None:
    """Recompute the rollups of days `since`..`until` (inclusive), for one community or all,
    and (`windows`) the CommunityWindow rows those days are part of."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    params = {"start": start, "end": end, "since": since, "until": until, "community_id": community_id}
    scope: dict[str, object] = {"day__gte": since, "day__lte": until}
    if community_id is not None:
        scope["community_id"] = community_id
    filters = _filters(community_id)
    with connection.cursor() as cursor:
        if community_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        else:
            # One community's run (a dashboard read's) waits for whole runs and for runs of its
            # own community, not for other communities' dashboards.
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_LOCK_KEY])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_KEY, str(community_id)])
        for model in (CommunityDay, PostDay, MemberDay, DonationDay):
            model.objects.filter(**scope).delete()
        cursor.execute(_MEMBER_DAYS.format(**filters), params)
        cursor.execute(_POST_DAYS.format(**filters), params)
        cursor.execute(_COMMUNITY_DAYS.format(**filters), params)
        cursor.execute(_DONATION_DAYS.format(**filters), params)
    if windows:
        refresh_windows(changed_until=until, community_id=community_id)


def refresh_windows(*, changed_until: dt.date, community_id: uuid.UUID | None = None) -> None:
    """Recompute the CommunityWindow rows (one community's, or all) of the default range
    ending today, unless the rolled-up days ending `changed_until` are older than both it and
    the 30 days of monthly active users. Call it inside the rollup's transaction."""
    until = utc_today()
    since = until - dt.timedelta(days=settings.ANALYTICS_DEFAULT_DAYS - 1)
    # The first day any stored figure reads: the default range's, or the month of MAU.
    first = min(since, until - dt.timedelta(days=rankings.MONTH_DAYS - 1))
    if changed_until < first:
        return
    monthly = rankings.monthly_active_users(until=until, community_id=community_id)
    posters = rankings.active_posters(since=since, until=until, community_id=community_id)
    donors = rankings.top_donors(since=since, until=until, community_id=community_id)
    # Every community with a day in the range gets a row (zeros included), so its dashboard
    # never falls back to the live queries; the others have nothing to count. A one-community
    # run always leaves its row: `until` says which days rollup_community_catch_up may skip.
    days = CommunityDay.objects.filter(day__gte=first)
    scope = CommunityWindow.objects.all()
    if community_id is not None:
        days, scope = days.filter(community_id=community_id), scope.filter(community_id=community_id)
        communities = {community_id}
    else:
        communities = set(days.values_list("community_id", flat=True).distinct())
    scope.delete()
    CommunityWindow.objects.bulk_create(
        CommunityWindow(community_id=cid, since=since, until=until, monthly_active_users=monthly.get(cid, 0),
                        active_posters=posters.get(cid, 0),
                        top_donors=donors.get(cid, []))
        for cid in sorted(communities | monthly.keys() | posters.keys() | donors.keys())
    )


def rollup_recent(*, days: int = 2, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The periodic task's work: today and the days before it that may still change."""
    today = today or dt.datetime.now(dt.UTC).date()
    since = today - dt.timedelta(days=days - 1)
    rollup_days(since=since, until=today)
    return since, today


def rollup_community_catch_up(*, community_id: uuid.UUID) -> None:
    """Recompute one community's days from the last one its rollups covered through today,
    and its CommunityWindow row when that is older than ANALYTICS_ROLLUP_SECONDS.

    Dashboards call it on a cache miss, so a fresh answer includes today's activity whether
    or not beat runs (`make run` has none). The window row's `until` is the last day a rollup
    of the community reached, and every day before it was recomputed after it ended; that
    day itself may have changed since, so it is redone: today alone, usually, which costs
    index scans of today's rows. The window's rankings read a month of rows (tens of
    milliseconds for a big community), so they are recomputed only when stale: beat keeps
    them fresh where it runs, and without beat a read pays for them once per interval.
    """
    until = utc_today()
    window = CommunityWindow.objects.filter(community_id=community_id).values_list("until", "refreshed_at").first()
    oldest = until - dt.timedelta(days=settings.ANALYTICS_DEFAULT_DAYS - 1)
    since = max(min(window[0], until), oldest) if window else until - dt.timedelta(days=1)
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings.ANALYTICS_ROLLUP_SECONDS)
    windows = window is None or window[0] < until or window[1] < stale
    rollup_days(since=since, until=until, community_id=community_id, windows=windows)
