import datetime

from community_service.grpc_api.gen.community.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CommunityType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMUNITY_TYPE_UNSPECIFIED: _ClassVar[CommunityType]
    COMMUNITY_TYPE_PUBLIC: _ClassVar[CommunityType]
    COMMUNITY_TYPE_RESTRICTED: _ClassVar[CommunityType]
    COMMUNITY_TYPE_PRIVATE: _ClassVar[CommunityType]

class CommunityStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMUNITY_STATUS_UNSPECIFIED: _ClassVar[CommunityStatus]
    COMMUNITY_STATUS_ACTIVE: _ClassVar[CommunityStatus]
    COMMUNITY_STATUS_ARCHIVED: _ClassVar[CommunityStatus]
    COMMUNITY_STATUS_SUSPENDED: _ClassVar[CommunityStatus]

class MemberStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEMBER_STATUS_UNSPECIFIED: _ClassVar[MemberStatus]
    MEMBER_STATUS_PENDING: _ClassVar[MemberStatus]
    MEMBER_STATUS_ACTIVE: _ClassVar[MemberStatus]
    MEMBER_STATUS_LEFT: _ClassVar[MemberStatus]
    MEMBER_STATUS_KICKED: _ClassVar[MemberStatus]
    MEMBER_STATUS_REJECTED: _ClassVar[MemberStatus]
    MEMBER_STATUS_BANNED: _ClassVar[MemberStatus]
COMMUNITY_TYPE_UNSPECIFIED: CommunityType
COMMUNITY_TYPE_PUBLIC: CommunityType
COMMUNITY_TYPE_RESTRICTED: CommunityType
COMMUNITY_TYPE_PRIVATE: CommunityType
COMMUNITY_STATUS_UNSPECIFIED: CommunityStatus
COMMUNITY_STATUS_ACTIVE: CommunityStatus
COMMUNITY_STATUS_ARCHIVED: CommunityStatus
COMMUNITY_STATUS_SUSPENDED: CommunityStatus
MEMBER_STATUS_UNSPECIFIED: MemberStatus
MEMBER_STATUS_PENDING: MemberStatus
MEMBER_STATUS_ACTIVE: MemberStatus
MEMBER_STATUS_LEFT: MemberStatus
MEMBER_STATUS_KICKED: MemberStatus
MEMBER_STATUS_REJECTED: MemberStatus
MEMBER_STATUS_BANNED: MemberStatus

class Community(_message.Message):
    __slots__ = ("id", "name", "slug", "description", "community_type", "status", "owner_id", "member_count", "post_count", "created_at", "updated_at", "language", "post_moderation")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_COUNT_FIELD_NUMBER: _ClassVar[int]
    POST_COUNT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    POST_MODERATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    slug: str
    description: str
    community_type: CommunityType
    status: CommunityStatus
    owner_id: str
    member_count: int
    post_count: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    language: str
    post_moderation: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., slug: _Optional[str] = ..., description: _Optional[str] = ..., community_type: _Optional[_Union[CommunityType, str]] = ..., status: _Optional[_Union[CommunityStatus, str]] = ..., owner_id: _Optional[str] = ..., member_count: _Optional[int] = ..., post_count: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., language: _Optional[str] = ..., post_moderation: _Optional[bool] = ...) -> None: ...

class GetCommunityRequest(_message.Message):
    __slots__ = ("community_id",)
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    def __init__(self, community_id: _Optional[str] = ...) -> None: ...

class RoleRef(_message.Message):
    __slots__ = ("id", "name", "color", "priority")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    color: str
    priority: int
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., color: _Optional[str] = ..., priority: _Optional[int] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("id", "community_id", "user", "nickname", "status", "is_owner", "roles", "joined_at", "left_at", "banned_until", "ban_reason", "muted_until", "is_muted")
    ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    IS_OWNER_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    JOINED_AT_FIELD_NUMBER: _ClassVar[int]
    LEFT_AT_FIELD_NUMBER: _ClassVar[int]
    BANNED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    BAN_REASON_FIELD_NUMBER: _ClassVar[int]
    MUTED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    IS_MUTED_FIELD_NUMBER: _ClassVar[int]
    id: str
    community_id: str
    user: _common_pb2.UserRef
    nickname: str
    status: MemberStatus
    is_owner: bool
    roles: _containers.RepeatedCompositeFieldContainer[RoleRef]
    joined_at: _timestamp_pb2.Timestamp
    left_at: _timestamp_pb2.Timestamp
    banned_until: _timestamp_pb2.Timestamp
    ban_reason: str
    muted_until: _timestamp_pb2.Timestamp
    is_muted: bool
    def __init__(self, id: _Optional[str] = ..., community_id: _Optional[str] = ..., user: _Optional[_Union[_common_pb2.UserRef, _Mapping]] = ..., nickname: _Optional[str] = ..., status: _Optional[_Union[MemberStatus, str]] = ..., is_owner: _Optional[bool] = ..., roles: _Optional[_Iterable[_Union[RoleRef, _Mapping]]] = ..., joined_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., left_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., banned_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ban_reason: _Optional[str] = ..., muted_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_muted: _Optional[bool] = ...) -> None: ...

class GetMemberRequest(_message.Message):
    __slots__ = ("community_id", "user_id")
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    community_id: str
    user_id: str
    def __init__(self, community_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class CheckPermissionRequest(_message.Message):
    __slots__ = ("user_id", "community_id", "permission", "target_user_id", "channel_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMMUNITY_ID_FIELD_NUMBER: _ClassVar[int]
    PERMISSION_FIELD_NUMBER: _ClassVar[int]
    TARGET_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    community_id: str
    permission: str
    target_user_id: str
    channel_id: str
    def __init__(self, user_id: _Optional[str] = ..., community_id: _Optional[str] = ..., permission: _Optional[str] = ..., target_user_id: _Optional[str] = ..., channel_id: _Optional[str] = ...) -> None: ...

class CheckPermissionResponse(_message.Message):
    __slots__ = ("allowed", "reason", "message")
    ALLOWED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    allowed: bool
    reason: str
    message: str
    def __init__(self, allowed: _Optional[bool] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...
