"""Daily rollups: the only tables analytics owns. Dashboards read these, never raw tables.

Every row is a pure function of the raw tables for its day, so recomputing a day (the
periodic task, a replay, `rebuild_analytics`) replaces it with the same numbers: nothing is
ever counted twice. Days are UTC dates.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommunityDay(models.Model):
    """What happened in a community on one day."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by uq_community_day, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    members_joined = models.PositiveIntegerField(default=0)
    members_left = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    # Distinct users who posted, commented or liked that day (DAU).
    active_users = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="uq_community_day")]


class PostDay(models.Model):
    """Likes and comments a post received on one day (only days with activity have a row)."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by uq_post_day, which it leads.
    post = models.ForeignKey("content.Post", db_index=False, on_delete=models.CASCADE, related_name="+")
    # Indexed by idx_post_day_community, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    likes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="uq_post_day")]
        indexes = [models.Index(fields=["community", "day"], name="idx_post_day_community")]


class MemberDay(models.Model):
    """One user's activity in one community on one day (a row means they were active)."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by uq_member_day, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    likes_given = models.PositiveIntegerField(default=0)
    likes_received = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user", "day"], name="uq_member_day")]
        indexes = [models.Index(fields=["community", "day"], name="idx_member_day_community")]


class DonationDay(models.Model):
    """Donations completed and refunded in a community on one day, per currency and donor.

    Amounts are counted on the day they settled and refunds on the day they were refunded,
    so a past day never changes and the periodic recompute of recent days stays exact.
    `donor` is empty for anonymous donations: they count in totals, never by name.
    """

    id = models.BigAutoField(primary_key=True)
    # Indexed by uq_donation_day, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    currency = models.CharField(max_length=3)
    donor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    donations = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunds = models.PositiveIntegerField(default=0)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "currency", "donor"], nulls_distinct=False,
                                    name="uq_donation_day"),
        ]


class CommunityWindow(models.Model):
    """A community's dashboard figures for the default range ending `until`, kept by the rollup.

    Distinct users and the top posts and donors over a month of per-user and per-post rows
    cost tens of milliseconds each for a big community (analytics.selectors.rankings), too
    much for an uncached dashboard. Every rollup recomputes this row for the range ending
    today, in the same transaction, from the rows it just wrote: the dashboard reads it when
    its range and today match, and computes live otherwise (another range). A dashboard read
    on a cache miss recomputes it first when it is of an earlier day or older than
    ANALYTICS_ROLLUP_SECONDS (analytics.services.rollups.rollup_community_catch_up).
    """

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, primary_key=True,
                                     related_name="+")
    since = models.DateField()
    until = models.DateField()
    # Distinct users who posted, commented or liked in the 30 days ending `until` (MAU).
    monthly_active_users = models.PositiveIntegerField(default=0)
    # Distinct users who posted on the days since..until.
    active_posters = models.PositiveIntegerField(default=0)
    # As analytics.selectors.rankings.top_donors returns them (ids as strings). Top posts are not
    # kept: the dashboard lists them from the daily rows its charts read (see _Figures.top_posts).
    top_donors = models.JSONField(default=list)
    # When these figures were computed: a dashboard read recomputes them once they are older
    # than ANALYTICS_ROLLUP_SECONDS (beat, where it runs, keeps them younger).
    refreshed_at = models.DateTimeField(default=timezone.now)
