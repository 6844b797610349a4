"""Likes on posts and comments: POST to like, DELETE to unlike; both idempotent."""

from uuid import UUID

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.viewsets import ActionPermissionsMixin
from content.models import Comment, Post, Reaction
from content.selectors.comments import comment_get, comment_post_get
from content.serializers.comments import LikeStateSerializer
from content.services import reactions as services
from content.services.reactions import LikeState
from members.authentication import request_user
from members.selectors.access import CommunityAccess, request_community_access

POST = OpenApiParameter("post_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Post UUID.")
COMMENT = OpenApiParameter("comment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Comment UUID.")


class _LikeViewSet(ActionPermissionsMixin, GenericViewSet):
    """Like or unlike; both answer {liked, like_count}. Active, unmuted members only."""

    queryset = Reaction.objects.none()
    serializer_class = LikeStateSerializer
    permission_classes = [IsAuthenticated]

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    @staticmethod
    def respond(state: LikeState) -> Response:
        return Response(LikeStateSerializer(state).data)


@extend_schema(tags=["reactions"], parameters=[POST], request=None, responses={200: LikeStateSerializer})
class PostLikeViewSet(_LikeViewSet):
    """Likes on a published post you can read. Active, unmuted members only; idempotent."""

    def _post(self, post_id: UUID) -> Post:
        return comment_post_get(post_id=post_id, user_id=self.request.user.pk, access_for=self.access_for)

    @extend_schema(summary="Like a post (liking again changes nothing)")
    def like(self, request: Request, post_id: UUID) -> Response:
        post = self._post(post_id)
        return self.respond(services.post_like(post=post, user=request_user(request),
                                               access=self.access_for(post.community_id)))

    @extend_schema(summary="Take back your like of a post (no like: no change)")
    def unlike(self, request: Request, post_id: UUID) -> Response:
        post = self._post(post_id)
        return self.respond(services.post_unlike(post=post, user=request_user(request),
                                                 access=self.access_for(post.community_id)))


@extend_schema(tags=["reactions"], parameters=[COMMENT], request=None, responses={200: LikeStateSerializer})
class CommentLikeViewSet(_LikeViewSet):
    """Likes on a live comment of a published post you can read. Active, unmuted members only;
    idempotent."""

    def _comment(self, comment_id: UUID) -> Comment:
        return comment_get(comment_id=comment_id, user_id=self.request.user.pk, access_for=self.access_for)

    @extend_schema(summary="Like a comment (liking again changes nothing)")
    def like(self, request: Request, comment_id: UUID) -> Response:
        comment = self._comment(comment_id)
        return self.respond(services.comment_like(comment=comment, user=request_user(request),
                                                  access=self.access_for(comment.community_id)))

    @extend_schema(summary="Take back your like of a comment (no like: no change)")
    def unlike(self, request: Request, comment_id: UUID) -> Response:
        comment = self._comment(comment_id)
        return self.respond(services.comment_unlike(comment=comment, user=request_user(request),
                                                    access=self.access_for(comment.community_id)))


urlpatterns = [
    path("posts/<uuid:post_id>/like", PostLikeViewSet.as_view({"post": "like", "delete": "unlike"}),
         name="post-like"),
    path("comments/<uuid:comment_id>/like", CommentLikeViewSet.as_view({"post": "like", "delete": "unlike"}),
         name="comment-like"),
]
