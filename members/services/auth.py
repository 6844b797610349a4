"""Accounts and tokens: registration, refresh-token rotation, logout, password change, renaming."""

import zoneinfo

from django.db import IntegrityError, transaction
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from community_service.exceptions import Conflict, PermissionDenied, ValidationFailed
from members.models import User
from members.services.login_attempts import login_attempt_check, login_failure_record, login_failures_clear
from members.signals import user_renamed
from members.task_queue import task_enqueue
from members.tokens import TOKEN_REVOKED, token_generation, token_pair_for


def user_register(*, email: str, username: str, password: str) -> User:
    """Create an active account. Raises Conflict naming a taken email or username."""
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("A user with this email already exists.", field="email", code="unique")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("A user with this username already exists.", field="username", code="unique")
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError as exc:
        # Lost a race with a concurrent registration of the same email or username.
        raise Conflict("A user with this email or username already exists.", field="email", code="unique") from exc


def _parse_refresh(refresh_token: str) -> RefreshToken:
    try:
        # simplejwt annotates its argument as a Token; it takes (and here gets) the encoded string.
        return RefreshToken(refresh_token)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc


@transaction.atomic
def _blacklist(token: RefreshToken) -> None:
    """Blacklist once: the row lock makes two concurrent uses of one token yield one winner."""
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[api_settings.JTI_CLAIM]).first()
    if outstanding is None:
        token.blacklist()  # minted before outstanding-tracking; creates both rows
        return
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise InvalidToken("Token is blacklisted")


def auth_token_refresh(*, refresh_token: str) -> dict[str, str]:
    """Rotate a refresh token: the old one is blacklisted and claims are re-read from the user.

    Raises InvalidToken (401) for a bad, expired or reused token and AuthenticationFailed
    (401) when the user was deleted or deactivated.
    """
    old = _parse_refresh(refresh_token)
    user_id = old.payload.get(api_settings.USER_ID_CLAIM)
    with transaction.atomic():
        # The user's row is locked as a password change locks it: a refresh either comes first
        # (the change then revokes the token it mints) or after (its old token is revoked).
        user = User.objects.select_for_update(no_key=True).filter(pk=user_id).first() if user_id else None
        if user is None or not user.is_active:
            raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
        if token_generation(old) != user.token_generation:
            raise InvalidToken(TOKEN_REVOKED)
        _blacklist(old)
        return token_pair_for(user)


def login_password_still_current(user: User) -> None:
    """Before a login mints its token: lock the user's row as a password change locks it and
    check that the password just verified is still theirs, so a login checked against a
    password that a change replaced meanwhile mints nothing (AuthenticationFailed). Runs in
    the caller's transaction."""
    current = User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("password", flat=True)
    if list(current) != [user.password]:
        raise AuthenticationFailed("No active account found with the given credentials", "no_active_account")


def user_logout(*, user: User, refresh_token: str) -> None:
    """Revoke the caller's refresh token so it can mint no more access tokens.

    Like OAuth token revocation (RFC 7009), a token that is already invalid, expired or
    revoked is a success: afterwards it cannot be used either way. Someone else's token
    is refused with PermissionDenied.
    """
    try:
        token = RefreshToken(refresh_token)  # type: ignore[arg-type]  # the encoded string, as above
    except TokenError:
        return
    if str(token.payload.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise PermissionDenied("This refresh token belongs to another user.", field="refresh")
    try:
        _blacklist(token)
    except InvalidToken:
        return


def user_password_change(*, user: User, current_password: str, new_password: str) -> dict[str, str]:
    """Set a new password and sign the user out everywhere (every token of theirs, access and
    refresh, is refused from now on); a new pair is returned for the caller.

    A wrong current password is a ValidationFailed `password_incorrect` on current_password
    and counts against the account's failed-login budget (members.services.login_attempts), so
    a stolen access token cannot be used to guess the password faster than the login form.
    The user's row is locked: of two changes sent at once with the same current password,
    the second finds it no longer current.
    """
    with transaction.atomic():
        locked = current_password_confirmed(user, current_password)
        pair = password_replace(locked, new_password)
    login_failures_clear(email=locked.email)
    return pair


def current_password_confirmed(user: User, current_password: str) -> User:
    """`user`'s row, locked (inside the caller's transaction), once `current_password` proves
    it is them. A wrong one is a ValidationFailed `password_incorrect` on current_password and
    counts against the account's failed-login budget (429 once spent, as the login form)."""
    login_attempt_check(email=user.email)
    locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if not locked.check_password(current_password):
        login_failure_record(email=locked.email)
        raise ValidationFailed("This is not your current password.", field="current_password",
                               code="password_incorrect")
    return locked


def password_replace(user: User, new_password: str) -> dict[str, str]:
    """Set `user`'s password (their row locked by the caller, inside its transaction), end
    every session of theirs and return a new pair for the caller."""
    user.set_password(new_password)
    sessions_end(user, "password")
    password_changed_notice(user)
    return token_pair_for(user)


def password_changed_notice(user: User) -> None:
    """Once the transaction commits, tell the account's address that its password changed (a
    change its owner did not make is how a taken account shows)."""
    user_id = str(user.pk)
    transaction.on_commit(lambda: task_enqueue("password_changed_notice_send", user_id))


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of `user` ("log out of all devices"): their access and refresh tokens
    are refused from now on. The row is locked as a password change locks it, so a refresh
    racing this comes wholly before (its new tokens refused too) or after (refused)."""
    with transaction.atomic():
        sessions_end(User.objects.select_for_update(no_key=True).get(pk=user.pk))


def user_password_hash_set(*, user: User, password_hash: str) -> None:
    """Store a password hash that staff chose for `user` (the console's password form; an
    unusable hash ends logins by password) and end every session of theirs, as a change
    through the API does. `user` gets the new generation too."""
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        locked.password = password_hash
        sessions_end(locked, "password")
        password_changed_notice(locked)
    user.password, user.token_generation = locked.password, locked.token_generation


def sessions_end(user: User, *changed: str) -> None:
    """Save `user` (their row locked by the caller) with the `changed` fields and a new token
    generation: every token minted before, access or refresh, is refused (members.tokens)."""
    user.token_generation += 1
    user.save(update_fields=[*changed, "token_generation"])


def user_rename(*, user: User, username: str) -> User:
    """Change the user's public handle. Raises Conflict `unique` on username when another
    account has it (case-insensitively, as the database's uq_user_username_ci). Apps whose
    caches hold usernames hear of it (members.signals.user_renamed)."""
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        if locked.username == username:
            return locked
        if User.objects.filter(username__iexact=username).exclude(pk=locked.pk).exists():
            raise Conflict("A user with this username already exists.", field="username", code="unique")
        locked.username = username
        try:
            with transaction.atomic():
                locked.save(update_fields=["username"])
        except IntegrityError as exc:  # lost a race with another account taking the same name
            raise Conflict("A user with this username already exists.", field="username", code="unique") from exc
        user_renamed.send(sender=User, user=locked)
    return locked


def user_set_time_zone(*, user: User, time_zone: str) -> User:
    """Set the zone the user's daily digest is timed by. Raises ValidationFailed `invalid_choice`
    on time_zone for a name that is not an IANA time zone of this server's database."""
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationFailed(f"Unknown time zone {time_zone!r}: use an IANA name such as 'Europe/Berlin'.",
                               field="time_zone", code="unknown")
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        if locked.time_zone != time_zone:
            locked.time_zone = time_zone
            locked.save(update_fields=["time_zone"])
    return locked
