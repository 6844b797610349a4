"""Notification mail through a real SMTP server on loopback (aiosmtpd): immediate mails, the
daily digest, RFC 8058 one-click unsubscribe, failures and the console's resend, and the
test-mail command."""

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from community_service.notifications.mail import mail_resend, mail_send_digests, mail_send_immediate
from community_service.notifications.models import MailStatus, Notification, NotificationPreference
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


class Inbox:
    """What the SMTP server accepted; addresses in `refuse` get a 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


def _free_port() -> int:
    # The helper range of this worktree first (18200-18299), any free port otherwise.
    for port in range(18220, 18260):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFICATIONS_PUBLIC_URL = "http://testserver"
    yield inbox
    controller.stop()


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_an_urgent_notice_is_mailed_at_once_with_one_click_unsubscribe(smtp):
    bob = UserFactory(email="bob@example.com")
    notice = NotificationFactory(recipient_id=bob.pk, type="post_moderated", text="Your post “X” was removed.",
                                 url="/api/v1/posts/1", mail_status=MailStatus.IMMEDIATE)
    assert mail_send_immediate() == 1
    [message] = smtp.messages
    assert message["To"] == "bob@example.com" and message["Subject"] == "Your post “X” was removed."
    body = parts(message)
    assert "Your post “X” was removed." in body["text/plain"] and "<p>Your post" in body["text/html"]
    assert "http://testserver/api/v1/posts/1" in body["text/plain"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http://testserver/api/v1/notifications/unsubscribe/") and link in body["text/plain"]
    notice.refresh_from_db()
    assert notice.mail_status == MailStatus.SENT
    assert mail_send_immediate() == 0  # sent once


def test_the_one_click_link_works_signed_out_and_only_by_post(smtp):
    bob = UserFactory(email="bob@example.com")
    NotificationFactory(recipient_id=bob.pk, type="reply", mail_status=MailStatus.IMMEDIATE)
    mail_send_immediate()
    path = smtp.messages[0]["List-Unsubscribe"].strip().strip("<>").removeprefix("http://testserver")
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and b"<form method=\"post\">" in page.content
    assert not NotificationPreference.objects.exists()  # a mail scanner's GET changes nothing
    done = anonymous.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    # `reply` was both (in-app and email): the mail stops, the inbox stays.
    assert NotificationPreference.objects.get(user_id=bob.pk, type="reply").delivery == "in_app"
    assert anonymous.post(path[:-3] + "xyz").status_code == 400


def test_the_daily_digest_gathers_the_rest_in_one_mail(smtp, settings):
    bob = UserFactory(email="bob@example.com")
    texts = [NotificationFactory(recipient_id=bob.pk, type="reaction", waiting_for_digest=True).text
             for _ in range(3)]
    NotificationFactory(recipient_id=UserFactory(email="ann@example.com").pk, waiting_for_digest=True)
    settings.NOTIFICATIONS_DIGEST_HOUR = (timezone.now().hour + 12) % 24
    assert mail_send_digests() == 0  # not the hour in UTC, their zone
    assert mail_send_digests(force=True) == 2
    mine = next(m for m in smtp.messages if m["To"] == "bob@example.com")
    assert mine["Subject"] == "Your daily digest: 3 new notification(s)"
    assert all(text in parts(mine)["text/plain"] for text in texts)
    assert not Notification.objects.filter(mail_status=MailStatus.DIGEST).exists()
    assert mail_send_digests(force=True) == 0


def test_the_digest_arrives_at_the_hour_of_each_members_own_time_zone(smtp, settings):
    tokyo = UserFactory(email="kenji@example.com", time_zone="Asia/Tokyo")  # UTC+9, no summer time
    utc = UserFactory(email="ann@example.com")
    for user in (tokyo, utc):
        NotificationFactory(recipient_id=user.pk, type="reaction", waiting_for_digest=True)
    settings.NOTIFICATIONS_DIGEST_HOUR = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).hour
    assert mail_send_digests() == 1
    assert [m["To"] for m in smtp.messages] == ["kenji@example.com"]
    assert Notification.objects.get(recipient_id=utc.pk).mail_status == MailStatus.DIGEST  # its 8 o'clock comes later


def test_a_refused_mail_is_kept_failed_and_the_console_resends_it(smtp):
    admin_client = Client()
    admin_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    bob = UserFactory(email="bob@example.com")
    notice = NotificationFactory(recipient_id=bob.pk, type="payment_failed", mail_status=MailStatus.IMMEDIATE)
    smtp.refuse.add("bob@example.com")
    assert mail_send_immediate() == 0
    notice.refresh_from_db()
    assert notice.mail_status == MailStatus.FAILED and "550" in notice.mail_error
    page = admin_client.get("/admin/community_service/notification/?mail=failed")
    assert page.status_code == 200 and b"5.1.1 mailbox unavailable" in page.content
    smtp.refuse.clear()
    response = admin_client.post("/admin/community_service/notification/?mail=failed",
                                 {"action": "resend", "_selected_action": [notice.pk]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.mail_status == MailStatus.SENT and len(smtp.messages) == 1
    assert mail_resend(notification_ids=[notice.pk]) == 0  # nothing failed any more


def test_the_test_mail_command_prints_the_settings_and_sends(smtp, settings, capsys):
    call_command("send_test_mail", "--to", "ops@example.com")
    out = capsys.readouterr().out
    assert f"host: 127.0.0.1:{settings.EMAIL_PORT}" in out
    assert "security: none" in out and "sent to ops@example.com" in out
    assert smtp.messages[0]["Subject"] == "Community Service test mail"
    smtp.refuse.add("nobody@example.com")
    with pytest.raises(CommandError, match="nobody@example.com"):
        call_command("send_test_mail", "--to", "nobody@example.com")
