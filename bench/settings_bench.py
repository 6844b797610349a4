"""Production settings plus the naive analytics route (bench/analytics_naive.py)."""

from community_service.settings import *  # noqa: F403

ROOT_URLCONF = "bench.analytics_naive"
