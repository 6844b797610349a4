"""Threaded comments: a post's threads (paged), write, edit and delete."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.pagination import KeysetPagination
from community_service.api.schema import page_or_cursor_response
from community_service.api.viewsets import ActionPermissionsMixin
from content.models import Comment, Post
from content.selectors import comments as selectors
from content.serializers.comments import (
    CommentInputSerializer,
    CommentOutputSerializer,
    CommentThreadSerializer,
    CommentUpdateSerializer,
)
from content.services import comments as services
from members.selectors.access import CommunityAccess, request_community_access

POST = OpenApiParameter("post_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Post UUID.")
COMMENT = OpenApiParameter("comment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Comment UUID.")
ORDERING = OpenApiParameter(
    "ordering", str, enum=list(selectors.ROOT_ORDERINGS),
    description="Order of the root comments: -created_at (newest first, default) or created_at. "
    "Replies are always oldest first.",
)
CURSOR = OpenApiParameter(
    "cursor", str, description="Keyset pagination for infinite scroll: send it empty for the first page, then "
    "follow `next`/`previous`. The response is then {items, next, previous}.",
)


def _user_id(request: Request) -> object | None:
    return request.user.pk if request.user.is_authenticated else None


class _CommentViewSet(ActionPermissionsMixin, GenericViewSet):
    """Comments of posts the caller can read; another community's or an invisible post's are 404."""

    queryset = Comment.objects.none()

    def access_for(self, community_id: object) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    def fresh(self, comment: Comment) -> Comment:
        """The comment re-read as the caller sees it (author, liked_by_me)."""
        return selectors.comment_get(comment_id=comment.pk, user_id=_user_id(self.request),
                                     access_for=self.access_for)


@extend_schema(tags=["comments"], parameters=[POST])
class PostCommentViewSet(_CommentViewSet):
    """A post's threads (anyone who can read the post) and new comments (members who may
    comment in its channel; comment.moderate holders also on locked posts)."""

    serializer_class = CommentThreadSerializer
    action_permissions = {"list": [AllowAny], "create": [IsAuthenticated]}

    def get_post(self) -> Post:
        return selectors.comment_post_get(post_id=self.kwargs["post_id"], user_id=_user_id(self.request),
                                          access_for=self.access_for)

    @extend_schema(
        summary="A post's comment threads, each with its nested replies",
        parameters=[ORDERING, CURSOR],
        responses={200: page_or_cursor_response(CommentThreadSerializer, "CommentThread")},
    )
    def list(self, request: Request, post_id: str) -> Response:
        ordering = request.query_params.get("ordering") or selectors.DEFAULT_ROOT_ORDERING
        if ordering not in selectors.ROOT_ORDERINGS:
            raise ValidationError({"ordering": [f"Use one of: {', '.join(selectors.ROOT_ORDERINGS)}."]})
        post = self.get_post()
        user_id = _user_id(request)
        roots = selectors.comment_roots(post=post, user_id=user_id)
        if KeysetPagination.requested(request):
            items, next_url, prev_url = KeysetPagination(selectors.ROOT_ORDERINGS[ordering]).paginate(roots, request)
            selectors.comment_tree_attach(items, user_id=user_id)
            return Response({"items": CommentThreadSerializer(items, many=True).data, "next": next_url,
                             "previous": prev_url})
        page = self.paginate_queryset(roots.order_by(*selectors.ROOT_ORDERINGS[ordering]))
        selectors.comment_tree_attach(page, user_id=user_id)
        return self.get_paginated_response(CommentThreadSerializer(page, many=True).data)

    @extend_schema(summary="Comment on a post, or reply to one of its comments", request=CommentInputSerializer,
                   responses={201: CommentOutputSerializer})
    def create(self, request: Request, post_id: str) -> Response:
        post = self.get_post()
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(post=post, author=request.user, access=self.access_for(post.community_id),
                                          **serializer.validated_data)
        return Response(CommentOutputSerializer(self.fresh(comment)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["comments"], parameters=[COMMENT])
class CommentViewSet(_CommentViewSet):
    """Edit (author only) or delete (author, or comment.moderate) one live comment."""

    serializer_class = CommentOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> Comment:
        return selectors.comment_get(comment_id=self.kwargs["comment_id"], user_id=_user_id(self.request),
                                     access_for=self.access_for)

    @extend_schema(summary="Edit your comment (marks it edited)", request=CommentUpdateSerializer,
                   responses={200: CommentOutputSerializer})
    def partial_update(self, request: Request, comment_id: str) -> Response:
        comment = self.get_object()
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_update(comment=comment, actor=request.user,
                                          access=self.access_for(comment.community_id), **serializer.validated_data)
        return Response(CommentOutputSerializer(self.fresh(comment)).data)

    @extend_schema(
        summary="Delete a comment (author, or comment.moderate); with replies it stays as [deleted]",
        responses={204: None},
    )
    def destroy(self, request: Request, comment_id: str) -> Response:
        comment = self.get_object()
        services.comment_delete(comment=comment, actor=request.user, access=self.access_for(comment.community_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("posts/<uuid:post_id>/comments", PostCommentViewSet.as_view({"get": "list", "post": "create"}),
         name="post-comment-list"),
    path("comments/<uuid:comment_id>", CommentViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
         name="comment-detail"),
]
