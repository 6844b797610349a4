"""Events: a community's list (page or keyset cursor), the caller's own, scheduling, detail, edits,
cancel, delete."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.http_cache import share_with_anonymous
from community_service.api.pagination import CappedCountPagination, KeysetPagination
from community_service.api.schema import page_or_cursor_response
from community_service.api.viewsets import ActionPermissionsMixin
from events.access import event_shareable
from events.filters import EventFilter
from events.models import Event
from events.selectors import events as selectors
from events.serializers.events import (
    EventCancelSerializer,
    EventInputSerializer,
    EventOutputSerializer,
    EventUpdateSerializer,
    MyEventOutputSerializer,
)
from events.services import events as services
from members import policy
from members.authentication import request_user, request_user_id
from members.permissions import CanViewCommunity
from members.selectors.access import CommunityAccess, request_community_access
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
EVENT = OpenApiParameter("event_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Event UUID.")
CURSOR = OpenApiParameter(
    "cursor", str, description="Keyset pagination for long histories: send it empty for the first page, then "
    "follow `next`/`previous`. The response is then {items, next, previous}.",
)


@extend_schema_view(
    list=extend_schema(
        summary="The community's events (upcoming by default; past, date range, status; page or cursor)",
        parameters=[CURSOR],
        responses={200: page_or_cursor_response(EventOutputSerializer, "Event", capped_count=True)},
    ),
    create=extend_schema(summary="Schedule an event (active member with event.create)",
                         request=EventInputSerializer, responses={201: EventOutputSerializer}),
)
@extend_schema(tags=["events"], parameters=[COMMUNITY])
class CommunityEventViewSet(CommunityScopedViewSet):
    serializer_class = EventOutputSerializer
    filterset_class = EventFilter
    # A community's past events grow without bound: capped total, no deep OFFSET (?cursor=).
    pagination_class = CappedCountPagination
    action_permissions = {
        "list": [CanViewCommunity()],
        "create": [IsAuthenticated, CanViewCommunity()],
    }

    def access(self) -> CommunityAccess:
        return request_community_access(self.request, self.community.pk)

    def get_queryset(self) -> QuerySet[Event]:
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return selectors.event_list(community=self.community, user_id=request_user_id(self.request),
                                    access=self.access())

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "user_id": request_user_id(self.request), "access": self.access()}

    def list(self, request: Request, community_pk: str) -> Response:
        # Anonymous, the list holds what anyone sees (no members-only event).
        if policy.anonymous_shares(self.community.community_type):
            share_with_anonymous(request)
        return filtered_page(self, request, self.get_queryset())

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = EventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.event_create(community=self.community, organizer=request_user(request), access=self.access(),
                                      data=dict(serializer.validated_data))
        fresh = selectors.event_get(event_id=event.pk, user_id=request.user.pk, access_for=lambda _: self.access())
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="Get an event"),
    update=extend_schema(summary="Edit an event (organiser, or event.manage)", request=EventUpdateSerializer),
    partial_update=extend_schema(summary="Edit an event (organiser, or event.manage)",
                                 request=EventUpdateSerializer),
    destroy=extend_schema(summary="Delete an event (organiser, or event.manage: soft delete; registrants of an "
                                  "event that is not over are told it is cancelled)"),
)
@extend_schema(tags=["events"], parameters=[EVENT])
class EventViewSet(ActionPermissionsMixin, GenericViewSet):
    serializer_class = EventOutputSerializer
    queryset = Event.objects.none()
    action_permissions = {
        "retrieve": [AllowAny],
        "update": [IsAuthenticated],
        "partial_update": [IsAuthenticated],
        "destroy": [IsAuthenticated],
        "cancel": [IsAuthenticated],
    }

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    def get_object(self) -> Event:
        return selectors.event_get(event_id=self.kwargs["event_id"], user_id=request_user_id(self.request),
                                   access_for=self.access_for)

    def respond(self, event_id: UUID) -> Response:
        """The event as the caller sees it now (after a write: fresh counters and their registration)."""
        event = selectors.event_get(event_id=event_id, user_id=request_user_id(self.request),
                                    access_for=self.access_for)
        context = {"user_id": request_user_id(self.request), "access": self.access_for(event.community_id)}
        return Response(EventOutputSerializer(event, context=context).data)

    def retrieve(self, request: Request, event_id: UUID) -> Response:
        event = selectors.event_get(event_id=event_id, user_id=request_user_id(request), access_for=self.access_for)
        if event_shareable(event):
            share_with_anonymous(request)
        context = {"user_id": request_user_id(request), "access": self.access_for(event.community_id)}
        return Response(EventOutputSerializer(event, context=context).data)

    def update(self, request: Request, event_id: UUID, partial: bool = False) -> Response:
        event = self.get_object()
        serializer = EventUpdateSerializer(data=request.data, partial=partial, context={"timezone": event.timezone})
        serializer.is_valid(raise_exception=True)
        services.event_update(event=event, actor=request_user(request), access=self.access_for(event.community_id),
                              data=dict(serializer.validated_data))
        return self.respond(event.pk)

    def partial_update(self, request: Request, event_id: UUID) -> Response:
        return self.update(request, event_id, partial=True)

    def destroy(self, request: Request, event_id: UUID) -> Response:
        event = self.get_object()
        services.event_delete(event=event, actor=request_user(request), access=self.access_for(event.community_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Cancel an event with a reason (organiser, or event.manage); registrants are told",
                   request=EventCancelSerializer, responses={200: EventOutputSerializer})
    def cancel(self, request: Request, event_id: UUID) -> Response:
        event = self.get_object()
        serializer = EventCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.event_cancel(event=event, actor=request_user(request), access=self.access_for(event.community_id),
                              reason=serializer.validated_data["reason"])
        return self.respond(event.pk)


def filtered_page(view: GenericViewSet, request: Request, events: QuerySet[Event]) -> Response:
    """A list of events through EventFilter (`when`, `status`, dates), as a page or, with
    `?cursor=`, a keyset page in the filter's order."""
    filterset = DjangoFilterBackend().get_filterset(request, events, view)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    events = filterset.qs
    if KeysetPagination.requested(request):
        items, next_url, prev_url = KeysetPagination(filterset.ordering).paginate(events, request)
        return Response({"items": view.get_serializer(items, many=True).data, "next": next_url,
                         "previous": prev_url})
    page = view.paginate_queryset(events)
    return view.get_paginated_response(view.get_serializer(page, many=True).data)


@extend_schema(tags=["events"])
class MyEventViewSet(GenericViewSet):
    """The caller's own events across communities: Meetup's "Your events"."""

    serializer_class = MyEventOutputSerializer
    filterset_class = EventFilter
    permission_classes = [IsAuthenticated]
    queryset = Event.objects.none()

    @extend_schema(
        summary="Events you are going to or waitlisted for, in every community (upcoming by default)",
        parameters=[CURSOR],
        responses={200: page_or_cursor_response(MyEventOutputSerializer, "MyEvent")},
    )
    def list(self, request: Request) -> Response:
        return filtered_page(self, request, selectors.my_events(user_id=request_user(request).pk))


C = "communities/<str:community_pk>"
urlpatterns = [
    path("me/events", MyEventViewSet.as_view({"get": "list"}), name="my-events"),
    path(f"{C}/events", CommunityEventViewSet.as_view({"get": "list", "post": "create"}), name="event-list"),
    path(
        "events/<uuid:event_id>",
        EventViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="event-detail",
    ),
    path("events/<uuid:event_id>/cancel", EventViewSet.as_view({"post": "cancel"}), name="event-cancel"),
]
