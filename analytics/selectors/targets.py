"""The objects analytics routes are about, found the way the rest of the API finds them."""

from uuid import UUID

from community_service.exceptions import NotFound
from content.models import Post
from members.models import Member


def post_for_analytics(*, post_id: UUID) -> Post:
    post = Post.objects.filter(pk=post_id, deleted_at__isnull=True).select_related("community").first()
    if post is None or post.community.deleted_at is not None:
        raise NotFound("Post not found.")
    return post


def member_for_analytics(*, member_id: UUID) -> Member:
    member = Member.objects.filter(pk=member_id, community__deleted_at__isnull=True).select_related("community").first()
    if member is None:
        raise NotFound("Member not found.")
    return member
