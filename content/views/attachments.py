"""Media attachments: upload into a community, read, delete while unused."""

from uuid import UUID

from django.conf import settings
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.schema import ErrorSerializer
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import NotFound
from content.access import require_unlocked
from content.models import Attachment
from content.serializers.attachments import AttachmentOutputSerializer, AttachmentUploadSerializer
from content.services import attachments as services
from members.authentication import request_user
from members.permissions import CanViewCommunity, IsActiveMember, IsNotMuted, PermissionEntries
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
ATTACHMENT = OpenApiParameter("attachment_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                              description="Attachment UUID.")


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@extend_schema(tags=["media"], parameters=[COMMUNITY])
class CommunityAttachmentViewSet(CommunityScopedViewSet):
    serializer_class = AttachmentOutputSerializer
    parser_classes = [MultiPartParser]
    permission_classes: PermissionEntries = [IsAuthenticated, IsActiveMember(), IsNotMuted()]

    @extend_schema(
        summary="Upload a file (multipart field `file`); attach it with a post's attachment_ids",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentOutputSerializer,
                   413: OpenApiResponse(ErrorSerializer, description="Larger than MEDIA_MAX_UPLOAD_BYTES."),
                   415: OpenApiResponse(ErrorSerializer, description="Not a multipart/form-data body.")},
    )
    def create(self, request: Request, community_pk: str) -> Response:
        # Refuse an oversized body from its Content-Length, before Django spools it to disk.
        if _content_length(request) > settings.MEDIA_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES:
            services.attachment_too_large()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_upload(community=self.community, uploader=request_user(request),
                                                upload=serializer.validated_data["file"])
        return Response(AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["media"], parameters=[ATTACHMENT])
class AttachmentViewSet(ActionPermissionsMixin, GenericViewSet):
    serializer_class = AttachmentOutputSerializer
    queryset = Attachment.objects.none()
    action_permissions = {"retrieve": [CanViewCommunity()], "destroy": [IsAuthenticated, CanViewCommunity()]}

    def get_object(self) -> Attachment:
        attachment = (Attachment.objects.select_related("community", "post").defer("post__search_vector")
                      .filter(pk=self.kwargs["attachment_id"], community__deleted_at__isnull=True).first())
        if attachment is None:
            raise NotFound("Attachment not found.")
        self.check_object_permissions(self.request, attachment)
        if attachment.post is not None:
            # Media of a gated post is for its subscribers, like its body.
            user_id = self.request.user.pk if self.request.user.is_authenticated else None
            require_unlocked(attachment.post, user_id=user_id,
                             access=request_community_access(self.request, attachment.community_id))
        return attachment

    @extend_schema(summary="Get an attachment (with its URL)")
    def retrieve(self, request: Request, attachment_id: UUID) -> Response:
        return Response(AttachmentOutputSerializer(self.get_object()).data)

    @extend_schema(summary="Delete your attachment while no post uses it")
    def destroy(self, request: Request, attachment_id: UUID) -> Response:
        services.attachment_delete(attachment=self.get_object(), user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("communities/<str:community_pk>/attachments", CommunityAttachmentViewSet.as_view({"post": "create"}),
         name="attachment-upload"),
    path("attachments/<uuid:attachment_id>", AttachmentViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
         name="attachment-detail"),
]
