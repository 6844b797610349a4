"""Communities, invites and the moderation audit log."""

import secrets
import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from communities.models import AuditAction, AuditLogEntry, Community, CommunityStatus, CommunityType, Invite
from members.services.memberships import member_bootstrap_community
from tests.factories.members import UserFactory


class CommunityFactory(factory.django.DjangoModelFactory):
    """A community as community_create leaves it: the default roles and the owner's
    membership (member_count 1). `bootstrap=False` skips both (and then member_count is 0)."""

    class Meta:
        model = Community
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    description = "A place to talk."
    community_type = CommunityType.PUBLIC
    owner = factory.SubFactory(UserFactory)
    member_count = 1

    class Params:
        private = factory.Trait(community_type=CommunityType.PRIVATE)
        restricted = factory.Trait(community_type=CommunityType.RESTRICTED)
        moderated = factory.Trait(post_moderation=True)  # new posts wait in pending_review
        archived = factory.Trait(status=CommunityStatus.ARCHIVED)
        suspended = factory.Trait(status=CommunityStatus.SUSPENDED)
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def bootstrap(obj, create: bool, extracted: object, **kwargs: object) -> None:
        """Owner membership and default roles, as community_create makes them."""
        if not create:
            return
        if extracted is False:
            Community.objects.filter(pk=obj.pk).update(member_count=0)
            obj.member_count = 0
        else:
            member_bootstrap_community(community=obj, owner=obj.owner)


class InviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invite

    community = factory.SubFactory(CommunityFactory, private=True)
    code = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
    created_by = factory.SelfAttribute("community.owner")

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)))
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))
        used_up = factory.Trait(max_uses=1, uses=1)


class AuditLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLogEntry

    community = factory.SubFactory(CommunityFactory)
    actor = factory.SelfAttribute("community.owner")
    action = AuditAction.POST_REMOVED
    target_type = "post"
    target_id = factory.LazyFunction(uuid.uuid4)
    reason = "Off topic."
