"""A community's webhook endpoints, their delivery log and redelivery (webhook.manage)."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from members.authentication import request_user
from members.catalogue import Permission
from members.permissions import HasCommunityPermission
from members.selectors.access import request_community_access
from members.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointSecretSerializer,
)
from members.services.webhooks import (
    endpoint_get,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_redeliver,
)
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
ENDPOINT = OpenApiParameter("endpoint_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Endpoint UUID.")
DELIVERY = OpenApiParameter("delivery_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Delivery UUID.")
ACTIONS = ("list", "create", "retrieve", "partial_update", "destroy", "rotate_secret", "deliveries", "redeliver")


@extend_schema(tags=["integrations"], parameters=[COMMUNITY])
class WebhookViewSet(CommunityScopedViewSet):
    serializer_class = WebhookEndpointOutputSerializer
    action_permissions = {action: [HasCommunityPermission(Permission.WEBHOOK_MANAGE)] for action in ACTIONS}

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(community=self.community).order_by("created_at", "id")

    def _endpoint(self, endpoint_id: UUID) -> WebhookEndpoint:
        return endpoint_get(community=self.community, endpoint_id=endpoint_id)

    def _actor(self, request: Request):  # noqa: ANN202  (CommunityAccess)
        return request_community_access(request, self.community.pk)

    @extend_schema(summary="The community's webhook endpoints")
    def list(self, request: Request, community_pk: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointOutputSerializer(page, many=True).data)

    @extend_schema(summary="Register a webhook endpoint: its signing secret is in this answer only",
                   request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointSecretSerializer})
    def create(self, request: Request, community_pk: str) -> Response:
        serializer = WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(actor=self._actor(request), community=self.community,
                                           user=request_user(request), **serializer.validated_data)
        return Response(WebhookEndpointSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="A webhook endpoint", parameters=[ENDPOINT])
    def retrieve(self, request: Request, community_pk: str, endpoint_id: UUID) -> Response:
        return Response(WebhookEndpointOutputSerializer(self._endpoint(endpoint_id)).data)

    @extend_schema(summary="Change a webhook endpoint (enabling it again forgets its failures)", parameters=[ENDPOINT],
                   request=WebhookEndpointInputSerializer)
    def partial_update(self, request: Request, community_pk: str, endpoint_id: UUID) -> Response:
        endpoint = self._endpoint(endpoint_id)
        serializer = WebhookEndpointInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(actor=self._actor(request), endpoint=endpoint,
                                           data=dict(serializer.validated_data))
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(summary="Delete a webhook endpoint and its log", parameters=[ENDPOINT], responses={204: None})
    def destroy(self, request: Request, community_pk: str, endpoint_id: UUID) -> Response:
        webhook_endpoint_delete(actor=self._actor(request), endpoint=self._endpoint(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="A new signing secret (shown once); the old one also signs for the overlap window",
                   parameters=[ENDPOINT], request=None, responses={200: WebhookEndpointSecretSerializer})
    def rotate_secret(self, request: Request, community_pk: str, endpoint_id: UUID) -> Response:
        endpoint = webhook_endpoint_rotate_secret(actor=self._actor(request), endpoint=self._endpoint(endpoint_id))
        return Response(WebhookEndpointSecretSerializer(endpoint).data)

    @extend_schema(summary="The endpoint's deliveries, newest first, each with its attempts",
                   parameters=[ENDPOINT], responses={200: WebhookDeliverySerializer(many=True)})
    def deliveries(self, request: Request, community_pk: str, endpoint_id: UUID) -> Response:
        endpoint = self._endpoint(endpoint_id)
        rows = (WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "id")
                .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("-created_at", "-id"))))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(summary="Send a delivery again now", parameters=[ENDPOINT, DELIVERY], request=None,
                   responses={202: WebhookDeliverySerializer})
    def redeliver(self, request: Request, community_pk: str, endpoint_id: UUID, delivery_id: UUID) -> Response:
        delivery = webhook_redeliver(actor=self._actor(request), endpoint=self._endpoint(endpoint_id),
                                     delivery_id=delivery_id)
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
