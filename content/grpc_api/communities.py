"""CommunityService: communities, members, and CheckPermission, so the platform's other
services ask our RBAC instead of copying it.

CheckPermission composes the rules the REST API enforces, from where they live:
- post.create / comment.create: content.access.require_can_write (ban, membership, mute,
  the channel's overwrites, announcement channels);
- every other code: members.policy.require_permission, which HasCommunityPermission asks
  too (banned users hold nothing; owner and superadmin hold everything; otherwise the union
  of the member's roles), with the same refusal codes;
- with a target member: members.services.hierarchy.require_outranks (Discord's hierarchy;
  nobody acts on the owner).
"""

import functools
from collections.abc import Callable
from typing import Any

import grpc
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from google.protobuf.descriptor import FieldDescriptor

from communities.models import Community
from communities.public_fields import COMMUNITY_PUBLIC_FIELDS
from community_service.exceptions import NotFound, PermissionDenied, ValidationFailed
from community_service.grpc_api.convert import enum_number, require_uuid, timestamp
from community_service.grpc_api.gen.community.v1 import common_pb2, communities_pb2, communities_pb2_grpc
from content.access import require_can_write
from content.models import Channel, ChannelOverwrite
from content.selectors.channels import channel_in_community
from members import policy
from members.catalogue import ALL_PERMISSIONS
from members.grpc_api.caller import grpc_caller
from members.models import Member, User
from members.selectors.access import CommunityAccess, community_access
from members.selectors.memberships import member_get
from members.services.hierarchy import require_outranks

# Codes that speak in a channel; the rest are community-wide.
CHANNEL_CODES = frozenset(ChannelOverwrite.CODES)


def _message_converters() -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    """(field, what makes our value the message's, None for the value as it is) for every
    public field of a community (communities/public_fields.py), read off the proto's
    `Community` once, at import; ImproperlyConfigured when the two lists differ."""
    descriptor = communities_pb2.Community.DESCRIPTOR
    if set(descriptor.fields_by_name) != set(COMMUNITY_PUBLIC_FIELDS):
        raise ImproperlyConfigured(f"The proto's Community ({sorted(descriptor.fields_by_name)}) and "
                                   f"COMMUNITY_PUBLIC_FIELDS ({sorted(COMMUNITY_PUBLIC_FIELDS)}) differ.")
    converters: list[tuple[str, Callable[[Any], Any] | None]] = []
    for name in COMMUNITY_PUBLIC_FIELDS:
        field = descriptor.fields_by_name[name]
        if field.enum_type is not None:  # our choice "pending_review" is PREFIX_PENDING_REVIEW
            enum = getattr(communities_pb2, field.enum_type.name)
            prefix = enum.Name(0).removesuffix("_UNSPECIFIED")
            converters.append((name, functools.partial(enum_number, enum, prefix)))
        elif field.message_type is not None and field.message_type.full_name == "google.protobuf.Timestamp":
            converters.append((name, timestamp))
        elif field.type == FieldDescriptor.TYPE_STRING:
            converters.append((name, _text))
        elif field.type in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_BOOL):
            converters.append((name, None))
        else:
            raise ImproperlyConfigured(f"community_message cannot fill Community.{name}: add its kind.")
    return tuple(converters)


def _text(value: object) -> str:
    return "" if value is None else str(value)  # ids are UUIDs; proto3 strings have no null


_MESSAGE_CONVERTERS = _message_converters()


def community_message(community: Community) -> communities_pb2.Community:
    return communities_pb2.Community(**{
        name: getattr(community, name) if convert is None else convert(getattr(community, name))
        for name, convert in _MESSAGE_CONVERTERS})


def member_message(member: Member) -> communities_pb2.Member:
    """A member as selectors.member_get loads it (user, roles highest first)."""
    roles = [communities_pb2.RoleRef(id=str(role.pk), name=role.name, color=role.color, priority=role.priority)
             for role in member.roles.all()]
    return communities_pb2.Member(
        id=str(member.pk),
        community_id=str(member.community_id),
        user=common_pb2.UserRef(id=str(member.user.pk), username=member.user.username, is_bot=member.user.is_bot),
        nickname=member.nickname,
        status=enum_number(communities_pb2.MemberStatus, "MEMBER_STATUS", member.status),
        is_owner=member.is_owner,
        roles=roles,
        joined_at=timestamp(member.joined_at),
        left_at=timestamp(member.left_at),
        banned_until=timestamp(member.banned_until),
        ban_reason=member.ban_reason,
        muted_until=timestamp(member.muted_until),
        is_muted=member.muted_until is not None and member.muted_until > timezone.now(),
    )


def permission_check(
    *, access: CommunityAccess, code: str, channel: Channel | None = None, target: Member | None = None
) -> communities_pb2.CheckPermissionResponse:
    """May the user behind `access` use `code` (in `channel`, on `target`)? Never raises a refusal:
    it is the answer."""
    try:
        if code in CHANNEL_CODES:
            require_can_write(channel, access, code)
        else:
            policy.require_permission(access, code)  # the refusal REST's HasCommunityPermission gives
        if target is not None:
            require_outranks(access, target, f"use {code} on")
    except PermissionDenied as refusal:
        return communities_pb2.CheckPermissionResponse(allowed=False, reason=refusal.code, message=refusal.detail)
    if access.is_superadmin:
        reason, message = "superadmin", "Superadmins hold every permission."
    elif access.is_owner:
        reason, message = "owner", "The owner holds every permission."
    else:
        reason, message = "granted", f"A role of the member grants {code}."
    return communities_pb2.CheckPermissionResponse(allowed=True, reason=reason, message=message)


class CommunityServicer(communities_pb2_grpc.CommunityServiceServicer):
    def GetCommunity(
        self, request: communities_pb2.GetCommunityRequest, context: grpc.ServicerContext
    ) -> communities_pb2.Community:
        return community_message(grpc_caller(context).community(request.community_id))

    def GetMember(
        self, request: communities_pb2.GetMemberRequest, context: grpc.ServicerContext
    ) -> communities_pb2.Member:
        caller = grpc_caller(context)
        community = caller.community(request.community_id)
        member = member_get(community=community, user_id=require_uuid(request.user_id, field="user_id"))
        if not policy.sees_member_row(status=member.status, user_id=member.user_id, access=caller.access(community.pk)):
            raise NotFound("Member not found.")  # a pending or banned row is moderators' knowledge, as over REST
        return member_message(member)

    def CheckPermission(
        self, request: communities_pb2.CheckPermissionRequest, context: grpc.ServicerContext
    ) -> communities_pb2.CheckPermissionResponse:
        caller = grpc_caller(context)
        if request.permission not in ALL_PERMISSIONS:
            raise ValidationFailed(f"Unknown permission code: {request.permission!r}.", field="permission",
                                   code="invalid_choice")
        if request.user_id:
            user = User.objects.filter(pk=require_uuid(request.user_id, field="user_id"), is_active=True).first()
            if user is None:
                raise NotFound("User not found.")
        elif caller.user is not None:
            user = caller.user
        else:
            raise ValidationFailed("Name the user asked about (or call on behalf of one).", field="user_id",
                                   code="required")
        community = caller.community(request.community_id)
        channel = None
        if request.channel_id:
            channel = channel_in_community(community=community,
                                           channel_id=require_uuid(request.channel_id, field="channel_id"))
        target = None
        if request.target_user_id:
            target = member_get(community=community,
                                user_id=require_uuid(request.target_user_id, field="target_user_id"))
        access = community_access(community_id=community.pk, user=user, is_superadmin=user.is_superuser)
        return permission_check(access=access, code=request.permission, channel=channel, target=target)


def register(server: grpc.Server) -> str:
    communities_pb2_grpc.add_CommunityServiceServicer_to_server(CommunityServicer(), server)
    return communities_pb2.DESCRIPTOR.services_by_name["CommunityService"].full_name
