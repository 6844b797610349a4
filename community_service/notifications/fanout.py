"""Fan-out: one notice to a big audience (the watchers of a channel), in batches, in the background.

Each batch of NOTIFICATIONS_FANOUT_BATCH recipients is one transaction and one bulk insert
(plus the level, preference and access reads, each one query per batch); rows that exist
already are skipped, so a task run twice writes each notice once.
"""

import time
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import transaction

from community_service.notifications.registry import notices_for
from community_service.notifications.services import notice_deliver
from community_service.outbox.models import OutboxEvent


@dataclass
class FanoutResult:
    created: int = 0
    mail_now: bool = False
    resume: UUID | None = None


def notice_fanout(*, event_pk: int, index: int, after: UUID | None, budget: float | None = None) -> FanoutResult:
    """Write notice `index` of the event for its audience, a batch per transaction, from user id
    `after`; stop after `budget` seconds and say where to resume (`resume` None: done)."""
    result = FanoutResult()
    event = OutboxEvent.objects.filter(pk=event_pk).first()
    if event is None:
        return result
    notices = notices_for(event)
    if index >= len(notices) or notices[index].audience is None:
        return result
    notice = notices[index]
    audience = notice.audience
    assert audience is not None
    started = time.monotonic()
    batch = settings.NOTIFICATIONS_FANOUT_BATCH
    while True:
        ids = audience(after, batch)
        if not ids:
            return result
        with transaction.atomic():
            delivered = notice_deliver(notice, ids)
        result.created += len(delivered.reached)
        result.mail_now |= delivered.mail_now
        after = ids[-1]
        if len(ids) < batch:
            return result
        if budget is not None and time.monotonic() - started > budget:
            result.resume = after
            return result
