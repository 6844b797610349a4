"""Reads for channels."""

from uuid import UUID

from django.db.models import QuerySet

from communities.models import Community
from community_service.exceptions import NotFound, UnknownReference
from content.models import Channel, ChannelOverwrite
from members import policy
from members.selectors.access import CommunityAccess


def channel_list(*, community: Community, access: CommunityAccess) -> QuerySet[Channel]:
    """The community's channels in display order; members-only ones only for members."""
    return (Channel.objects.filter(community=community).filter(policy.insiders_only_q(access))
            .order_by("position", "created_at", "id"))


def channel_get(*, channel_id: UUID) -> Channel:
    channel = Channel.objects.select_related("community").filter(
        pk=channel_id, community__deleted_at__isnull=True
    ).first()
    if channel is None:
        raise NotFound("Channel not found.")
    return channel


def channel_in_community(*, community: Community, channel_id: UUID) -> Channel:
    """A channel of this community; UnknownReference on channel_id otherwise (another community's id included)."""
    channel = Channel.objects.filter(community=community, pk=channel_id).first()
    if channel is None:
        raise UnknownReference("No such channel in this community.", field="channel_id")
    return channel


def channel_overwrites(*, channel: Channel) -> QuerySet[ChannelOverwrite]:
    return ChannelOverwrite.objects.filter(channel=channel).select_related("member").order_by("id")
