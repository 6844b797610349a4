"""Notification mail: one mail at once for urgent notices, a daily digest for the rest.

Every mail is plain text and HTML from Django templates (templates/notifications/) and
carries RFC 8058 one-click unsubscribe headers: `List-Unsubscribe` with a signed link for
its notice type and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The link works
signed out; POSTing to it (what mail clients do) turns mail for that type off.
A mail that the SMTP server refuses leaves its notices `failed` with the error, for the
console's resend.
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community_service.notifications.models import Delivery, MailStatus, Notification, NotificationPreference
from community_service.notifications.registry import NOTICE_TYPES

logger = logging.getLogger("community_service.notifications")

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST_TYPE = "digest"


def unsubscribe_token(*, user_id: UUID, type_name: str) -> str:
    return signing.dumps({"u": str(user_id), "t": type_name}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[UUID, str]:
    """(user id, type) of a link; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE)
    return UUID(data["u"]), str(data["t"])


def unsubscribe_url(*, user_id: UUID, type_name: str) -> str:
    token = unsubscribe_token(user_id=user_id, type_name=type_name)
    path = reverse("notifications-unsubscribe", kwargs={"token": token})
    return settings.NOTIFICATIONS_PUBLIC_URL.rstrip("/") + path


def _message(*, to: str, subject: str, template: str, context: dict, user_id: UUID,
             type_name: str) -> EmailMultiAlternatives:
    link = unsubscribe_url(user_id=user_id, type_name=type_name)
    context = {**context, "unsubscribe_url": link, "base_url": settings.NOTIFICATIONS_PUBLIC_URL.rstrip("/")}
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"notifications/{template}.txt", context), to=[to],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"notifications/{template}.html", context), "text/html")
    return message


def _send(rows: list[Notification], message: EmailMultiAlternatives) -> bool:
    ids = [row.pk for row in rows]
    try:
        message.send()
    except Exception as exc:  # the SMTP server's answer: kept on the rows for the console's resend
        logger.warning("notification mail failed", extra={"to": message.to, "error": repr(exc)})
        Notification.objects.filter(pk__in=ids).update(mail_status=MailStatus.FAILED, mail_error=repr(exc)[:2000])
        return False
    Notification.objects.filter(pk__in=ids).update(mail_status=MailStatus.SENT, mail_error="")
    return True


def _emails(user_ids: set[UUID]) -> dict[UUID, str]:
    rows = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    return dict(rows.values_list("pk", "email"))


def mail_send_immediate(*, batch_size: int = 100) -> int:
    """Mail each notice waiting for its own mail; return how many mails went out."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(Notification.objects.select_for_update(skip_locked=True)
                        .filter(mail_status=MailStatus.IMMEDIATE).order_by("id")[:batch_size])
            if not rows:
                return sent
            emails = _emails({row.recipient_id for row in rows})
            for row in rows:
                if row.recipient_id not in emails:
                    Notification.objects.filter(pk=row.pk).update(mail_status=MailStatus.NONE)
                    continue
                label = NOTICE_TYPES[row.type].label if row.type in NOTICE_TYPES else row.type
                message = _message(to=emails[row.recipient_id], subject=row.text[:150], template="notice",
                                   context={"notice": row, "label": label}, user_id=row.recipient_id,
                                   type_name=row.type)
                sent += _send([row], message)


def zones_at_digest_hour(now: datetime) -> list[str]:
    """The IANA zones where it is NOTIFICATIONS_DIGEST_HOUR o'clock at `now` (beat asks hourly)."""
    return sorted(name for name in zoneinfo.available_timezones()
                  if now.astimezone(zoneinfo.ZoneInfo(name)).hour == settings.NOTIFICATIONS_DIGEST_HOUR)


def mail_send_digests(*, force: bool = False) -> int:
    """Mail each person whose local time (User.time_zone) is NOTIFICATIONS_DIGEST_HOUR (everyone,
    with `force`) one digest of their waiting notices; return how many digests went out."""
    waiting = Notification.objects.filter(mail_status=MailStatus.DIGEST)
    if not force:
        due = get_user_model().objects.filter(time_zone__in=zones_at_digest_hour(timezone.now()))
        waiting = waiting.filter(recipient_id__in=due.values("pk"))
    sent = 0
    with transaction.atomic():
        rows = list(waiting.select_for_update(skip_locked=True).order_by("recipient_id", "id"))
        by_user: dict[UUID, list[Notification]] = defaultdict(list)
        for row in rows:
            by_user[row.recipient_id].append(row)
        emails = _emails(set(by_user))
        declined = set(NotificationPreference.objects.filter(user_id__in=list(by_user), type=DIGEST_TYPE,
                                                             delivery=Delivery.OFF).values_list("user_id", flat=True))
        for user_id in declined:
            emails.pop(user_id, None)
        for user_id, notices in by_user.items():
            if user_id not in emails:
                Notification.objects.filter(pk__in=[n.pk for n in notices]).update(mail_status=MailStatus.NONE)
                continue
            message = _message(to=emails[user_id], subject=f"Your daily digest: {len(notices)} new notification(s)",
                               template="digest", context={"notices": notices}, user_id=user_id,
                               type_name=DIGEST_TYPE)
            sent += _send(notices, message)
    return sent


def mail_resend(*, notification_ids: list[int]) -> int:
    """The console's resend: failed notices wait for their own mail again; then send them."""
    count = Notification.objects.filter(pk__in=notification_ids, mail_status=MailStatus.FAILED).update(
        mail_status=MailStatus.IMMEDIATE, mail_error="")
    mail_send_immediate()
    return count
