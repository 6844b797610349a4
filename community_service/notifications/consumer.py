"""The notifications subscriber: domain events in, notices out (see the package docstring).

Registered with the outbox's in-process subscribers (community_service/outbox/subscribers.py)
for every event type some app has a rule for. A notice for a few people is written in the
subscriber's own transaction (once per event: the ledger and the unique constraint); one for
an audience (the watchers of a channel) is handed to `notifications.fanout`, which writes it
in batches of NOTIFICATIONS_FANOUT_BATCH with bulk inserts, never in the request.
"""

from django.db import transaction

from community_service.notifications.registry import Rule, notice_rule_register, notice_rules, notices_for
from community_service.notifications.services import notice_deliver
from community_service.notifications.tasks import notifications_fanout_task, notifications_mail_immediate_task
from community_service.outbox.models import OutboxEvent
from community_service.outbox.subscribers import subscriber_register

SUBSCRIBER = "notifications"


def notifications_handle(event: OutboxEvent) -> None:
    mail_now = False
    for index, notice in enumerate(notices_for(event)):
        if notice.audience is None:
            mail_now |= notice_deliver(notice, notice.recipients).mail_now
        else:
            def fan_out(event_pk: int = event.pk, index: int = index) -> None:
                notifications_fanout_task.delay(event_pk, index, None)

            transaction.on_commit(fan_out, robust=True)
    if mail_now:
        transaction.on_commit(notifications_mail_immediate_task.delay, robust=True)


def notifications_subscribe() -> None:
    """(Re-)register the subscriber for every event type with a rule."""
    subscriber_register(SUBSCRIBER, notifications_handle, event_types=set(notice_rules()))


def rule_register(event_type: str, rule: Rule) -> None:
    """What an app calls from its AppConfig.ready(): turn `event_type` events into notices with `rule`."""
    notice_rule_register(event_type, rule)
    notifications_subscribe()
