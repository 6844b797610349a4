"""Donations (seed): the community's feed (page or cursor), giving, totals and top donors."""

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Donation, DonationStatus
from billing.selectors import donations as selectors
from billing.serializers.donations import DonationInputSerializer, DonationOutputSerializer, DonationSummarySerializer
from billing.services import donations as services
from billing.views.common import COMMUNITY, MONEY_ERRORS
from community_service.api.idempotency import HEADER, idempotent
from community_service.api.pagination import CappedCountPagination, KeysetPagination
from community_service.api.schema import page_or_cursor_response
from members.authentication import request_user
from members.permissions import CanViewCommunity
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

STATUS = OpenApiParameter("status", str, enum=DonationStatus.values,
                          description="Default completed; other statuses need donation.view.")
CURSOR = OpenApiParameter("cursor", str, description="Keyset pagination: send it empty for the first page, then "
                          "follow `next`/`previous`. The response is then {items, next, previous}.")


@extend_schema(tags=["donations"], parameters=[COMMUNITY])
class CommunityDonationViewSet(CommunityScopedViewSet):
    serializer_class = DonationOutputSerializer
    # A big community's donations grow without bound: no full count, no deep OFFSET (?cursor=
    # reads further); idx_donations_feed serves the order within (community, status).
    pagination_class = CappedCountPagination
    action_permissions = {"list": [CanViewCommunity()], "create": [IsAuthenticated, CanViewCommunity()],
                          "summary": [CanViewCommunity()]}

    def context(self) -> dict:
        access = request_community_access(self.request, self.community.pk)
        return {"viewer_id": self.request.user.pk if self.request.user.is_authenticated else None,
                "see_anonymous": access.has("donation.view")}

    def get_queryset(self) -> QuerySet[Donation]:
        if getattr(self, "swagger_fake_view", False):
            return Donation.objects.none()
        wanted = self.request.query_params.get("status")
        if wanted is not None:
            # An empty ?status= is refused like any enum (StrictFilterSet): leave it out for the default.
            if wanted not in DonationStatus.values:
                raise ValidationError({"status": [f"Use one of: {', '.join(DonationStatus.values)}."]})
            if wanted != DonationStatus.COMPLETED and not self.context()["see_anonymous"]:
                raise ValidationError({"status": ["Only donation.view holders may list other statuses."]})
        return selectors.donation_feed(community_id=self.community.pk, status=wanted)

    @extend_schema(summary="The community's donations, newest first (seed)", parameters=[STATUS, CURSOR],
                   responses={200: page_or_cursor_response(DonationOutputSerializer, "Donation", capped_count=True)})
    def list(self, request: Request, community_pk: str) -> Response:
        donations = self.get_queryset()
        context = self.context()
        if KeysetPagination.requested(request):
            items, next_url, prev_url = KeysetPagination(["-created_at", "-id"]).paginate(donations, request)
            return Response({"items": DonationOutputSerializer(items, many=True, context=context).data,
                             "next": next_url, "previous": prev_url})
        page = self.paginate_queryset(donations)
        return self.get_paginated_response(DonationOutputSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Donate (seed; Idempotency-Key recommended)", request=DonationInputSerializer,
        responses={201: DonationOutputSerializer,
                   202: OpenApiResponse(DonationOutputSerializer, description="Pending at the provider."),
                   **MONEY_ERRORS},
    )
    # Optional: the seed's route takes no key. Without one each request is a donation of its own.
    @idempotent(key_required=False)
    def create(self, request: Request, community_pk: str) -> Response:
        serializer = DonationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        donation = services.donation_create(community=self.community, donor=request_user(request),
                                            idempotency_key=request.headers.get(HEADER, ""),
                                            **serializer.validated_data)
        code = status.HTTP_201_CREATED if donation.status == DonationStatus.COMPLETED else status.HTTP_202_ACCEPTED
        context = {**self.context(), "payment": selectors.donation_payment(donation=donation)}
        return Response(DonationOutputSerializer(donation, context=context).data, status=code)

    @extend_schema(summary="Totals per currency and top donors (cached 5 minutes)",
                   responses={200: DonationSummarySerializer})
    def summary(self, request: Request, community_pk: str) -> Response:
        return Response(selectors.donation_summary(community_id=self.community.pk))


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/donations", CommunityDonationViewSet.as_view({"get": "list", "post": "create"}), name="donation-list"),
    path(f"{C}/donations/summary", CommunityDonationViewSet.as_view({"get": "summary"}), name="donation-summary"),
]
