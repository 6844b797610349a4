"""RSVP: the caller's registration to an event, and the event's participants."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.viewsets import ActionPermissionsMixin
from events.access import require_can_see_participants
from events.filters import ParticipantFilter
from events.models import Event, Registration
from events.selectors.events import event_get
from events.selectors.registrations import participant_list, registration_with_place
from events.serializers.registrations import ParticipantOutputSerializer, RegistrationOutputSerializer
from events.services import registrations as services
from members.authentication import request_user
from members.selectors.access import CommunityAccess, request_community_access

EVENT = OpenApiParameter("event_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Event UUID.")


class _EventChildViewSet(ActionPermissionsMixin, GenericViewSet):
    permission_classes = [IsAuthenticated]

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    def event(self) -> Event:
        """The event of the URL if the caller may read it (NotFound otherwise; 403 if banned)."""
        return event_get(event_id=self.kwargs["event_id"], user_id=self.request.user.pk, access_for=self.access_for,
                         viewer=False)


@extend_schema(tags=["events"], parameters=[EVENT], request=None)
class RegistrationViewSet(_EventChildViewSet):
    """Register for an event (going while seats remain, else the waitlist) or withdraw."""

    queryset = Registration.objects.none()
    serializer_class = RegistrationOutputSerializer

    @extend_schema(
        summary="Register: going while seats remain, otherwise first come first served on the waitlist",
        responses={201: RegistrationOutputSerializer, 200: RegistrationOutputSerializer},
    )
    def register(self, request: Request, event_id: UUID) -> Response:
        """201 with the new registration; 200 with the existing one if you are already going or waitlisted."""
        result = services.registration_create(event=self.event(), user=request_user(request))
        body = RegistrationOutputSerializer(registration_with_place(result.registration)).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(summary="Withdraw your registration (the first waitlisted member takes a freed seat)",
                   responses={204: None})
    def withdraw(self, request: Request, event_id: UUID) -> Response:
        """Idempotent: 204 whether or not you were registered."""
        services.registration_cancel(event=self.event(), user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["events"], parameters=[EVENT])
class ParticipantViewSet(_EventChildViewSet):
    """Who is going and who waits, for the community's active members."""

    serializer_class = ParticipantOutputSerializer
    filterset_class = ParticipantFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Registration]:
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        event = self.event()
        require_can_see_participants(self.access_for(event.community_id))
        return participant_list(event=event)

    @extend_schema(summary="Participants: going, then the waitlist in order (active members only)")
    def list(self, request: Request, event_id: UUID) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


urlpatterns = [
    path("events/<uuid:event_id>/registration",
         RegistrationViewSet.as_view({"post": "register", "delete": "withdraw"}), name="event-registration"),
    path("events/<uuid:event_id>/participants", ParticipantViewSet.as_view({"get": "list"}),
         name="event-participants"),
]
