"""Registration, tokens and the current user."""

import zoneinfo
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import Token

from community_service.api.fields import FullMatchRegexValidator, StrictCharField, StrictRegexField
from members.models import User
from members.services.auth import login_password_still_current
from members.tokens import user_claims

# The addresses we accept, stated as a pattern the schema carries: a subset of what Django's
# EmailValidator takes (dot-atom local part, a domain of labels and a 2-63 letter TLD), so a
# client that follows the schema is never refused; the validator still runs too. The local
# part is at most 64 characters (RFC 5321), which EmailValidator does not check.
EMAIL_PATTERN = (
    r"^(?=[^@]{1,64}@)[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def email_field() -> serializers.EmailField:
    """An address as EMAIL_PATTERN states it (the schema carries the pattern)."""
    return serializers.EmailField(
        max_length=254,
        trim_whitespace=False,  # as sent: the schema's pattern is checked against what the client wrote
        validators=[FullMatchRegexValidator(EMAIL_PATTERN, message="Enter a valid email address.", code="invalid")],
    )


def username_field() -> StrictRegexField:
    """A public handle: unique regardless of case (the services refuse a taken one)."""
    return StrictRegexField(
        r"^[A-Za-z0-9_.-]{3,150}$", max_length=150, message="3-150 characters: letters, digits, '_', '.' or '-'."
    )


def new_password_field() -> StrictCharField:
    """A password being chosen (registering, changing it): the strength rules a schema can state."""
    return StrictCharField(
        write_only=True,
        min_length=8,
        max_length=128,
        # The part of the strength rules a pattern can state: at least one character that is not a digit.
        validators=[RegexValidator(r"^[^\x00]*[^0-9\x00][^\x00]*$", message="This password is entirely numeric.",
                                   code="password_entirely_numeric")],
        style={"input_type": "password"},
        help_text="8-128 characters; not entirely numeric, not a common password, not similar to the email or "
        "username. The last two cannot be checked from the schema: a refusal names them with code "
        "password_too_common or password_too_similar.",
    )


def current_password_field() -> StrictCharField:
    """The password the account has now, proving a change is its owner's."""
    return StrictCharField(write_only=True, max_length=128, style={"input_type": "password"})


def password_strength_check(password: str, user: User, *, field: str) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) for `user`, refusals on `field`."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        # Keep Django's codes (password_too_common, ...): clients and the fuzz config rely on them.
        errors = [ErrorDetail(message, code=error.code) for error in exc.error_list for message in error.messages]
        raise serializers.ValidationError({field: errors}) from exc


class RegisterInputSerializer(serializers.Serializer):
    email = email_field()
    username = username_field()
    password = new_password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password_strength_check(attrs["password"], User(email=attrs["email"], username=attrs["username"]),
                                field="password")
        return attrs


class UserOutputSerializer(serializers.ModelSerializer):
    is_superadmin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "username", "is_superadmin", "is_bot", "time_zone", "date_joined"]
        read_only_fields = fields


class PasswordResetInputSerializer(serializers.Serializer):
    email = email_field()


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = StrictCharField(max_length=64, help_text="The `uid` of the reset link.")
    token = StrictCharField(max_length=128, help_text="The `token` of the reset link.")
    new_password = new_password_field()


class UserUpdateInputSerializer(serializers.Serializer):
    """What a user may change of their own account here: the public handle and the time zone
    (an IANA name; the daily digest mail arrives by it). The email is the login and changes
    through a link to the new address (POST /auth/email); the flags are the console's."""

    username = username_field()
    time_zone = StrictCharField(max_length=64)

    def validate_time_zone(self, value: str) -> str:
        # Checked here too, so a PATCH with a good username and a bad zone writes neither.
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(f"Unknown time zone {value!r}: use an IANA name such as "
                                              "'Europe/Berlin'.", code="unknown")
        return value


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """Email + password → token pair carrying the seed's claims."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Credentials as sent (a password may end in a space), so minLength means what it says.
        for field in self.fields.values():
            if isinstance(field, serializers.CharField):
                field.trim_whitespace = False

    @classmethod
    # Only our User logs in here; simplejwt types the argument as a TypeVar over its user kinds.
    def get_token(cls, user: User) -> Token:  # type: ignore[override]
        login_password_still_current(user)  # the view runs in a transaction
        token = super().get_token(user)
        for claim, value in user_claims(user).items():
            token[claim] = value
        return token


class TokenRefreshInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


class TokenRefreshOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LogoutInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


class PasswordChangeInputSerializer(serializers.Serializer):
    """`context["user"]`: the signed-in user, whom the new password must not resemble."""

    current_password = current_password_field()
    new_password = new_password_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password_strength_check(attrs["new_password"], self.context["user"], field="new_password")
        return attrs


class EmailChangeInputSerializer(serializers.Serializer):
    current_password = current_password_field()
    new_email = email_field()


class AccountCloseInputSerializer(serializers.Serializer):
    current_password = current_password_field()


class EmailChangeConfirmInputSerializer(serializers.Serializer):
    token = StrictCharField(max_length=512, help_text="The `token` of the link mailed to the new address.")


# --- members, roles, invites ---------------------------------------------------------------
