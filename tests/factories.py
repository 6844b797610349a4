import factory

from communities.models import Community
from members.models import User
from members.services.memberships import member_bootstrap_community

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save(update_fields=["password"])


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    description = "A place to talk."
    community_type = "public"
    owner = factory.SubFactory(UserFactory)
    member_count = 1

    @factory.post_generation
    def bootstrap(obj, create: bool, extracted: object, **kwargs: object) -> None:
        """Owner membership and default roles, as community_create makes them."""
        if create and extracted is not False:
            member_bootstrap_community(community=obj, owner=obj.owner)


def member_add(community: Community, *, role: str | None = "Member", status: str = "active",
               user: User | None = None, **fields: object) -> User:
    """Make `user` (or a new user) a member of `community` with one of its roles; return the user."""
    from django.db.models import F
    from django.utils import timezone

    from members.models import Member

    user = user or UserFactory()
    member = Member.objects.create(community=community, user=user, status=status, joined_at=timezone.now(), **fields)
    if role:
        member.roles.add(community.roles.get(name=role))
    if status == "active":  # keep member_count true, as the join service would
        Community.objects.filter(pk=community.pk).update(member_count=F("member_count") + 1)
    return user
