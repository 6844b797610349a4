"""Subscriptions: the seed's /communities/{id}/subscriptions (levels offered; subscribe),
the caller's subscriptions, and cancel / renew / upgrade of one subscription."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from billing.models import Payment, PaymentStatus, Subscription, SubscriptionLevel
from billing.selectors import levels as level_selectors
from billing.selectors import subscriptions as selectors
from billing.serializers.levels import LevelOutputSerializer
from billing.serializers.subscriptions import (
    RenewInputSerializer,
    SubscribeInputSerializer,
    SubscriptionOutputSerializer,
    UpgradeInputSerializer,
)
from billing.services import subscriptions as services
from billing.views.common import COMMUNITY, MONEY_ERRORS, SUBSCRIPTION
from community_service.api.idempotency import HEADER, idempotent
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import PermissionDenied
from members.authentication import request_user
from members.permissions import CanViewCommunity, IsActiveMember
from members.selectors.access import CommunityAccess, request_community_access
from members.viewsets import CommunityScopedViewSet

WRITE_RESPONSES = {
    201: SubscriptionOutputSerializer,
    202: OpenApiResponse(SubscriptionOutputSerializer, description="Payment still pending at the provider; a "
                                                                    "webhook settles it."),
    **MONEY_ERRORS,
}


def _respond(subscription: Subscription, payment: Payment, *, created: bool) -> Response:
    data = SubscriptionOutputSerializer(subscription, context={"now": timezone.now(), "payment": payment}).data
    if payment.status == PaymentStatus.PENDING:
        return Response(data, status=status.HTTP_202_ACCEPTED)
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=["subscriptions"], parameters=[COMMUNITY])
class CommunitySubscriptionViewSet(CommunityScopedViewSet):
    serializer_class = LevelOutputSerializer
    action_permissions = {"list": [CanViewCommunity()], "create": [IsAuthenticated, IsActiveMember()]}

    def get_queryset(self) -> QuerySet[SubscriptionLevel]:
        if getattr(self, "swagger_fake_view", False):
            return SubscriptionLevel.objects.none()
        return level_selectors.level_list(community=self.community)

    @extend_schema(summary="Subscription levels on offer (seed)")
    def list(self, request: Request, community_pk: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LevelOutputSerializer(page, many=True).data)

    @extend_schema(summary="Subscribe to a level and pay the first period (seed; Idempotency-Key recommended)",
                   request=SubscribeInputSerializer, responses=WRITE_RESPONSES)
    # Optional: the seed's route takes no key; a retry without one is refused `already_subscribed`.
    @idempotent(key_required=False)
    def create(self, request: Request, community_pk: str) -> Response:
        serializer = SubscribeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, payment = services.subscription_subscribe(community=self.community, user=request_user(request),
                                                                idempotency_key=request.headers.get(HEADER, ""),
                                                                **serializer.validated_data)
        return _respond(subscription, payment, created=True)


@extend_schema(tags=["subscriptions"])
class MySubscriptionViewSet(GenericViewSet):
    serializer_class = SubscriptionOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Subscription.objects.none()

    @extend_schema(summary="Your subscriptions in every community, newest first")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.subscription_list_for_user(user_id=request_user(request).pk))
        data = SubscriptionOutputSerializer(page, many=True, context={"now": timezone.now()}).data
        return self.get_paginated_response(data)


@extend_schema(tags=["subscriptions"], parameters=[SUBSCRIPTION])
class SubscriptionViewSet(ActionPermissionsMixin, GenericViewSet):
    """One subscription: its subscriber acts on it; billing.manage holders of its community may read it."""

    serializer_class = SubscriptionOutputSerializer
    queryset = Subscription.objects.none()
    permission_classes = [IsAuthenticated]

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    def get_object(self) -> Subscription:
        return selectors.subscription_get(subscription_id=self.kwargs["subscription_id"], user_id=self.request.user.pk,
                                          access_for=self.access_for)

    def get_own(self) -> Subscription:
        subscription = self.get_object()
        if subscription.user_id != self.request.user.pk:
            # Managers may read others' subscriptions, never act on them.
            raise PermissionDenied("Only the subscriber can change a subscription.", code="not_subscriber")
        return subscription

    @extend_schema(summary="Get a subscription (its subscriber, or billing.manage)")
    def retrieve(self, request: Request, subscription_id: UUID) -> Response:
        return Response(SubscriptionOutputSerializer(self.get_object(), context={"now": timezone.now()}).data)

    @extend_schema(summary="Cancel: no more renewals; access lasts until expires_at", request=None,
                   responses={200: SubscriptionOutputSerializer})
    def cancel(self, request: Request, subscription_id: UUID) -> Response:
        subscription = services.subscription_cancel(subscription=self.get_own(), user=request_user(request))
        return Response(SubscriptionOutputSerializer(subscription, context={"now": timezone.now()}).data)

    @extend_schema(summary="Renew: pay one more period, added after the time already paid (Idempotency-Key)",
                   request=RenewInputSerializer, responses={**WRITE_RESPONSES, 200: SubscriptionOutputSerializer})
    # Required: not a seed route, and a retry without a key would pay for a second period.
    @idempotent(key_required=True)
    def renew(self, request: Request, subscription_id: UUID) -> Response:
        serializer = RenewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, payment = services.subscription_renew(subscription=self.get_own(), user=request_user(request),
                                                            **serializer.validated_data)
        return _respond(subscription, payment, created=False)

    @extend_schema(summary="Upgrade to a dearer level now, paying the difference (Idempotency-Key recommended)",
                   request=UpgradeInputSerializer, responses={**WRITE_RESPONSES, 200: SubscriptionOutputSerializer})
    # Optional: a retry without a key finds the subscription at that level already (409 `same_level`).
    @idempotent(key_required=False)
    def upgrade(self, request: Request, subscription_id: UUID) -> Response:
        serializer = UpgradeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, payment = services.subscription_upgrade(subscription=self.get_own(), user=request_user(request),
                                                              **serializer.validated_data)
        return _respond(subscription, payment, created=False)


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/subscriptions", CommunitySubscriptionViewSet.as_view({"get": "list", "post": "create"}),
         name="subscription-list"),
    path("me/subscriptions", MySubscriptionViewSet.as_view({"get": "list"}), name="my-subscriptions"),
    path("subscriptions/<uuid:subscription_id>", SubscriptionViewSet.as_view({"get": "retrieve"}),
         name="subscription-detail"),
    *[
        path(f"subscriptions/<uuid:subscription_id>/{action}", SubscriptionViewSet.as_view({"post": action}),
             name=f"subscription-{action}")
        for action in ("cancel", "renew", "upgrade")
    ],
]
