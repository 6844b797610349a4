"""Registration, tokens and the current user."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from community_service.api.fields import StrictCharField, StrictRegexField
from members.models import User
from members.tokens import user_claims


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = StrictRegexField(
        r"^[A-Za-z0-9_.-]{3,150}$", max_length=150, message="3-150 characters: letters, digits, '_', '.' or '-'."
    )
    password = StrictCharField(
        write_only=True,
        min_length=8,
        max_length=128,
        style={"input_type": "password"},
        help_text="8-128 characters; not entirely numeric, not a common password, not similar to the email or username.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            validate_password(attrs["password"], user=User(email=attrs["email"], username=attrs["username"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class UserOutputSerializer(serializers.ModelSerializer):
    is_superadmin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "username", "is_superadmin", "date_joined"]
        read_only_fields = fields


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """Email + password → token pair carrying the seed's claims."""

    @classmethod
    def get_token(cls, user: User) -> RefreshToken:
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


# --- members, roles, invites ---------------------------------------------------------------
