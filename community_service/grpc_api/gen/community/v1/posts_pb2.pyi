import datetime

from community_service.grpc_api.gen.community.v1 import common_pb2 as _common_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PostStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POST_STATUS_UNSPECIFIED: _ClassVar[PostStatus]
    POST_STATUS_DRAFT: _ClassVar[PostStatus]
    POST_STATUS_PENDING_REVIEW: _ClassVar[PostStatus]
    POST_STATUS_PUBLISHED: _ClassVar[PostStatus]
    POST_STATUS_REJECTED: _ClassVar[PostStatus]
    POST_STATUS_ARCHIVED: _ClassVar[PostStatus]

class PostOrdering(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POST_ORDERING_UNSPECIFIED: _ClassVar[PostOrdering]
    POST_ORDERING_NEW: _ClassVar[PostOrdering]
    POST_ORDERING_TOP: _ClassVar[PostOrdering]
POST_STATUS_UNSPECIFIED: PostStatus
POST_STATUS_DRAFT: PostStatus
POST_STATUS_PENDING_REVIEW: PostStatus
POST_STATUS_PUBLISHED: PostStatus
POST_STATUS_REJECTED: PostStatus
POST_STATUS_ARCHIVED: PostStatus
POST_ORDERING_UNSPECIFIED: PostOrdering
POST_ORDERING_NEW: PostOrdering
POST_ORDERING_TOP: PostOrdering

class Post(_message.Message):
    __slots__ = ("id", "community_id", "channel_id", "author", "title", "content", "status", "rejection_reason", "is_pinned", "comments_locked", "media_urls", "like_count", "view_count", "comment_count", "liked_by_me", "published_at", "created_at", "updated_at", "locked", "required_level_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    IS_PINNED_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_LOCKED_FIELD_NUMBER: _ClassVar[int]
    MEDIA_URLS_FIELD_NUMBER: _ClassVar[int]
    LIKE_COUNT_FIELD_NUMBER: _ClassVar[int]
    VIEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    LIKED_BY_ME_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_LEVEL_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    community_id: str
    channel_id: str
    author: _common_pb2.UserRef
    title: str
    content: str
    status: PostStatus
    rejection_reason: str
    is_pinned: bool
    comments_locked: bool
    media_urls: _containers.RepeatedScalarFieldContainer[str]
    like_count: int
    view_count: int
    comment_count: int
    liked_by_me: bool
    published_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    locked: bool
    required_level_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., community_id: _Optional[str] = ..., channel_id: _Optional[str] = ..., author: _Optional[_Union[_common_pb2.UserRef, _Mapping]] = ..., title: _Optional[str] = ..., content: _Optional[str] = ..., status: _Optional[_Union[PostStatus, str]] = ..., rejection_reason: _Optional[str] = ..., is_pinned: _Optional[bool] = ..., comments_locked: _Optional[bool] = ..., media_urls: _Optional[_Iterable[str]] = ..., like_count: _Optional[int] = ..., view_count: _Optional[int] = ..., comment_count: _Optional[int] = ..., liked_by_me: _Optional[bool] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., locked: _Optional[bool] = ..., required_level_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetPostRequest(_message.Message):
    __slots__ = ("post_id",)
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    def __init__(self, post_id: _Optional[str] = ...) -> None: ...

class ListPostsRequest(_message.Message):
    __slots__ = ("community_id", "channel_id", "status", "ordering", "page_size", "page_token")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDERING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    channel_id: str
    status: PostStatus
    ordering: PostOrdering
    page_size: int
    page_token: str
    def __init__(self, community_id: _Optional[str] = ..., channel_id: _Optional[str] = ..., status: _Optional[_Union[PostStatus, str]] = ..., ordering: _Optional[_Union[PostOrdering, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPostsResponse(_message.Message):
    __slots__ = ("posts", "next_page_token", "previous_page_token")
    POSTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    posts: _containers.RepeatedCompositeFieldContainer[Post]
    next_page_token: str
    previous_page_token: str
    def __init__(self, posts: _Optional[_Iterable[_Union[Post, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., previous_page_token: _Optional[str] = ...) -> None: ...

class CreatePostRequest(_message.Message):
    __slots__ = ("community_id", "title", "content", "channel_id", "status", "attachment_ids")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    title: str
    content: str
    channel_id: str
    status: PostStatus
    attachment_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, community_id: _Optional[str] = ..., title: _Optional[str] = ..., content: _Optional[str] = ..., channel_id: _Optional[str] = ..., status: _Optional[_Union[PostStatus, str]] = ..., attachment_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdatePostRequest(_message.Message):
    __slots__ = ("post_id", "title", "content", "channel_id", "status")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    title: str
    content: str
    channel_id: str
    status: PostStatus
    def __init__(self, post_id: _Optional[str] = ..., title: _Optional[str] = ..., content: _Optional[str] = ..., channel_id: _Optional[str] = ..., status: _Optional[_Union[PostStatus, str]] = ...) -> None: ...

class DeletePostRequest(_message.Message):
    __slots__ = ("post_id", "reason")
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    reason: str
    def __init__(self, post_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...
