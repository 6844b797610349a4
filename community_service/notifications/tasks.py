"""Celery tasks of notifications. They unpack arguments and call a service, nothing more."""

from uuid import UUID

from celery import shared_task

from community_service.notifications.fanout import notice_fanout
from community_service.notifications.mail import mail_send_digests, mail_send_immediate


# Idempotent (bulk inserts ignore rows that exist), so a lost task is simply run again.
@shared_task(name="notifications.fanout", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notifications_fanout_task(event_pk: int, index: int, after: str | None) -> None:
    # A time budget per task keeps one huge audience from holding a worker; the rest is re-enqueued.
    result = notice_fanout(event_pk=event_pk, index=index, after=UUID(after) if after else None, budget=20.0)
    if result.mail_now:
        notifications_mail_immediate_task.delay()
    if result.resume is not None:
        notifications_fanout_task.delay(event_pk, index, str(result.resume))


# Also on beat: mails whose after-commit task was lost go out within a minute.
@shared_task(name="notifications.mail_immediate", ignore_result=True)
def notifications_mail_immediate_task() -> None:
    mail_send_immediate()


@shared_task(name="notifications.mail_digest", ignore_result=True)
def notifications_digest_task() -> None:
    mail_send_digests()
