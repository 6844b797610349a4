"""Threaded comments: a post's threads (paged), write, edit and delete."""

from uuid import UUID

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.fields import StrictCharField
from community_service.api.http_cache import share_with_anonymous
from community_service.api.pagination import (
    CappedCountPagination,
    KeysetPagination,
    SearchPagination,
    cursor_parameter,
)
from community_service.api.schema import page_or_cursor_response
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.search.api import REQUIRED_SEARCH_TEXT, search_page_parameters, search_page_schema
from content.access import post_shareable
from content.models import Comment, Post
from content.selectors import comments as selectors
from content.serializers.comments import (
    CommentInputSerializer,
    CommentOutputSerializer,
    CommentSearchResultSerializer,
    CommentThreadSerializer,
    CommentUpdateSerializer,
)
from content.services import comments as services
from members.authentication import request_user, request_user_id
from members.permissions import CanViewCommunity
from members.selectors.access import CommunityAccess, request_community_access
from members.viewsets import CommunityScopedViewSet

POST = OpenApiParameter("post_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Post UUID.")
COMMENT = OpenApiParameter("comment_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Comment UUID.")
ORDERING = OpenApiParameter(
    "ordering", str, enum=list(selectors.ROOT_ORDERINGS),
    description="Order of the root comments: -created_at (newest first, default) or created_at. "
    "Replies are always oldest first.",
)
CURSOR = cursor_parameter()


class _CommentViewSet(ActionPermissionsMixin, GenericViewSet):
    """Comments of posts the caller can read; another community's or an invisible post's are 404."""

    queryset = Comment.objects.none()

    def access_for(self, community_id: UUID) -> CommunityAccess:
        return request_community_access(self.request, community_id)

    def fresh(self, comment: Comment) -> Comment:
        """The comment just written, re-read as the caller sees it (author, liked_by_me)."""
        return selectors.comment_written(comment_id=comment.pk, user_id=request_user_id(self.request))


@extend_schema(tags=["comments"], parameters=[POST])
class PostCommentViewSet(_CommentViewSet):
    """A post's threads (anyone who can read the post) and new comments (members who may
    comment in its channel; comment.moderate holders also on locked posts)."""

    serializer_class = CommentThreadSerializer
    action_permissions = {"list": [AllowAny], "create": [IsAuthenticated]}
    # A popular post's threads grow without bound: no full COUNT(*), no deep OFFSET.
    pagination_class = CappedCountPagination

    def get_post(self) -> Post:
        return selectors.comment_post_get(post_id=self.kwargs["post_id"], user_id=request_user_id(self.request),
                                          access_for=self.access_for)

    @extend_schema(
        summary="A post's comment threads, each with its nested replies",
        parameters=[ORDERING, CURSOR],
        responses={200: page_or_cursor_response(CommentThreadSerializer, "CommentThread", capped_count=True)},
    )
    def list(self, request: Request, post_id: UUID) -> Response:
        ordering = request.query_params.get("ordering") or selectors.DEFAULT_ROOT_ORDERING
        if ordering not in selectors.ROOT_ORDERINGS:
            raise ValidationError({"ordering": [f"Use one of: {', '.join(selectors.ROOT_ORDERINGS)}."]})
        post = self.get_post()
        if post_shareable(post):
            share_with_anonymous(request)
        user_id = request_user_id(request)
        roots = selectors.comment_roots(post=post, user_id=user_id)
        if KeysetPagination.requested(request):
            items, next_url, prev_url = KeysetPagination(selectors.ROOT_ORDERINGS[ordering]).paginate(roots, request)
            selectors.comment_tree_attach(items, user_id=user_id)
            return Response({"items": CommentThreadSerializer(items, many=True).data, "next": next_url,
                             "previous": prev_url})
        page = self.paginate_queryset(roots.order_by(*selectors.ROOT_ORDERINGS[ordering]))
        assert page is not None, "the view has a paginator"
        selectors.comment_tree_attach(page, user_id=user_id)
        return self.get_paginated_response(CommentThreadSerializer(page, many=True).data)

    @extend_schema(summary="Comment on a post, or reply to one of its comments", request=CommentInputSerializer,
                   responses={201: CommentOutputSerializer})
    def create(self, request: Request, post_id: UUID) -> Response:
        post = self.get_post()
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(post=post, author=request_user(request),
                                          access=self.access_for(post.community_id), **serializer.validated_data)
        return Response(CommentOutputSerializer(self.fresh(comment)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["comments"], parameters=[COMMENT])
class CommentViewSet(_CommentViewSet):
    """Edit (author only) or delete (author, or comment.moderate) one live comment."""

    serializer_class = CommentOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> Comment:
        return selectors.comment_get(comment_id=self.kwargs["comment_id"], user_id=request_user_id(self.request),
                                     access_for=self.access_for)

    @extend_schema(summary="Edit your comment (marks it edited)", request=CommentUpdateSerializer,
                   responses={200: CommentOutputSerializer})
    def partial_update(self, request: Request, comment_id: UUID) -> Response:
        comment = self.get_object()
        # PATCH semantics: an empty body is a valid request that changes nothing.
        serializer = CommentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_update(comment=comment, actor=request_user(request),
                                          access=self.access_for(comment.community_id), **serializer.validated_data)
        return Response(CommentOutputSerializer(self.fresh(comment)).data)

    @extend_schema(
        summary="Delete a comment (author, or comment.moderate); with replies it stays as [deleted]",
        responses={204: None},
    )
    def destroy(self, request: Request, comment_id: UUID) -> Response:
        comment = self.get_object()
        services.comment_delete(comment=comment, actor=request_user(request),
                                access=self.access_for(comment.community_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentSearchQuerySerializer(serializers.Serializer):
    search = StrictCharField(min_length=1, max_length=200)


COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")


@extend_schema(tags=["comments"], parameters=[COMMUNITY])
class CommunityCommentSearchViewSet(CommunityScopedViewSet):
    """Search the community's comments on posts the caller may read, in the community's
    language (see "Search" in the API docs; comments have no typo fallback)."""

    serializer_class = CommentSearchResultSerializer
    queryset = Comment.objects.none()
    # Not "list": its 200 is one search page, not a paginated list of them.
    action_permissions = {"search": [CanViewCommunity()]}

    @extend_schema(
        summary="Search a community's comments",
        parameters=[OpenApiParameter("search", REQUIRED_SEARCH_TEXT, required=True,
                                     description='Words in any form, "quoted phrases", -excluded words, `or`; the '
                                     "last word also matches as a prefix."),
                    *search_page_parameters()],
        responses={200: search_page_schema("Comment", CommentSearchResultSerializer)},
    )
    def search(self, request: Request, community_pk: str) -> Response:
        query = CommentSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = request_community_access(request, self.community.pk)
        paginator = SearchPagination()
        comments = paginator.paginate_search(request, lambda page, size: selectors.comment_search(
            community=self.community, user_id=request_user_id(request), access=access,
            text=query.validated_data["search"], page=page, page_size=size))
        return Response(paginator.envelope(CommentSearchResultSerializer(comments, many=True).data))


urlpatterns = [
    path("communities/<str:community_pk>/comments", CommunityCommentSearchViewSet.as_view({"get": "search"}),
         name="community-comment-search"),
    path("posts/<uuid:post_id>/comments", PostCommentViewSet.as_view({"get": "list", "post": "create"}),
         name="post-comment-list"),
    path("comments/<uuid:comment_id>", CommentViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
         name="comment-detail"),
]
