"""Personal API keys of the signed-in user (members.services.api_keys; docs/api.md, "Integrations")."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from members.authentication import request_user
from members.models import ApiKey
from members.selectors.access import KeyGrant
from members.serializers.api_keys import ApiKeyCreatedSerializer, ApiKeyInputSerializer, ApiKeyOutputSerializer
from members.services.api_keys import api_key_create, api_key_revoke


@extend_schema(tags=["integrations"])
class ApiKeyViewSet(viewsets.GenericViewSet):
    serializer_class = ApiKeyOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = ApiKey.objects.none()

    @extend_schema(summary="Your API keys, newest first (never their secrets)")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(ApiKey.objects.filter(user=request_user(request)).order_by("-created_at", "id"))
        return self.get_paginated_response(ApiKeyOutputSerializer(page, many=True).data)

    @extend_schema(request=ApiKeyInputSerializer, responses={201: ApiKeyCreatedSerializer},
                   summary="Create an API key: its secret is in this answer only")
    def create(self, request: Request) -> Response:
        serializer = ApiKeyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grant = request.auth if isinstance(request.auth, KeyGrant) else None
        key, secret = api_key_create(user=request_user(request), name=data["name"], scopes=data["scopes"],
                                     community_ids=data.get("communities"), expires_at=data.get("expires_at"),
                                     grant=grant)
        return Response(ApiKeyCreatedSerializer(key, context={"secret": secret}).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke an API key: refused from the next request on", responses={204: None})
    def destroy(self, request: Request, key_id: UUID) -> Response:
        api_key_revoke(user=request_user(request), key_id=key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
