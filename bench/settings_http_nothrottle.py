"""Production settings without throttling: bench/bench_http.py prices the throttle with it."""

from community_service.settings import *  # noqa: F403

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
