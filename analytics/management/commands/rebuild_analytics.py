"""Recompute the analytics rollups from the raw tables, a day at a time."""

import datetime as dt
import uuid
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from tqdm import tqdm

from analytics.selectors.ranges import today
from analytics.services.caches import dashboard_caches_clear
from analytics.services.rollups import rollup_days
from communities.models import Community
from members.models import Member


class Command(BaseCommand):
    help = (
        "Rebuild the daily analytics rollups from posts, comments, likes and memberships. "
        "Idempotent: each day is replaced, never added to. Without --since it starts at the first "
        "day with data; then clears the cached default-range dashboards. "
        "Example: manage.py rebuild_analytics --community <uuid> --since 2026-01-01"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--community", type=uuid.UUID, help="Only this community (UUID).")
        parser.add_argument("--since", type=dt.date.fromisoformat, help="First day (YYYY-MM-DD, UTC).")
        parser.add_argument("--until", type=dt.date.fromisoformat, help="Last day (default: today, UTC).")
        parser.add_argument("--days-per-step", type=int, default=7, help="Days recomputed per transaction.")

    def handle(self, *args: Any, community: uuid.UUID | None, since: dt.date | None, until: dt.date | None,
               days_per_step: int, **options: Any) -> None:
        if community is not None and not Community.objects.filter(pk=community).exists():
            raise CommandError(f"No community {community}.")
        until = until or today()
        if since is None:
            # Memberships start before anything else in a community.
            scope = Member.objects.filter(community_id=community) if community else Member.objects.all()
            first = scope.aggregate(first=Min("created_at"))["first"]
            since = first.date() if first else until
        if since > until:
            raise CommandError("--since must be on or before --until.")
        steps = range(0, (until - since).days + 1, days_per_step)
        for offset in tqdm(steps, desc="rollup", unit="step", disable=not self.stdout.isatty()):
            start = since + dt.timedelta(days=offset)
            end = min(start + dt.timedelta(days=days_per_step - 1), until)
            rollup_days(since=start, until=end, community_id=community)
        # The running server's cached dashboards (a cache it shares: Redis, or make run's files).
        dashboard_caches_clear(community_id=community)
        scope_text = f"community {community}" if community else "all communities"
        self.stdout.write(f"Rebuilt analytics for {scope_text}, {since} to {until}; cached dashboards cleared.")
