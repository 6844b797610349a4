"""iCalendar (text/calendar) for one event and for a community's events, to import or subscribe to.

Calendar apps send no bearer token, so subscribing works for what anonymous callers may
read (public and restricted communities, not members-only events); with a token the feed
holds what its holder may read, online links included for events they are going to.
"""

from collections.abc import Iterable
from uuid import UUID

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from community_service.api.http_cache import share_with_anonymous
from community_service.api.viewsets import ActionPermissionsMixin
from events.access import event_shareable, sees_online_url
from events.models import Event
from events.selectors.events import event_calendar_feed, event_get
from events.serializers.calendars import calendar_body
from members import policy
from members.authentication import request_user_id
from members.permissions import CanViewCommunity
from members.selectors.access import CommunityAccess, request_community_access
from members.viewsets import CommunityScopedViewSet

CALENDAR = {(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar (RFC 5545) file.")}
CONTENT_TYPE = "text/calendar; charset=utf-8"


class _ErrorsAsJson(BaseContentNegotiation):
    """Whatever a calendar client accepts, errors are the API's JSON; successes are
    text/calendar responses that bypass the renderers."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        parsers = list(parsers)
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Iterable[BaseRenderer],
                        format_suffix: str | None = None) -> tuple[BaseRenderer, str]:
        renderer = list(renderers)[0]
        return renderer, renderer.media_type


def _calendar(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _url_rule(request: Request, access: CommunityAccess):
    return lambda event: sees_online_url(event, user_id=request_user_id(request), access=access,
                                         my_status=getattr(event, "my_status", None))


@extend_schema(tags=["events"])
class EventCalendarViewSet(ActionPermissionsMixin, GenericViewSet):
    queryset = Event.objects.none()
    content_negotiation_class = _ErrorsAsJson
    permission_classes = [AllowAny]

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    @extend_schema(summary="One event as an iCalendar file (import it into a calendar app)",
                   parameters=[OpenApiParameter("event_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
                   responses=CALENDAR)
    def ical(self, request: Request, event_id: UUID) -> HttpResponse:
        """Stable UID per event; SEQUENCE grows with every change; STATUS:CANCELLED once cancelled."""
        event = event_get(event_id=event_id, user_id=request_user_id(request), access_for=self.access_for)
        if event_shareable(event):
            share_with_anonymous(request)
        body = calendar_body([event], name=event.title,
                             show_url=_url_rule(request, self.access_for(event.community_id)))
        return _calendar(body, filename=f"event-{event.pk}.ics", attachment=True)


@extend_schema(tags=["events"])
class CommunityCalendarViewSet(CommunityScopedViewSet):
    queryset = Event.objects.none()
    content_negotiation_class = _ErrorsAsJson
    action_permissions = {"feed": [CanViewCommunity()]}

    @extend_schema(
        summary="The community's events as an iCalendar feed (subscribe to it)",
        operation_id="communities_events_calendar",
        parameters=[OpenApiParameter("community_pk", str, OpenApiParameter.PATH,
                                     description="Community UUID or slug.")],
        responses=CALENDAR,
    )
    def feed(self, request: Request, community_pk: str) -> HttpResponse:
        """Upcoming events and those of the last 30 days (at most 500), cancelled ones included."""
        access = request_community_access(request, self.community.pk)
        events = event_calendar_feed(community=self.community, user_id=request_user_id(request), access=access)
        if policy.anonymous_shares(self.community.community_type):
            share_with_anonymous(request)  # anonymous, the feed holds no members-only event
        body = calendar_body(events, name=self.community.name, show_url=_url_rule(request, access))
        return _calendar(body, filename=f"{self.community.slug}-events.ics", attachment=False)


urlpatterns = [
    path("events/<uuid:event_id>/ical", EventCalendarViewSet.as_view({"get": "ical"}), name="event-ical"),
    path("communities/<str:community_pk>/events.ics", CommunityCalendarViewSet.as_view({"get": "feed"}),
         name="event-feed"),
]
