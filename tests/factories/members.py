"""Users, roles and memberships.

MemberFactory keeps `Community.member_count` true: an active member adds one with an F()
update, as the join service does (members/counters.py counts active members).
"""

from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone

from communities.models import Community
from members.models import ApiKey, EmailView, EmailViewPage, Member, MemberStatus, Role, User
from members.services.api_keys import DISPLAY_CHARS, key_digest

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    class Params:
        closed = factory.Trait(is_active=False)  # a closed account (members.services.account_close)
        staff = factory.Trait(is_staff=True)

    @factory.post_generation
    def _save_password(obj, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save(update_fields=["password"])


class RoleFactory(factory.django.DjangoModelFactory):
    """A custom role; every community also has the default Admin, Moderator and Member."""

    class Meta:
        model = Role

    community = factory.SubFactory("tests.factories.communities.CommunityFactory")
    name = factory.Sequence(lambda n: f"Role {n}")
    permissions = factory.LazyFunction(lambda: ["post.create", "comment.create"])
    priority = 10
    color = "#2ECC71"


def _role_of(community: Community, role: Role | str) -> Role:
    return role if isinstance(role, Role) else community.roles.get(name=role)


class MemberFactory(factory.django.DjangoModelFactory):
    """A member of a community. `roles=[...]` (Role objects or names) replaces the default
    role, which an active or muted member gets; pending and banned ones hold none.
    Keeps the community's member_count true."""

    class Meta:
        model = Member
        skip_postgeneration_save = True

    community = factory.SubFactory("tests.factories.communities.CommunityFactory")
    user = factory.SubFactory(UserFactory)
    status = MemberStatus.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)

    class Params:
        pending = factory.Trait(status=MemberStatus.PENDING, joined_at=None, join_message="Let me in, please.")
        banned = factory.Trait(status=MemberStatus.BANNED, ban_reason="Spam.")
        # Banned for a while: the ban lifts itself at banned_until.
        banned_for_a_day = factory.Trait(status=MemberStatus.BANNED, ban_reason="Cool off.",
                                         banned_until=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1)))
        muted = factory.Trait(muted_until=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1)))
        left = factory.Trait(status=MemberStatus.LEFT, left_at=factory.LazyFunction(timezone.now))
        kicked = factory.Trait(status=MemberStatus.KICKED, left_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _create(cls, model_class: type[Member], *args: object, **kwargs: object) -> Member:
        member = super()._create(model_class, *args, **kwargs)
        if member.status == MemberStatus.ACTIVE:  # as member_join does
            Community.objects.filter(pk=member.community_id).update(member_count=F("member_count") + 1)
        return member

    @factory.post_generation
    def roles(obj, create: bool, extracted: list[Role | str] | None, **kwargs: object) -> None:
        if not create:
            return
        if extracted is None:
            extracted = ["Member"] if obj.status == MemberStatus.ACTIVE else []
        obj.roles.add(*(_role_of(obj.community, role) for role in extracted))


def member_add(community: Community, *, role: str | None = "Member", status: str = "active",
               user: User | None = None, **fields: object) -> User:
    """Make `user` (or a new user) a member of `community` with one of its roles; return the user."""
    member = MemberFactory(community=community, user=user or UserFactory(), status=status,
                           roles=[role] if role else [], **fields)
    return member.user


class EmailViewFactory(factory.django.DjangoModelFactory):
    """A superuser saw someone's email address in the console."""

    class Meta:
        model = EmailView

    viewer = factory.SubFactory(UserFactory, is_staff=True, is_superuser=True)
    subject = factory.SubFactory(UserFactory)
    page = EmailViewPage.USER_PAGE


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A personal API key whose secret is `secret` (pass your own to use it in a request)."""

    class Meta:
        model = ApiKey

    class Params:
        secret = factory.Sequence(lambda n: f"cs_live_factory{n:035d}")
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Key {n}")
    prefix = factory.LazyAttribute(lambda o: o.secret[:DISPLAY_CHARS])
    digest = factory.LazyAttribute(lambda o: key_digest(o.secret))
    scopes = factory.LazyFunction(lambda: ["read", "write"])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
