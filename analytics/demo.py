"""Analytics of seed_demo's data: the rollups of the days the data set covers."""

import datetime as dt
from typing import Any

from django.db import connection
from tqdm import tqdm

from analytics.models import CommunityDay, DonationDay, MemberDay, PostDay
from analytics.selectors.ranges import today
from analytics.services.rollups import rollup_days

LARGE_DAYS = 181  # the large data set spreads activity over the last 180 days
STEP_DAYS = 15


def seed(context: dict[str, Any]) -> None:
    days = LARGE_DAYS if context["scale"] == "large" else 30
    until = today()
    since = until - dt.timedelta(days=days - 1)
    starts = range(0, days, STEP_DAYS)
    for offset in tqdm(starts, desc="analytics rollups", disable=not context["progress"]):
        start = since + dt.timedelta(days=offset)
        rollup_days(since=start, until=min(start + dt.timedelta(days=STEP_DAYS - 1), until))
    # Rows written in bulk: give the planner their statistics now, not at autovacuum's leisure
    # (it estimated 27 rows for 69,221 before, and sorted the top posts on disk).
    with connection.cursor() as cursor:
        for model in (CommunityDay, MemberDay, PostDay, DonationDay):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
