from collections.abc import Sequence

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from members.authentication import request_user
from members.serializers.auth import (
    AccountCloseInputSerializer,
    EmailChangeConfirmInputSerializer,
    EmailChangeInputSerializer,
    LogoutInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenPairOutputSerializer,
    TokenRefreshInputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
)
from members.services.account_close import account_close
from members.services.auth import (
    auth_token_refresh,
    user_logout,
    user_password_change,
    user_register,
    user_rename,
    user_set_time_zone,
    user_sign_out_everywhere,
)
from members.services.email_change import email_change_confirm, email_change_request
from members.services.login_attempts import login_attempt_check, login_failure_record, login_failures_clear
from members.services.password_reset import password_reset_confirm, password_reset_request
from members.tokens import token_pair_for


class CredentialEndpointMixin:
    """Endpoints that take credentials in the body rather than a bearer token."""

    authentication_classes: Sequence[type[BaseAuthentication]] = []
    checks_credentials = True  # may answer 401 for bad credentials (documented in the schema)
    # A tight per-client budget against password guessing (THROTTLE_AUTH_RATE), on top of the
    # anon budget: the default RateThrottle checks both in one round trip.
    throttle_scope = "auth"

    def get_authenticate_header(self, request: Request) -> str:
        # Makes a bad or reused token a 401 (with WWW-Authenticate) rather than a 403.
        return 'Bearer realm="api"'


@extend_schema(tags=["auth"])
class RegisterView(CredentialEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer},
                   summary="Create an account")
    def post(self, request: Request) -> Response:
        serializer = RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        body = {"user": UserOutputSerializer(user).data, **token_pair_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"], summary="Obtain an access/refresh token pair with email and password")
# simplejwt leaves TokenViewBase.authentication_classes unannotated: its () is inferred as tuple[()].
class TokenObtainView(CredentialEndpointMixin, TokenObtainPairView):  # type: ignore[misc]
    @extend_schema(responses={200: TokenPairOutputSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str):
            return super().post(request, *args, **kwargs)  # the serializer names the bad field
        # Per account as well as per address: many addresses guessing one password share a budget.
        login_attempt_check(email=email)
        try:
            with transaction.atomic():  # the token is minted under the user row's lock (get_token)
                response = super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            login_failure_record(email=email)
            raise
        login_failures_clear(email=email)
        return response


@extend_schema(tags=["auth"])
class TokenRefreshView(CredentialEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRefreshInputSerializer,
        responses={200: TokenPairOutputSerializer},
        summary="Rotate a refresh token (the old one stops working)",
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(auth_token_refresh(refresh_token=serializer.validated_data["refresh"]))


@extend_schema(tags=["auth"])
class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=LogoutInputSerializer, responses={204: None}, summary="Revoke a refresh token")
    def post(self, request: Request) -> Response:
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_logout(user=request_user(request), refresh_token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class LogoutEverywhereView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None},
                   summary="Sign out everywhere: every token of yours, access and refresh, this one too, "
                           "stops working")
    def post(self, request: Request) -> Response:
        user_sign_out_everywhere(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    # The tight budget of the credential endpoints (THROTTLE_AUTH_RATE): it takes a password.
    throttle_scope = "auth"

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={200: TokenPairOutputSerializer},
        summary="Change your password and sign out everywhere (a new token pair for this client)",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        serializer = PasswordChangeInputSerializer(data=request.data, context={"user": user})
        serializer.is_valid(raise_exception=True)
        return Response(user_password_change(user=user, **serializer.validated_data))


@extend_schema(tags=["auth"])
class PasswordResetView(CredentialEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={202: inline_serializer("PasswordResetAccepted", {"detail": serializers.CharField()})},
        summary="Mail a password reset link to an account's address (the same answer whether or not "
                "it has an account)",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"])
        return Response({"detail": "If an account has this address, a reset link is on its way."},
                        status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["auth"])
class PasswordResetConfirmView(CredentialEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={200: TokenPairOutputSerializer},
        summary="Choose a new password with a reset link's uid and token; signs in and out everywhere else",
    )
    def post(self, request: Request) -> Response:
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(password_reset_confirm(**serializer.validated_data))


@extend_schema(tags=["auth"])
class EmailChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"  # it takes a password

    @extend_schema(
        request=EmailChangeInputSerializer,
        responses={202: inline_serializer("EmailChangeAccepted", {"detail": serializers.CharField()})},
        summary="Change your email address: a confirmation link is mailed to the new one",
    )
    def post(self, request: Request) -> Response:
        serializer = EmailChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_change_request(user=request_user(request), **serializer.validated_data)
        return Response({"detail": "A confirmation link is on its way to the new address."},
                        status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["auth"])
class EmailChangeConfirmView(CredentialEndpointMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=EmailChangeConfirmInputSerializer, responses={200: UserOutputSerializer},
                   summary="Confirm a new email address with the token of the link mailed to it")
    def post(self, request: Request) -> Response:
        serializer = EmailChangeConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(UserOutputSerializer(email_change_confirm(**serializer.validated_data)).data)


@extend_schema(tags=["auth"])
class AccountCloseView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"  # it takes a password

    @extend_schema(request=AccountCloseInputSerializer, responses={204: None},
                   summary="Close your account: signed out, name and address removed, communities left")
    def post(self, request: Request) -> Response:
        serializer = AccountCloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_close(user=request_user(request), **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserOutputSerializer}, summary="The authenticated user")
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(request=UserUpdateInputSerializer, responses={200: UserOutputSerializer},
                   summary="Change your username or time zone")
    def patch(self, request: Request) -> Response:
        serializer = UserUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = request_user(request)
        if "username" in serializer.validated_data:  # a PATCH without it changes nothing
            user = user_rename(user=user, username=serializer.validated_data["username"])
        if "time_zone" in serializer.validated_data:
            user = user_set_time_zone(user=user, time_zone=serializer.validated_data["time_zone"])
        return Response(UserOutputSerializer(user).data)
