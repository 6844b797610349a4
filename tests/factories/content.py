"""Channels, posts, comments, reactions, attachments and reports.

The factories keep the counters content's services keep (content/counters.py):
PostFactory the community's post_count (published or archived, not deleted), CommentFactory
the post's comment_count and the parent's reply_count, ReactionFactory the target's
like_count, ReportEntryFactory the report's reporter_count. Each with an F() update.
"""

from typing import Any

import factory
from django.db.models import F
from django.utils import timezone

from communities.models import Community
from content.models import (
    Attachment,
    Channel,
    ChannelOverwrite,
    ChannelType,
    Comment,
    Post,
    PostStatus,
    Reaction,
    Report,
    ReportCategory,
    ReportEntry,
    ReportStatus,
    ReportTarget,
)
from content.services.posts import COUNTED
from tests.factories.billing import SubscriptionLevelFactory
from tests.factories.communities import CommunityFactory
from tests.factories.members import MemberFactory, RoleFactory, UserFactory


def _bump(model: type, pk: object, field: str) -> None:
    model.objects.filter(pk=pk).update(**{field: F(field) + 1})


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Channel {n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    topic = "What we talk about."

    class Params:
        members_only = factory.Trait(is_members_only=True)
        announcement = factory.Trait(channel_type=ChannelType.ANNOUNCEMENT)
        media = factory.Trait(channel_type=ChannelType.MEDIA)


class ChannelOverwriteFactory(factory.django.DjangoModelFactory):
    """Allows post.create to a role of the channel's community; `for_member` targets a member instead."""

    class Meta:
        model = ChannelOverwrite

    channel = factory.SubFactory(ChannelFactory)
    role = factory.SubFactory(RoleFactory, community=factory.SelfAttribute("..channel.community"))
    member = None
    allow = factory.LazyFunction(lambda: ["post.create"])
    deny = factory.LazyFunction(list)

    class Params:
        for_member = factory.Trait(
            role=None, member=factory.SubFactory(MemberFactory, community=factory.SelfAttribute("..channel.community")),
        )
        denying = factory.Trait(allow=factory.LazyFunction(list), deny=factory.LazyFunction(lambda: ["post.create"]))


class PostFactory(factory.django.DjangoModelFactory):
    """A published post by the community's owner (pass `author` for anyone else; the
    factory does not make them a member). Keeps the community's post_count true."""

    class Meta:
        model = Post

    community = factory.SubFactory(CommunityFactory)
    channel = None
    author = factory.SelfAttribute("community.owner")
    title = factory.Sequence(lambda n: f"Post {n}")
    content = "Some words worth reading."
    status = PostStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=PostStatus.DRAFT, published_at=None)
        pending_review = factory.Trait(status=PostStatus.PENDING_REVIEW, published_at=None)
        rejected = factory.Trait(status=PostStatus.REJECTED, published_at=None, rejection_reason="Off topic.")
        archived = factory.Trait(status=PostStatus.ARCHIVED)
        removed = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))  # post_remove soft-deletes
        pinned = factory.Trait(is_pinned=True, pinned_at=factory.LazyFunction(timezone.now))
        locked = factory.Trait(comments_locked=True)
        # Gated behind a new level of the community: only its subscribers read the body.
        gated = factory.Trait(required_level_ids=factory.LazyAttribute(
            lambda post: [SubscriptionLevelFactory(community=post.community).pk]))

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        post = super()._create(model_class, *args, **kwargs)
        if post.status in COUNTED and post.deleted_at is None:
            _bump(Community, post.community_id, "post_count")
        return post


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment on a post, or with `parent` a reply in its thread. Keeps the post's
    comment_count and the parent's reply_count true."""

    class Meta:
        model = Comment

    parent = None
    post = factory.Maybe("parent", yes_declaration=factory.SelfAttribute("parent.post"),
                         no_declaration=factory.SubFactory(PostFactory))
    community = factory.SelfAttribute("post.community")
    author = factory.SelfAttribute("post.community.owner")
    thread = factory.LazyAttribute(lambda c: (c.parent.thread or c.parent) if c.parent else None)
    depth = factory.LazyAttribute(lambda c: c.parent.depth + 1 if c.parent else 0)
    content = factory.Sequence(lambda n: f"Comment {n}")

    class Params:
        # The placeholder a deleted comment with replies leaves; it counts in no comment_count.
        deleted = factory.Trait(is_deleted=True, deleted_at=factory.LazyFunction(timezone.now))
        edited = factory.Trait(is_edited=True)

    @classmethod
    def _create(cls, model_class: type[Comment], *args: Any, **kwargs: Any) -> Comment:
        comment = super()._create(model_class, *args, **kwargs)
        if not comment.is_deleted:
            _bump(Post, comment.post_id, "comment_count")
            if comment.parent_id:
                _bump(Comment, comment.parent_id, "reply_count")
        return comment


class ReactionFactory(factory.django.DjangoModelFactory):
    """A like on a post (`on_comment`: on a comment). Keeps the target's like_count true."""

    class Meta:
        model = Reaction

    user = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
    comment = None

    class Params:
        on_comment = factory.Trait(post=None, comment=factory.SubFactory(CommentFactory))

    @classmethod
    def _create(cls, model_class: type[Reaction], *args: Any, **kwargs: Any) -> Reaction:
        reaction = super()._create(model_class, *args, **kwargs)
        if reaction.post_id:
            _bump(Post, reaction.post_id, "like_count")
        else:
            _bump(Comment, reaction.comment_id, "like_count")
        return reaction


class AttachmentFactory(factory.django.DjangoModelFactory):
    """An uploaded PNG in the storage (MEDIA_ROOT), not yet attached to a post."""

    class Meta:
        model = Attachment

    community = factory.SubFactory(CommunityFactory)
    post = None
    uploader = factory.SelfAttribute("community.owner")
    file = factory.django.FileField(filename="photo.png", data=b"\x89PNG\r\n\x1a\n" + b"\0" * 56)
    content_type = "image/png"
    size = 64
    original_name = "photo.png"

    class Params:
        attached = factory.Trait(post=factory.SubFactory(PostFactory, community=factory.SelfAttribute("..community")))


def _target_type(target: object) -> str:
    return {Post: ReportTarget.POST, Comment: ReportTarget.COMMENT}.get(type(target), ReportTarget.MEMBER)


class ReportFactory(factory.django.DjangoModelFactory):
    """An open report of `target` (a post of the community by default; a Comment, or a User
    for a member), with one entry per user in `reporters` (default: one new member);
    `reporters__category` (and `reporters__text`) set their fields."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    target_type = factory.LazyAttribute(lambda r: _target_type(r.target))
    target_id = factory.LazyAttribute(lambda r: r.target.pk)
    status = ReportStatus.OPEN
    last_reported_at = factory.LazyFunction(timezone.now)

    class Params:
        target = factory.SubFactory(PostFactory, community=factory.SelfAttribute("..community"))
        resolved = factory.Trait(status=ReportStatus.RESOLVED, resolved_by=factory.SelfAttribute("community.owner"),
                                 resolved_at=factory.LazyFunction(timezone.now), resolution_note="Removed.")
        dismissed = factory.Trait(status=ReportStatus.DISMISSED, resolved_by=factory.SelfAttribute("community.owner"),
                                  resolved_at=factory.LazyFunction(timezone.now), resolution_note="Fine as it is.")

    @factory.post_generation
    def reporters(obj, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [MemberFactory(community=obj.community).user]
        for reporter in extracted:
            ReportEntryFactory(report=obj, reporter=reporter, **kwargs)
        obj.refresh_from_db(fields=["reporter_count"])


class ReportEntryFactory(factory.django.DjangoModelFactory):
    """One user's report; keeps the report's reporter_count true."""

    class Meta:
        model = ReportEntry

    report = factory.SubFactory(ReportFactory, reporters=[])
    reporter = factory.SubFactory(UserFactory)
    category = ReportCategory.SPAM
    text = "Please look at this."

    @classmethod
    def _create(cls, model_class: type[ReportEntry], *args: Any, **kwargs: Any) -> ReportEntry:
        entry = super()._create(model_class, *args, **kwargs)
        _bump(Report, entry.report_id, "reporter_count")
        return entry
