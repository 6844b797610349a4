"""Notifications settings (community_service/notifications/): mentions, fan-out batches, mail."""

from community_service.settings.core import env

# At most this many distinct @mentions of one post or comment notify anyone (the rest are text).
NOTIFICATIONS_MAX_MENTIONS = env.int("NOTIFICATIONS_MAX_MENTIONS", default=10)
# Recipients per transaction (one bulk insert) when a notice goes to an audience (watchers).
NOTIFICATIONS_FANOUT_BATCH = env.int("NOTIFICATIONS_FANOUT_BATCH", default=1000)
# The daily digest goes out at this hour of each member's time zone (User.time_zone, default UTC)
# with what was not mailed at once; beat asks every hour.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
# Absolute base of links in mails (the one-click unsubscribe link is this API's).
NOTIFICATIONS_PUBLIC_URL = env.str("NOTIFICATIONS_PUBLIC_URL", default="http://localhost:8000")
# Seconds an unsubscribe link stays valid.
NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE = env.int("NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE", default=90 * 86400)
