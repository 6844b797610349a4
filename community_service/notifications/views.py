"""The inbox API: /notifications, the unread count (cached, ETag), read marks, preferences,
and the signed-out one-click unsubscribe (RFC 8058)."""

from typing import cast
from uuid import UUID

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community_service.api.pagination import KeysetPagination, cursor_parameter
from community_service.notifications import selectors, services
from community_service.notifications.mail import unsubscribe_read
from community_service.notifications.models import Delivery
from community_service.notifications.registry import NOTICE_TYPES
from community_service.notifications.serializers import (
    MarkedSerializer,
    NotificationPageSerializer,
    PreferenceSerializer,
    PreferenceUpdateSerializer,
    UnreadCountSerializer,
    notification_data,
)


def _me(request: Request) -> UUID:
    """The signed-in caller's id (every view here requires IsAuthenticated)."""
    return cast(UUID, request.user.pk)


UNREAD = OpenApiParameter("unread", bool, description="Only unread notices.")
TYPE = OpenApiParameter("type", str, description="Only these types (comma-separated), e.g. `mention,reply`.")


class NotificationListView(APIView):
    """My notices, newest first, with keyset pagination (`cursor`, `page_size`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], summary="My notifications", parameters=[UNREAD, TYPE, cursor_parameter()],
                   responses={200: NotificationPageSerializer})
    def get(self, request: Request) -> Response:
        unread = request.query_params.get("unread", "false").lower()
        if unread not in ("true", "false", "1", "0"):
            raise ValidationError({"unread": ["Must be true or false."]})
        types = [t for t in request.query_params.get("type", "").split(",") if t]
        unknown = sorted(set(types) - set(NOTICE_TYPES))
        if unknown:
            raise ValidationError({"type": [f"Unknown notice type(s): {', '.join(unknown)}."]})
        rows = selectors.inbox(user_id=_me(request), unread=unread in ("true", "1"), types=types)
        items, next_url, prev_url = KeysetPagination(["-id"]).paginate(rows, request)
        actors = selectors.actors_of(items)
        return Response({"items": [notification_data(n, actors) for n in items], "next": next_url,
                         "previous": prev_url})


class UnreadCountView(APIView):
    """The number of unread notices, answered from the cache; poll with If-None-Match (304 when unchanged)."""

    permission_classes = [IsAuthenticated]
    conditional_actions = ("get",)

    @extend_schema(tags=["notifications"], summary="How many notices are unread",
                   responses={200: UnreadCountSerializer})
    def get(self, request: Request) -> Response:
        count, etag = selectors.unread_count(user_id=_me(request))
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response({"unread": count}, headers=headers)


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], summary="Mark one notice read", request=None,
                   responses={200: MarkedSerializer})
    def post(self, request: Request, notification_id: int) -> Response:
        """Idempotent: marking a read notice again marks 0. Another person's notice is 404."""
        if not selectors.inbox(user_id=_me(request)).filter(pk=notification_id).exists():
            raise NotFound("Notification not found.")
        marked = services.notification_mark_read(user_id=_me(request), notification_id=notification_id)
        return Response({"marked": marked})


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], summary="Mark every notice read", request=None,
                   responses={200: MarkedSerializer})
    def post(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_read(user_id=_me(request))})


class NotificationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], summary="Delete a notice", responses={204: None})
    def delete(self, request: Request, notification_id: int) -> Response:
        if not services.notification_delete(user_id=_me(request), notification_id=notification_id):
            raise NotFound("Notification not found.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferenceView(APIView):
    """Per notice type: in_app, email (urgent types at once, the others in the daily digest), both, or off."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["notifications"], summary="My notification preferences",
                   responses={200: PreferenceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(selectors.preferences_of(user_id=_me(request)))

    @extend_schema(tags=["notifications"], summary="Change notification preferences",
                   request=PreferenceUpdateSerializer, responses={200: PreferenceSerializer(many=True)})
    def patch(self, request: Request) -> Response:
        serializer = PreferenceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chosen = serializer.validated_data.get("preferences", {})
        unknown = sorted(set(chosen) - set(NOTICE_TYPES))
        if unknown:
            raise ValidationError({"preferences": [ErrorDetail(f"Unknown notice type(s): {', '.join(unknown)}.",
                                                               code="unknown")]})
        with transaction.atomic():
            for type_name, delivery in chosen.items():
                services.preference_set(user_id=_me(request), type_name=type_name, delivery=delivery)
        return Response(selectors.preferences_of(user_id=_me(request)))


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button (mail scanners follow links, so GET changes nothing);
    POST (RFC 8058 one-click, or the button): mail for that type is turned off. No sign-in."""
    try:
        user_id, type_name = unsubscribe_read(token)
    except signing.BadSignature:
        return HttpResponse("This unsubscribe link is invalid or has expired.", status=400, content_type="text/plain")
    if type_name not in NOTICE_TYPES:
        return HttpResponse("This unsubscribe link is invalid.", status=400, content_type="text/plain")
    label = NOTICE_TYPES[type_name].label
    if request.method == "POST":
        current = {p["type"]: p["delivery"] for p in selectors.preferences_of(user_id=user_id)}
        delivery = Delivery.IN_APP if current.get(type_name) in (Delivery.BOTH, Delivery.IN_APP) else Delivery.OFF
        services.preference_set(user_id=user_id, type_name=type_name, delivery=delivery)
        return HttpResponse(f"You will get no more mail for: {label}.", content_type="text/plain")
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return HttpResponse(
        f'<!doctype html><title>Unsubscribe</title><form method="post"><p>Stop mail for: {label}?</p>'
        '<button type="submit">Unsubscribe</button></form>', content_type="text/html")


urlpatterns = [
    path("notifications", NotificationListView.as_view(), name="notification-list"),
    path("notifications/unread-count", UnreadCountView.as_view(), name="notification-unread-count"),
    path("notifications/read-all", NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/preferences", PreferenceView.as_view(), name="notification-preferences"),
    path("notifications/<int:notification_id>", NotificationDetailView.as_view(), name="notification-detail"),
    path("notifications/<int:notification_id>/read", NotificationReadView.as_view(), name="notification-read"),
    path("notifications/unsubscribe/<str:token>", unsubscribe, name="notifications-unsubscribe"),
]
