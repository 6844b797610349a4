"""OpenAPI bits shared by the billing views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from community_service.api.schema import ErrorSerializer

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
LEVEL = OpenApiParameter("level_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Level UUID.")
SUBSCRIPTION = OpenApiParameter("subscription_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                                description="Subscription UUID.")
MONEY_ERRORS = {
    402: OpenApiResponse(ErrorSerializer, description="The provider declined the payment (`payment_declined`)."),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with a different request."),
    503: OpenApiResponse(ErrorSerializer, description="Payments unavailable (breaker open); see Retry-After. "
                                                      "Nothing was charged."),
}
