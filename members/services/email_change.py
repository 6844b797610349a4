"""Changing an account's email address (its login), proven by a link mailed to the new one.

The request needs the current password (a stolen access token cannot move the account) and
mails the new address a link whose token is signed by Django (SECRET_KEY) and names the
account, the new address, the address it replaces and the account's token generation: it
works for EMAIL_CHANGE_TIMEOUT seconds and only while the account still has that address
and those sessions, so once used, after another change, or after a password change or
sign-out everywhere it is void. The old address is told once the change is made.
"""

import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from rest_framework.exceptions import Throttled

from community_service.exceptions import Conflict, ValidationFailed
from members.models import User
from members.services.auth import current_password_confirmed
from members.services.login_attempts import login_failures_clear
from members.task_queue import task_enqueue

SALT = "members.email_change"
INVALID_LINK = ("This confirmation link is not valid: it was used, has expired, was overtaken by another change "
                "or was mistyped.")


def email_change_request(*, user: User, current_password: str, new_email: str) -> None:
    """Mail `new_email` a link that moves `user`'s account to it. Refusals: a wrong password
    (ValidationFailed `password_incorrect`), the address the account already has
    (ValidationFailed `unchanged`), one another account has (Conflict `unique`), and a second
    request within EMAIL_CHANGE_MAIL_INTERVAL_SECONDS (Throttled: one mail a minute, so
    nobody can flood an address through this endpoint)."""
    with transaction.atomic():
        locked = current_password_confirmed(user, current_password)
        if new_email.lower() == locked.email.lower():
            raise ValidationFailed("This is already your email address.", field="new_email", code="unchanged")
        _address_free(new_email, locked, field="new_email")
        interval = settings.EMAIL_CHANGE_MAIL_INTERVAL_SECONDS
        if not cache.add(f"email_change_mailed:{locked.pk}", 1, interval):
            raise Throttled(wait=interval, detail="A confirmation link was mailed moments ago: ask again later.")
        token = signing.dumps({"user": str(locked.pk), "new": new_email, "old": locked.email,
                               "gen": locked.token_generation}, salt=SALT, compress=True)
        user_id = str(locked.pk)
        transaction.on_commit(lambda: task_enqueue("email_change_mail_send", user_id, new_email, token))
    login_failures_clear(email=locked.email)


def email_change_confirm(*, token: str) -> User:
    """Move the link's account to its new address and tell the old one. A link that is not
    valid (see the module docstring) is a ValidationFailed `invalid_token` on token; an
    address another account took meanwhile is a Conflict `unique` on email. Sessions go on
    (the password is unchanged); tokens minted from now on carry the new address."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
        user_id = uuid.UUID(claim["user"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):  # BadSignature covers expiry
        raise ValidationFailed(INVALID_LINK, field="token", code="invalid_token") from None
    with transaction.atomic():
        user = User.objects.select_for_update(no_key=True).filter(pk=user_id, is_active=True).first()
        if user is None or (user.email, user.token_generation) != (claim.get("old"), claim.get("gen")):
            raise ValidationFailed(INVALID_LINK, field="token", code="invalid_token")
        _address_free(claim["new"], user, field="email")
        old_email, user.email = user.email, claim["new"]
        try:
            with transaction.atomic():
                user.save(update_fields=["email"])
        except IntegrityError as exc:  # lost a race with another account taking the address
            raise _taken("email") from exc
        user_id_text = str(user.pk)
        transaction.on_commit(lambda: task_enqueue("email_changed_notice_send", user_id_text, old_email))
    return user


def email_change_link(token: str) -> str:
    return settings.EMAIL_CHANGE_URL.format(token=token)


def _address_free(email: str, user: User, *, field: str) -> None:
    """Refuse an address another account has, regardless of case (as uq_user_email_ci)."""
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise _taken(field)


def _taken(field: str) -> Conflict:
    return Conflict("A user with this email already exists.", field=field, code="unique")
