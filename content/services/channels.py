"""Writes for channels: create, update, reorder, delete, and per-channel overwrites.

Lock order (docs/architecture.md): roles, then channels (by pk), then the channel's posts.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from communities.models import Community
from community_service.db.transactions import atomic_with_retry, lock_rows
from community_service.exceptions import Conflict, NotFound, UnknownReference, ValidationFailed
from community_service.outbox.services import outbox_record
from content.models import Channel, ChannelOverwrite, Post
from members.models import Member, MemberStatus, Role

CHANNEL_FIELDS = frozenset({"name", "slug", "topic", "channel_type", "position", "is_members_only"})
# Channels are configuration, listed whole (GET .../channels is an array, not a page): the cap
# keeps that list, and a reorder request, bounded (Discord's limit).
MAX_CHANNELS_PER_COMMUNITY = 500


def _record(event_type: str, channel: Channel, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="channel", aggregate_id=channel.pk, community_id=channel.community_id,
        payload={"community_id": channel.community_id, "channel_id": channel.pk, "name": channel.name, **extra},
    )


def _unique_slug(community: Community, wanted: str, *, exclude_id: UUID | None = None) -> str:
    taken = Channel.objects.filter(community=community, slug=wanted)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict("A channel with this slug already exists in the community.", field="slug", code="unique")
    return wanted


@atomic_with_retry
def channel_create(
    *, community: Community, name: str, slug: str | None = None, topic: str = "", channel_type: str = "text",
    position: int | None = None, is_members_only: bool = False,
) -> Channel:
    """Create a channel; without a position it goes last. Raises Conflict for a taken slug or
    past MAX_CHANNELS_PER_COMMUNITY."""
    # The community row lock serialises creates, so the cap holds under concurrency.
    Community.objects.select_for_update().filter(pk=community.pk).exists()
    if Channel.objects.filter(community=community).count() >= MAX_CHANNELS_PER_COMMUNITY:
        raise Conflict(f"A community has at most {MAX_CHANNELS_PER_COMMUNITY} channels.", code="channel_limit")
    slug = _unique_slug(community, slug or slugify(name)[:100] or "channel")
    if position is None:
        last = Channel.objects.filter(community=community).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                community=community, name=name, slug=slug, topic=topic, channel_type=channel_type,
                position=position, is_members_only=is_members_only,
            )
    except IntegrityError as exc:
        raise Conflict("A channel with this slug already exists in the community.", field="slug",
                       code="unique") from exc
    _record("channel.created", channel)
    return channel


@atomic_with_retry
def channel_update(*, channel: Channel, data: dict[str, Any]) -> Channel:
    unknown = set(data) - CHANNEL_FIELDS
    if unknown:
        raise ValidationFailed(f"Field cannot be changed: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    locked = Channel.objects.select_for_update(no_key=True).filter(pk=channel.pk).first()
    if locked is None:
        raise NotFound("Channel not found.")
    channel = locked
    if "slug" in data and data["slug"] != channel.slug:
        _unique_slug(channel.community, data["slug"], exclude_id=channel.pk)
    for attr, value in data.items():
        setattr(channel, attr, value)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise Conflict("A channel with this slug already exists in the community.", field="slug",
                       code="unique") from exc
    if data:
        _record("channel.updated", channel, changed=sorted(data))
    return channel


@atomic_with_retry
def channel_reorder(*, community: Community, channel_ids: Sequence[UUID]) -> list[Channel]:
    """Set every channel's position from one ordered list of all the community's channel ids."""
    channels = {
        c.pk: c for c in Channel.objects.select_for_update(no_key=True).filter(community=community).order_by("pk")
    }
    wanted = [str(channel_id) for channel_id in channel_ids]
    if len(set(wanted)) != len(wanted):
        raise ValidationFailed("A channel is listed twice.", field="channel_ids", code="duplicate")
    if set(wanted) != {str(pk) for pk in channels}:
        # Well-formed, but not the community's current set of channels (one was added or removed).
        raise Conflict("List every channel of the community exactly once.", field="channel_ids", code="stale")
    by_id = {str(pk): channel for pk, channel in channels.items()}
    ordered = [by_id[channel_id] for channel_id in wanted]
    for position, channel in enumerate(ordered):
        channel.position = position
    Channel.objects.bulk_update(ordered, ["position", "updated_at"])
    return ordered


@atomic_with_retry
def channel_delete(*, channel: Channel) -> None:
    """Delete a channel; its posts stay in the community without a channel. Deleting a
    channel that is already gone changes nothing."""
    # FOR UPDATE first: posts being written into the channel hold KEY SHARE on it, so this
    # waits for them and then detaches them too; then its posts, in pk order (lock order).
    if not Channel.objects.select_for_update().filter(pk=channel.pk).exists():
        return
    lock_rows(Post.objects.filter(channel_id=channel.pk))
    _record("channel.deleted", channel)
    channel.delete()


@atomic_with_retry
def channel_overwrites_set(*, channel: Channel, overwrites: list[dict[str, Any]]) -> list[ChannelOverwrite]:
    """Replace the channel's overwrites. Each item: role_id or user_id, allow, deny.

    Roles must belong to the channel's community and users must be its active members.
    """
    role_ids = {str(o["role_id"]) for o in overwrites if o.get("role_id")}
    user_ids = {str(o["user_id"]) for o in overwrites if o.get("user_id")}
    # Roles before the channel (lock order); locked so a role delete cannot pull one out
    # from under the new overwrites (whose foreign keys are checked at commit).
    lock_rows(Role.objects.filter(community_id=channel.community_id, pk__in=role_ids))
    if not lock_rows(Channel.objects.filter(pk=channel.pk)):
        raise NotFound("Channel not found.")
    roles = {str(r.pk): r for r in Role.objects.filter(community_id=channel.community_id, pk__in=role_ids)}
    members = {
        str(m.user_id): m
        for m in Member.objects.filter(
            community_id=channel.community_id, user_id__in=user_ids, status=MemberStatus.ACTIVE
        )
    }
    if len(roles) != len(role_ids):
        raise UnknownReference("Unknown role for this community.", field="overwrites")
    if len(members) != len(user_ids):
        raise Conflict("Not an active member of this community.", field="overwrites", code="not_member")
    ChannelOverwrite.objects.filter(channel=channel).delete()
    created = ChannelOverwrite.objects.bulk_create(
        ChannelOverwrite(
            channel=channel,
            role=roles.get(str(o.get("role_id"))) if o.get("role_id") else None,
            member=members.get(str(o.get("user_id"))) if o.get("user_id") else None,
            allow=sorted(set(o.get("allow", []))),
            deny=sorted(set(o.get("deny", []))),
        )
        for o in overwrites
    )
    _record("channel.updated", channel, changed=["overwrites"])
    return created
