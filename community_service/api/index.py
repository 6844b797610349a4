"""`GET /api/v1/`: what the API offers, generated from the URL configuration so it cannot drift."""

from functools import cache

from django.conf import settings
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

PREFIX = "/api/v1/"


@cache
def api_endpoints() -> tuple[str, ...]:
    """Every route under /api/v1/ as the schema names it: `/api/v1/communities/{community_pk}/posts`."""
    # From the schema itself, built once per process: the index lists exactly what it documents.
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return tuple(sorted(p for p in paths if p.startswith(PREFIX) and p != PREFIX))


@extend_schema(
    tags=["api"],
    summary="Index of the API: its resources, every endpoint, and where the schema and docs are",
    responses={200: inline_serializer("ApiIndex", {
        "service": serializers.CharField(),
        "version": serializers.CharField(),
        "schema": serializers.URLField(),
        "docs": serializers.URLField(),
        "resources": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Each top-level resource with its endpoints, as templated paths.",
        ),
    })},
)
class ApiIndexView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request: Request) -> Response:
        resources: dict[str, list[str]] = {}
        for template in api_endpoints():
            resources.setdefault(template.removeprefix(PREFIX).split("/")[0], []).append(template)
        return Response({
            "service": settings.APP_NAME,
            "version": settings.APP_VERSION,
            "schema": request.build_absolute_uri(reverse("schema")),
            "docs": request.build_absolute_uri(reverse("swagger-ui")),
            "resources": resources,
        })
