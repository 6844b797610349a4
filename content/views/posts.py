"""Posts: community feeds (page or keyset cursor), detail, writes and moderation."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.clients import client_address
from community_service.api.http_cache import share_with_anonymous
from community_service.api.pagination import CappedCountPagination, KeysetPagination, cursor_parameter
from community_service.api.schema import page_or_cursor_response
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.search.api import SearchListMixin, search_page_schema, search_parameter, search_text
from community_service.search.query import SearchPage
from content.access import post_shareable
from content.filters import PostFilter
from content.models import Post, PostStatus
from content.selectors import posts as selectors
from content.selectors.channels import channel_in_community
from content.serializers.posts import (
    ModerationReasonSerializer,
    PostInputSerializer,
    PostOutputSerializer,
    PostSearchResultSerializer,
    PostUpdateSerializer,
    RejectInputSerializer,
    post_data,
    post_search_data,
)
from content.services import posts as services
from content.services import view_counts
from members import policy
from members.authentication import request_user, request_user_id
from members.permissions import CanViewCommunity, HasCommunityPermission
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
POST = OpenApiParameter("post_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Post UUID.")
ORDERING = OpenApiParameter(
    "ordering", str, enum=["pinned", "new", "top"],
    description="pinned (pinned first, then newest; the default for pages), new (the default with `cursor`), "
    "or top (most liked). With `search` and no `ordering`, pages are ranked by relevance; with `cursor`, "
    "`search` only filters and the order is `ordering`'s.",
)
CURSOR = cursor_parameter()


def _viewer_key(request: Request) -> str:
    """Who is viewing, for view dedupe: the user, else the client address (X-Forwarded-For
    only through NUM_PROXIES trusted proxies, so a varied header cannot inflate counts)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_address(request)}"


@extend_schema_view(
    list=extend_schema(
        summary="The community's posts (filters, search, page or cursor)",
        parameters=[ORDERING, CURSOR, search_parameter("titles and contents, in the community's language")],
        responses={200: page_or_cursor_response(PostOutputSerializer, "Post",
                                                search_page_schema("Post", PostSearchResultSerializer),
                                                capped_count=True)},
    ),
    create=extend_schema(summary="Write a post (or a draft)", request=PostInputSerializer,
                         responses={201: PostOutputSerializer}),
)
@extend_schema(tags=["posts"], parameters=[COMMUNITY])
class CommunityPostViewSet(SearchListMixin, CommunityScopedViewSet):
    serializer_class = PostOutputSerializer
    search_serializer_class = PostSearchResultSerializer
    filterset_class = PostFilter
    # A community's feed can hold millions of posts: no full COUNT(*), no deep OFFSET.
    pagination_class = CappedCountPagination
    action_permissions = {
        "list": [CanViewCommunity()],
        "create": [IsAuthenticated, CanViewCommunity()],
    }

    def access(self):
        return request_community_access(self.request, self.community.pk)

    def get_queryset(self) -> QuerySet[Post]:
        if getattr(self, "swagger_fake_view", False):
            return Post.objects.none()
        return selectors.post_feed(community=self.community, user_id=request_user_id(self.request),
                                   access=self.access())

    def run_search(self, queryset: QuerySet[Post], *, text: str, page: int, page_size: int) -> SearchPage:
        # Relevance, unless the caller asked for an order.
        ordering = self.request.query_params.get("ordering")
        order = selectors.PAGE_ORDERINGS[ordering] if ordering else None
        return selectors.post_search(queryset, community=self.community, text=text, page=page, page_size=page_size,
                                     order=order)

    def list(self, request: Request, community_pk: str) -> Response:
        explicit = request.query_params.get("ordering")
        ordering = explicit or ("new" if KeysetPagination.requested(request) else "pinned")
        if ordering not in selectors.PAGE_ORDERINGS:
            raise ValidationError({"ordering": [f"Use one of: {', '.join(selectors.PAGE_ORDERINGS)}."]})
        posts = self.filter_queryset(self.get_queryset())
        searching = self.searching()
        # Anonymous, a feed holds what anyone sees: gated posts without their content.
        if policy.anonymous_shares(self.community.community_type):
            share_with_anonymous(request)
        if KeysetPagination.requested(request):
            # Relevance is no keyset position: with a cursor, search filters and `ordering` orders.
            if searching:
                posts = selectors.post_search_filter(posts, community=self.community,
                                                     text=search_text(request))
            keys = selectors.post_feed_keys(ordering=ordering,
                                            status=request.query_params.get("status", PostStatus.PUBLISHED))
            items, next_url, prev_url = KeysetPagination(keys).paginate(posts, request)
            return Response({"items": [post_data(post) for post in items], "next": next_url,
                             "previous": prev_url})
        if not searching or explicit:
            posts = posts.order_by(*selectors.PAGE_ORDERINGS[ordering])
        page = self.paginate_queryset(posts)
        assert page is not None, "the list is always paginated"
        item_data = post_search_data if searching else post_data
        return self.get_paginated_response([item_data(post) for post in page])

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        channel_id = data.pop("channel_id", None)
        channel = channel_in_community(community=self.community, channel_id=channel_id) if channel_id else None
        post = services.post_create(community=self.community, author=request_user(request), access=self.access(),
                                    channel=channel, **data)
        fresh = selectors.post_written(post_id=post.pk, user_id=request.user.pk)
        return Response(PostOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="Get a post (counts a view)"),
    update=extend_schema(summary="Edit a post (author; post.update for others' title/content)",
                         request=PostUpdateSerializer),
    partial_update=extend_schema(summary="Edit a post (author; post.update for others' title/content)",
                                 request=PostUpdateSerializer),
    destroy=extend_schema(summary="Delete a post (author, or post.delete: soft delete)"),
)
@extend_schema(tags=["posts"], parameters=[POST])
class PostViewSet(ActionPermissionsMixin, GenericViewSet):
    serializer_class = PostOutputSerializer
    queryset = Post.objects.none()
    moderate = [IsAuthenticated, HasCommunityPermission("post.moderate")]
    action_permissions = {
        "retrieve": [AllowAny],
        "update": [IsAuthenticated],
        "partial_update": [IsAuthenticated],
        "destroy": [IsAuthenticated],
        **dict.fromkeys(["approve", "reject", "pin", "unpin", "lock", "unlock"], moderate),
    }

    def access_for(self, community_id: UUID):
        return request_community_access(self.request, community_id)

    def get_object(self) -> Post:
        post = selectors.post_get(post_id=self.kwargs["post_id"], user_id=request_user_id(self.request),
                                  access_for=self.access_for)
        self.check_object_permissions(self.request, post)
        return post

    def respond(self, post: Post, code: int = status.HTTP_200_OK) -> Response:
        # What the write committed, even if a concurrent delete hid the post right after.
        fresh = selectors.post_written(post_id=post.pk, user_id=request_user_id(self.request))
        return Response(PostOutputSerializer(fresh).data, status=code)

    def retrieve(self, request: Request, post_id: UUID) -> Response:
        post = self.get_object()
        if post.status == PostStatus.PUBLISHED:
            view_counts.post_view_register(post_id=post.pk, viewer_key=_viewer_key(request))
        if post_shareable(post):
            share_with_anonymous(request)  # a cached answer counts no view (docs/operations.md, "HTTP cache")
        return Response(PostOutputSerializer(post).data)

    def update(self, request: Request, post_id: UUID, partial: bool = False) -> Response:
        post = self.get_object()
        serializer = PostUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "channel_id" in data:
            channel_id = data.pop("channel_id")
            data["channel"] = channel_in_community(community=post.community, channel_id=channel_id) if channel_id \
                else None
        post = services.post_update(post=post, actor=request_user(request), access=self.access_for(post.community_id),
                                    data=data)
        return self.respond(post)

    def partial_update(self, request: Request, post_id: UUID) -> Response:
        return self.update(request, post_id, partial=True)

    def destroy(self, request: Request, post_id: UUID) -> Response:
        post = self.get_object()
        services.post_delete(post=post, actor=request_user(request), access=self.access_for(post.community_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _moderate(self, request: Request, action: str, serializer_class: type = ModerationReasonSerializer) -> Response:
        post = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_moderate(post=post, moderator=request_user(request),
                                      access=request_community_access(request, post.community_id), action=action,
                                      reason=serializer.validated_data.get("reason", ""))
        return self.respond(post)

    @extend_schema(summary="Approve a post waiting for review", request=ModerationReasonSerializer)
    def approve(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "approve")

    @extend_schema(summary="Reject a post waiting for review, with a reason", request=RejectInputSerializer)
    def reject(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "reject", RejectInputSerializer)

    @extend_schema(summary="Pin a post (community-wide cap)", request=ModerationReasonSerializer)
    def pin(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "pin")

    @extend_schema(summary="Unpin a post", request=ModerationReasonSerializer)
    def unpin(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "unpin")

    @extend_schema(summary="Lock comments on a post", request=ModerationReasonSerializer)
    def lock(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "lock")

    @extend_schema(summary="Unlock comments on a post", request=ModerationReasonSerializer)
    def unlock(self, request: Request, post_id: UUID) -> Response:
        return self._moderate(request, "unlock")


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/posts", CommunityPostViewSet.as_view({"get": "list", "post": "create"}), name="post-list"),
    path(
        "posts/<uuid:post_id>",
        PostViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="post-detail",
    ),
    *[
        path(f"posts/<uuid:post_id>/{action}", PostViewSet.as_view({"post": action}), name=f"post-{action}")
        for action in ("approve", "reject", "pin", "unpin", "lock", "unlock")
    ],
]
