"""Outbound webhooks (community_service/webhooks; docs/api.md, "Integrations")."""

from community_service.settings.core import env

# Endpoints must be https; true allows http too (development, tests).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
# Networks an endpoint may resolve to although they are private, loopback or link-local
# (CIDRs, e.g. 127.0.0.1/32 for a listener in tests). Empty in production.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
# Connect and read timeout of one attempt, seconds: a slow endpoint cannot hold a worker long.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Retries: the n-th waits BASE * 3^(n-1) seconds (at most MAX), +-20% jitter; 13 attempts span ~3 days.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=13)
WEBHOOK_BACKOFF_BASE_SECONDS = env.float("WEBHOOK_BACKOFF_BASE_SECONDS", default=10.0)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=43200.0)
# An endpoint failing for this many days (no success since) is disabled and its managers are mailed.
WEBHOOK_DISABLE_AFTER_DAYS = env.float("WEBHOOK_DISABLE_AFTER_DAYS", default=3.0)
# Attempts in flight per endpoint; more wait for the next sweep.
WEBHOOK_MAX_IN_FLIGHT = env.int("WEBHOOK_MAX_IN_FLIGHT", default=4)
# How long the delivery log (attempts, with status, latency and the answer's first bytes) is kept.
WEBHOOK_LOG_RETENTION_DAYS = env.int("WEBHOOK_LOG_RETENTION_DAYS", default=30)
# After a secret rotation, deliveries are signed with the old secret too for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env.float("WEBHOOK_SECRET_OVERLAP_HOURS", default=24.0)
# How often beat retries due deliveries, seconds.
WEBHOOK_SWEEP_SECONDS = env.float("WEBHOOK_SWEEP_SECONDS", default=15.0)
# What of an event's payload a webhook may carry: members' policy (named so the platform imports no app).
WEBHOOK_PAYLOAD_FILTER = "members.policy.webhook_payload"
