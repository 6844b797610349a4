"""factory-boy factories for every model of the project, one module per app.

Each factory builds a row as the services would leave it and keeps the denormalised
counters true (the module docstrings say which). Traits name the states tests need:
`MemberFactory(banned=True)`, `PostFactory(draft=True)`, `EventFactory(cancelled=True)`.
tests/test_factories.py checks that every model has one and every trait saves.
"""

from tests.factories.analytics import (
    CommunityDayFactory,
    CommunityWindowFactory,
    DonationDayFactory,
    MemberDayFactory,
    PostDayFactory,
)
from tests.factories.billing import (
    DonationFactory,
    PaymentFactory,
    SubscriptionFactory,
    SubscriptionLevelFactory,
    WebhookEventFactory,
)
from tests.factories.communities import AuditLogEntryFactory, CommunityFactory, InviteFactory
from tests.factories.content import (
    AttachmentFactory,
    ChannelFactory,
    ChannelOverwriteFactory,
    CommentFactory,
    PostFactory,
    ReactionFactory,
    ReportEntryFactory,
    ReportFactory,
)
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.members import (
    TEST_PASSWORD,
    ApiKeyFactory,
    EmailViewFactory,
    MemberFactory,
    RoleFactory,
    UserFactory,
    member_add,
)
from tests.factories.platform import (
    IdempotencyKeyFactory,
    NotificationFactory,
    NotificationLevelFactory,
    NotificationPreferenceFactory,
    OutboxDeliveryFactory,
    OutboxEventFactory,
    SearchWordFactory,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)

__all__ = [
    "TEST_PASSWORD",
    "WebhookAttemptFactory",
    "WebhookDeliveryFactory",
    "WebhookEndpointFactory",
    "ApiKeyFactory",
    "AttachmentFactory",
    "AuditLogEntryFactory",
    "EmailViewFactory",
    "ChannelFactory",
    "ChannelOverwriteFactory",
    "CommentFactory",
    "CommunityDayFactory",
    "CommunityFactory",
    "CommunityWindowFactory",
    "DonationDayFactory",
    "DonationFactory",
    "EventFactory",
    "IdempotencyKeyFactory",
    "InviteFactory",
    "MemberDayFactory",
    "MemberFactory",
    "NotificationFactory",
    "NotificationLevelFactory",
    "NotificationPreferenceFactory",
    "OutboxDeliveryFactory",
    "OutboxEventFactory",
    "PaymentFactory",
    "PostDayFactory",
    "PostFactory",
    "ReactionFactory",
    "RegistrationFactory",
    "ReportEntryFactory",
    "ReportFactory",
    "RoleFactory",
    "SearchWordFactory",
    "SubscriptionFactory",
    "SubscriptionLevelFactory",
    "UserFactory",
    "WebhookEventFactory",
    "member_add",
]
