"""Analytics of seed_demo's data: the rollups of the days the data set covers."""

import datetime as dt
from typing import Any

from tqdm import tqdm

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
