"""Members' Celery tasks: mail that must not hold up a request."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from members.models import User
from members.services.password_reset import password_reset_link

RESET_MAIL = """Hello {username},

Someone asked to reset the password of your account ({email}). To choose a new password,
open this link within {minutes} minutes:

{link}

If it was not you, ignore this mail: your password stays as it is.
"""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_mail_send(user_id: str) -> None:
    """Mail the account its reset link (the token is made now, from the row as it stands)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    body = RESET_MAIL.format(username=user.username, email=user.email, link=password_reset_link(user),
                             minutes=settings.PASSWORD_RESET_TIMEOUT // 60)
    send_mail("Reset your password", body, None, [user.email])
