"""Provider webhooks: a signed body completes, fails or refunds a payment, once."""

from collections.abc import Mapping
from typing import IO, Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.services.payments import webhook_receive


class RawParser(BaseParser):
    """Leaves the body as bytes: the signature is over the exact bytes the provider sent."""

    media_type = "*/*"

    # Returns the bytes themselves, where DRF's parsers return parsed data.
    def parse(  # type: ignore[override]
        self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> bytes:
        return stream.read() if stream is not None else b""


class WebhookView(APIView):
    # The provider authenticates with its signature, not a bearer token.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawParser]

    @extend_schema(
        tags=["billing"], summary="Provider webhook (HMAC-signed; see docs/billing.md)",
        parameters=[OpenApiParameter("provider", str, OpenApiParameter.PATH, description="e.g. sandbox")],
        request={"application/json": inline_serializer("ProviderWebhook", {
            "id": serializers.CharField(), "type": serializers.CharField(), "data": serializers.DictField()})},
        responses={200: inline_serializer("WebhookOutcome", {"status": serializers.CharField(
            help_text="applied | duplicate | ignored | unknown_payment | unknown_type")})},
    )
    def post(self, request: Request, provider: str) -> Response:
        body = request.body
        outcome = webhook_receive(provider_name=provider, body=body, headers=dict(request.headers))
        return Response({"status": outcome})


urlpatterns = [path("billing/webhooks/<str:provider>", WebhookView.as_view(), name="billing-webhook")]
