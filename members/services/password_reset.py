"""Password reset by email: a link to the account's address, then a new password with it.

The request answers the same whether or not an account has the address, and the mail is
sent by a task after commit, so the API tells nobody which addresses have accounts. The
link carries the account's id and a token from Django's PasswordResetTokenGenerator: it
works once (the token is void when the password changes, or the user logs in) and for
PASSWORD_RESET_TIMEOUT seconds.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from community_service.exceptions import ValidationFailed
from members.models import User
from members.services.auth import password_replace
from members.services.login_attempts import login_failures_clear
from members.task_queue import task_enqueue


def password_reset_request(*, email: str) -> None:
    """Mail a reset link to the active account with this address, if there is one, at most
    once per PASSWORD_RESET_MAIL_INTERVAL_SECONDS per account."""
    # The same work whether or not the address has an account (no timing tells them apart).
    address = hashlib.sha256(email.lower().encode()).hexdigest()
    first = cache.add(f"password_reset_mailed:{address}", 1, settings.PASSWORD_RESET_MAIL_INTERVAL_SECONDS)
    user = User.objects.filter(email__iexact=email, is_active=True).only("pk").first()
    if user is None or not first:
        return  # no such account, or one was mailed moments ago
    user_id = str(user.pk)
    transaction.on_commit(lambda: task_enqueue("password_reset_mail_send", user_id))


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.PASSWORD_RESET_URL.format(uid=uid, token=default_token_generator.make_token(user))


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> dict[str, str]:
    """Set the new password of the link's account and sign it in: every token it had is
    refused from now on and a new pair returned. A link that names no active account, was used, or has
    expired is a ValidationFailed `invalid_token` on token (the same for each: a guess learns
    nothing); a weak password is refused on new_password with Django's code."""
    with transaction.atomic():
        user = _link_user(uid)
        if user is None or not default_token_generator.check_token(user, token):
            raise ValidationFailed("This reset link is not valid: it was used, has expired or was mistyped.",
                                   field="token", code="invalid_token")
        try:
            validate_password(new_password, user=user)
        except DjangoValidationError as exc:
            raise ValidationFailed(exc.messages[0], field="new_password", code=exc.error_list[0].code) from exc
        pair = password_replace(user, new_password)
    login_failures_clear(email=user.email)
    return pair


def _link_user(uid: str) -> User | None:
    """The active account a link's uid names, its row locked as a password change locks it."""
    try:
        user_id = urlsafe_base64_decode(uid).decode()
        return User.objects.select_for_update(no_key=True).filter(pk=user_id, is_active=True).first()
    except (ValueError, DjangoValidationError):  # not base64, not UTF-8, not a UUID
        return None
