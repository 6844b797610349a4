"""Daily rollup rows. The rollup writes these from the raw tables; a factory writes figures
a test chooses, for dashboards that read rollups only."""

import uuid
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from analytics.models import CommunityDay, CommunityWindow, DonationDay, MemberDay, PostDay
from tests.factories.communities import CommunityFactory
from tests.factories.content import PostFactory
from tests.factories.members import UserFactory


def _today() -> object:
    return timezone.now().date()


class CommunityDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityDay

    community = factory.SubFactory(CommunityFactory)
    day = factory.LazyFunction(_today)
    members_joined = 2
    members_left = 1
    posts = 3
    comments = 4
    likes = 5
    active_users = 3


class PostDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostDay

    post = factory.SubFactory(PostFactory)
    community = factory.SelfAttribute("post.community")
    day = factory.LazyFunction(_today)
    likes = 2
    comments = 1


class MemberDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberDay

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(_today)
    posts = 1
    comments = 2
    likes_given = 3
    likes_received = 1


class DonationDayFactory(factory.django.DjangoModelFactory):
    """One donor's completed donations of a day; `anonymous` counts them without a name."""

    class Meta:
        model = DonationDay

    community = factory.SubFactory(CommunityFactory)
    day = factory.LazyFunction(_today)
    currency = "USD"
    donor = factory.SubFactory(UserFactory)
    donations = 1
    amount = Decimal("10.00")

    class Params:
        anonymous = factory.Trait(donor=None)
        with_refund = factory.Trait(refunds=1, refunded=Decimal("10.00"))


class CommunityWindowFactory(factory.django.DjangoModelFactory):
    """The dashboard figures of the 30 days ending today."""

    class Meta:
        model = CommunityWindow

    community = factory.SubFactory(CommunityFactory)
    until = factory.LazyFunction(_today)
    since = factory.LazyAttribute(lambda w: w.until - timedelta(days=29))
    monthly_active_users = 3
    active_posters = 1
    # As analytics.selectors.rankings returns them.
    top_donors = factory.LazyFunction(
        lambda: [{"currency": "USD", "user_id": str(uuid.uuid4()), "username": "donor", "amount": "10.00"}])
