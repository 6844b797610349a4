"""Business rules of the apps that operators may tune: community creation, comments and post views,
pinned posts, event status updates and analytics ranges."""

from django.core.exceptions import ImproperlyConfigured

from community_service.settings.core import env

# Who may create communities: everyone, staff, or granted (communities.services.community_create_allowed).
COMMUNITY_CREATE_POLICY = env.str("COMMUNITY_CREATE_POLICY", default="everyone")
if COMMUNITY_CREATE_POLICY not in ("everyone", "staff", "granted"):
    raise ImproperlyConfigured("COMMUNITY_CREATE_POLICY must be everyone, staff or granted.")

# Community-wide cap on pinned posts.
MAX_PINNED_POSTS = env.int("MAX_PINNED_POSTS", default=5)

# Comments and post views (content/services/comments.py, view_counts.py).
COMMENT_MAX_DEPTH = env.int("COMMENT_MAX_DEPTH", default=5)  # levels of replies under a root comment
POST_VIEW_DEDUPE_SECONDS = env.int("POST_VIEW_DEDUPE_SECONDS", default=3600)  # one view per viewer per window
POST_VIEWS_FLUSH_SECONDS = env.float("POST_VIEWS_FLUSH_SECONDS", default=10.0)
# How long a moderator's claim on a queue item holds (content.services.reports.report_claim).
REPORT_CLAIM_MINUTES = env.int("REPORT_CLAIM_MINUTES", default=30)
if REPORT_CLAIM_MINUTES < 1:
    raise ImproperlyConfigured("REPORT_CLAIM_MINUTES must be at least 1.")
# How often events move scheduled → ongoing → completed (events/tasks.py).
EVENT_STATUS_INTERVAL_SECONDS = env.float("EVENT_STATUS_INTERVAL_SECONDS", default=60.0)
# Analytics dashboards: default and longest `?from=&to=` range (days), and how often beat
# recomputes the recent rollups (seconds).
ANALYTICS_DEFAULT_DAYS = env.int("ANALYTICS_DEFAULT_DAYS", default=30)
ANALYTICS_MAX_DAYS = env.int("ANALYTICS_MAX_DAYS", default=366)
ANALYTICS_ROLLUP_SECONDS = env.float("ANALYTICS_ROLLUP_SECONDS", default=300.0)
