"""Members' Celery tasks: mail that must not hold up a request."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from members.models import User
from members.services.account_close import account_close_finish as finish_closing
from members.services.email_change import email_change_link
from members.services.password_reset import password_reset_link

# Mail goes again after a network error (OSError: SMTP and sockets), backing off.
mail_task = shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)


def _open_account(user_id: str) -> User | None:
    """The account a mail is for, unless it was closed or deactivated meanwhile."""
    return User.objects.filter(pk=user_id, is_active=True).first()

RESET_MAIL = """Hello {username},

Someone asked to reset the password of your account ({email}). To choose a new password,
open this link within {minutes} minutes:

{link}

If it was not you, ignore this mail: your password stays as it is.
"""


@mail_task
def password_reset_mail_send(user_id: str) -> None:
    """Mail the account its reset link (the token is made now, from the row as it stands)."""
    user = _open_account(user_id)
    if user is None:
        return
    body = RESET_MAIL.format(username=user.username, email=user.email, link=password_reset_link(user),
                             minutes=settings.PASSWORD_RESET_TIMEOUT // 60)
    send_mail("Reset your password", body, None, [user.email])


EMAIL_CHANGE_MAIL = """Hello {username},

You asked to use this address ({new_email}) for your account instead of {old_email}. To
confirm, open this link within {hours} hours:

{link}

If it was not you, ignore this mail: the account keeps its address.
"""

EMAIL_CHANGED_NOTICE = """Hello {username},

The email address of your account was changed from this one ({old_email}) to {new_email}.
You now sign in with the new address.

If it was not you, reply to this mail or contact the community's staff at once.
"""


@mail_task
def email_change_mail_send(user_id: str, new_email: str, token: str) -> None:
    """Mail the new address its confirmation link (made when the change was asked for)."""
    user = _open_account(user_id)
    if user is None:
        return
    body = EMAIL_CHANGE_MAIL.format(username=user.username, new_email=new_email, old_email=user.email,
                                    link=email_change_link(token), hours=settings.EMAIL_CHANGE_TIMEOUT // 3600)
    send_mail("Confirm your new email address", body, None, [new_email])


@mail_task
def email_changed_notice_send(user_id: str, old_email: str) -> None:
    """Tell the address an account just left that it left (the account may have been taken)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    body = EMAIL_CHANGED_NOTICE.format(username=user.username, old_email=old_email, new_email=user.email)
    send_mail("Your email address was changed", body, None, [old_email])


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def account_close_finish(user_id: str) -> int:
    """A closed account leaves its communities (members.services.account_close); retried on
    any error, since each step is safe to run again."""
    return finish_closing(user_id=user_id)


PASSWORD_CHANGED_NOTICE = """Hello {username},

The password of your account ({email}) was changed, and every device signed in to it was
signed out.

If it was not you, ask the app for a password reset link for this address at once: it
comes to this mailbox, and choosing a new password signs everyone else out.
"""


@mail_task
def password_changed_notice_send(user_id: str) -> None:
    """Tell an account's address that its password changed (by the user, a reset or staff)."""
    user = _open_account(user_id)
    if user is None:
        return
    send_mail("Your password was changed",
              PASSWORD_CHANGED_NOTICE.format(username=user.username, email=user.email), None, [user.email])
