"""Background work settings: Celery (broker, delivery guarantees) and the beat schedule of every app's periodic task."""

from community_service.settings.billing import BILLING_EXPIRY_INTERVAL_SECONDS
from community_service.settings.core import env
from community_service.settings.domain import (
    ANALYTICS_ROLLUP_SECONDS,
    EVENT_STATUS_INTERVAL_SECONDS,
    POST_VIEWS_FLUSH_SECONDS,
)
from community_service.settings.events import OUTBOX_RELAY_INTERVAL_SECONDS, OUTBOX_SUBSCRIBER_SWEEP_SECONDS
from community_service.settings.webhooks import WEBHOOK_SWEEP_SECONDS

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run inline in the calling process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Publishes what the after-commit path could not (broker or worker was down).
    "outbox-relay": {"task": "outbox.relay", "schedule": OUTBOX_RELAY_INTERVAL_SECONDS,
                     "options": {"expires": OUTBOX_RELAY_INTERVAL_SECONDS}},
    # Runs in-process subscribers (notifications, webhooks) over rows the after-commit path missed.
    "outbox-dispatch-sweep": {"task": "outbox.dispatch_sweep", "schedule": OUTBOX_SUBSCRIBER_SWEEP_SECONDS,
                              "options": {"expires": OUTBOX_SUBSCRIBER_SWEEP_SECONDS}},
    # Urgent notification mails whose after-commit task was lost; the digest checks its hour hourly.
    "notifications-mail-immediate": {"task": "notifications.mail_immediate", "schedule": 60.0,
                                     "options": {"expires": 60.0}},
    "notifications-mail-digest": {"task": "notifications.mail_digest", "schedule": 3600.0,
                                  "options": {"expires": 3600.0}},
    "outbox-prune": {"task": "outbox.prune", "schedule": 24 * 3600.0},
    # Outbound webhooks: retries that are due, and the delivery log past its retention.
    "webhooks-sweep": {"task": "webhooks.sweep", "schedule": WEBHOOK_SWEEP_SECONDS,
                       "options": {"expires": WEBHOOK_SWEEP_SECONDS}},
    "webhooks-prune": {"task": "webhooks.prune", "schedule": 24 * 3600.0},
    # Moves view counts buffered in Redis into Post.view_count.
    "post-views-flush": {"task": "content.post_views_flush", "schedule": POST_VIEWS_FLUSH_SECONDS,
                         "options": {"expires": POST_VIEWS_FLUSH_SECONDS}},
    # Recomputes today's and yesterday's analytics rollups (idempotent).
    "analytics-rollup": {"task": "analytics.rollup_recent", "schedule": ANALYTICS_ROLLUP_SECONDS,
                         "options": {"expires": ANALYTICS_ROLLUP_SECONDS}},
    "event-statuses-advance": {"task": "events.statuses_advance", "schedule": EVENT_STATUS_INTERVAL_SECONDS,
                               "options": {"expires": EVENT_STATUS_INTERVAL_SECONDS}},
    # Event reminders 24 h and 1 h before the start, each once (events/notices.py).
    "events-reminders": {"task": "events.reminders_send", "schedule": 300.0, "options": {"expires": 300.0}},
    # "Your subscription ends in 3 days", once per subscription period (billing/notices.py).
    "billing-ending-notices": {"task": "billing.ending_notices", "schedule": 3600.0, "options": {"expires": 3600.0}},
    # Ends subscriptions past expires_at (subscription.ended); `manage.py expire_subscriptions` by hand.
    "billing-expire-subscriptions": {"task": "billing.subscriptions_expire",
                                     "schedule": BILLING_EXPIRY_INTERVAL_SECONDS,
                                     "options": {"expires": BILLING_EXPIRY_INTERVAL_SECONDS}},
    "idempotency-prune": {"task": "idempotency.prune", "schedule": 3600.0},
}
