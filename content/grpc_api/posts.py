"""PostService: the REST post routes (content/views/posts.py) over gRPC, on the same
serializers (validation), selectors (visibility) and services (rules, outbox events)."""

from typing import Any

import grpc
from google.protobuf import empty_pb2
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from community_service.api.pagination import KeysetPagination
from community_service.exceptions import ValidationFailed
from community_service.grpc_api.convert import enum_choice, enum_number, require_uuid, timestamp
from community_service.grpc_api.gen.community.v1 import common_pb2, posts_pb2, posts_pb2_grpc
from content.filters import PostFilter
from content.models import Post, PostStatus
from content.selectors import posts as selectors
from content.selectors.channels import channel_in_community
from content.serializers.posts import (
    ModerationReasonSerializer,
    PostInputSerializer,
    PostUpdateSerializer,
    post_data,
)
from content.services import posts as services
from content.services import view_counts
from members.grpc_api.caller import Caller, grpc_caller

STATUS, ORDERING = "POST_STATUS", "POST_ORDERING"


def post_message(post: Post) -> posts_pb2.Post:
    """A post as selectors.post_get / post_feed load it (author, channel, attachments, liked_by_me,
    is_locked). Shaped by the REST API's post_data, so a locked post's body and media stay
    hidden through both doors alike."""
    data = post_data(post)
    author = data["author"]
    return posts_pb2.Post(
        id=data["id"],
        community_id=data["community_id"],
        channel_id=data["channel_id"] or "",
        author=common_pb2.UserRef(**author) if author is not None else None,
        title=data["title"],
        content=data["content"],
        status=enum_number(posts_pb2.PostStatus, STATUS, post.status),
        rejection_reason=data["rejection_reason"],
        is_pinned=data["is_pinned"],
        comments_locked=data["comments_locked"],
        media_urls=data["media_urls"],
        like_count=data["like_count"],
        view_count=data["view_count"],
        comment_count=data["comment_count"],
        liked_by_me=data["liked_by_me"],
        locked=data["locked"],
        required_level_ids=data["required_level_ids"],
        published_at=timestamp(post.published_at),
        created_at=timestamp(post.created_at),
        updated_at=timestamp(post.updated_at),
    )


def validated(serializer: serializers.Serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PostServicer(posts_pb2_grpc.PostServiceServicer):
    def _readable(self, caller: Caller, post_id: str) -> Post:
        return selectors.post_get(post_id=require_uuid(post_id, field="post_id"), user_id=caller.user_id,
                                  access_for=caller.access)

    def _respond(self, caller: Caller, post: Post) -> posts_pb2.Post:
        return post_message(self._readable(caller, str(post.pk)))

    def GetPost(self, request: posts_pb2.GetPostRequest, context: grpc.ServicerContext) -> posts_pb2.Post:
        caller = grpc_caller(context)
        post = self._readable(caller, request.post_id)
        if caller.user is not None and post.status == PostStatus.PUBLISHED:
            # A person is looking (through a gateway); the service itself reading is no view.
            view_counts.post_view_register(post_id=post.pk, viewer_key=f"user:{caller.user.pk}")
        return post_message(post)

    def ListPosts(
        self, request: posts_pb2.ListPostsRequest, context: grpc.ServicerContext
    ) -> posts_pb2.ListPostsResponse:
        caller = grpc_caller(context)
        community = caller.community(request.community_id)
        status = enum_choice(posts_pb2.PostStatus, STATUS, request.status, field="status") or PostStatus.PUBLISHED
        ordering = enum_choice(posts_pb2.PostOrdering, ORDERING, request.ordering, field="ordering") or "new"
        paginator = KeysetPagination(selectors.post_feed_keys(ordering=ordering, status=status),
                                     cursor_param="page_token")
        if not 0 <= request.page_size <= paginator.max_page_size:
            raise ValidationFailed(f"Must be an integer between 1 and {paginator.max_page_size}.", field="page_size",
                                   code="invalid")
        filters = {"status": status}
        if request.channel_id:
            filters["channel"] = str(require_uuid(request.channel_id, field="channel_id"))
        posts = selectors.post_feed(community=community, user_id=caller.user_id, access=caller.access(community.pk))
        filterset = PostFilter(data=filters, queryset=posts)
        if not filterset.is_valid():
            raise ValidationError(dict(filterset.errors))
        rows, next_token, previous_token = paginator.page(
            filterset.qs, cursor=request.page_token, size=request.page_size or paginator.page_size
        )
        return posts_pb2.ListPostsResponse(posts=[post_message(post) for post in rows],
                                           next_page_token=next_token or "", previous_page_token=previous_token or "")

    def CreatePost(self, request: posts_pb2.CreatePostRequest, context: grpc.ServicerContext) -> posts_pb2.Post:
        caller = grpc_caller(context)
        author = caller.require_user()
        community = caller.community(request.community_id)
        data: dict[str, Any] = {"title": request.title, "content": request.content}
        if request.channel_id:
            data["channel_id"] = request.channel_id
        if status := enum_choice(posts_pb2.PostStatus, STATUS, request.status, field="status"):
            data["status"] = status
        if request.attachment_ids:
            data["attachment_ids"] = list(request.attachment_ids)
        data = validated(PostInputSerializer(data=data))
        channel_id = data.pop("channel_id", None)
        channel = channel_in_community(community=community, channel_id=channel_id) if channel_id else None
        post = services.post_create(community=community, author=author, access=caller.access(community.pk),
                                    channel=channel, **data)
        return self._respond(caller, post)

    def UpdatePost(self, request: posts_pb2.UpdatePostRequest, context: grpc.ServicerContext) -> posts_pb2.Post:
        caller = grpc_caller(context)
        actor = caller.require_user()
        post = self._readable(caller, request.post_id)
        data: dict[str, Any] = {name: getattr(request, name) for name in ("title", "content", "channel_id")
                                if request.HasField(name)}
        if data.get("channel_id") == "":
            data["channel_id"] = None  # out of its channel, as JSON null does over REST
        if status := enum_choice(posts_pb2.PostStatus, STATUS, request.status, field="status"):
            data["status"] = status
        data = validated(PostUpdateSerializer(data=data, partial=True))
        if "channel_id" in data:
            channel_id = data.pop("channel_id")
            data["channel"] = channel_in_community(community=post.community, channel_id=channel_id) if channel_id \
                else None
        post = services.post_update(post=post, actor=actor, access=caller.access(post.community_id), data=data)
        return self._respond(caller, post)

    def DeletePost(self, request: posts_pb2.DeletePostRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        caller = grpc_caller(context)
        actor = caller.require_user()
        post = self._readable(caller, request.post_id)
        reason = validated(ModerationReasonSerializer(data={"reason": request.reason}))["reason"]
        services.post_delete(post=post, actor=actor, access=caller.access(post.community_id), reason=reason)
        return empty_pb2.Empty()


def register(server: grpc.Server) -> str:
    posts_pb2_grpc.add_PostServiceServicer_to_server(PostServicer(), server)
    return posts_pb2.DESCRIPTOR.services_by_name["PostService"].full_name
