"""The platform's own rows: outbox events, idempotency keys and the typo vocabulary."""

import hashlib
import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from community_service.models import (
    DeliveryStatus,
    IdempotencyKey,
    IdempotencyStatus,
    Notification,
    NotificationLevel,
    NotificationPreference,
    OutboxDelivery,
    OutboxEvent,
    OutboxStatus,
    SearchWord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from community_service.webhooks.delivery import secret_new
from tests.factories.members import UserFactory


class OutboxEventFactory(factory.django.DjangoModelFactory):
    """A pending event, due now. Services write these through outbox_record; a factory row
    is for the relay's and the console's tests."""

    class Meta:
        model = OutboxEvent

    event_type = "community.updated"
    aggregate_type = "community"
    community_id = factory.LazyFunction(uuid.uuid4)
    aggregate_id = factory.LazyAttribute(lambda e: str(e.community_id))
    payload = factory.LazyAttribute(lambda e: {"community_id": str(e.community_id)})
    metadata = factory.LazyFunction(lambda: {"request_id": uuid.uuid4().hex, "actor_id": None, "schema_version": 1})
    next_attempt_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)

    class Params:
        published = factory.Trait(status=OutboxStatus.PUBLISHED, attempts=1,
                                  published_at=factory.LazyFunction(timezone.now))
        failed = factory.Trait(status=OutboxStatus.FAILED, attempts=5, last_error="rejected by the broker")
        backing_off = factory.Trait(attempts=2, last_error="broker unreachable",
                                    next_attempt_at=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=1)))


class OutboxDeliveryFactory(factory.django.DjangoModelFactory):
    """A subscriber's pending row for an event. outbox_record writes these; a factory row is
    for the dispatcher's and prune's tests."""

    class Meta:
        model = OutboxDelivery

    subscriber = "test-subscriber"
    event = factory.SubFactory(OutboxEventFactory)
    community_id = factory.SelfAttribute("event.community_id")
    next_attempt_at = factory.LazyFunction(timezone.now)

    class Params:
        done = factory.Trait(status=DeliveryStatus.DONE, handled_at=factory.LazyFunction(timezone.now))
        failed = factory.Trait(status=DeliveryStatus.FAILED, attempts=10, last_error="RuntimeError('boom')")


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    """A key claimed by a request still running; `done` holds the stored response."""

    class Meta:
        model = IdempotencyKey

    class Params:
        user = factory.SubFactory(UserFactory)
        done = factory.Trait(status=IdempotencyStatus.DONE, response_status=201,
                             response_headers=factory.LazyFunction(lambda: {"Content-Type": "application/json"}),
                             response_body=b'{"status": "completed"}', completed_at=factory.LazyFunction(timezone.now))

    user_id = factory.SelfAttribute("user.pk")
    key = factory.LazyFunction(lambda: str(uuid.uuid4()))
    fingerprint = factory.LazyAttribute(lambda k: hashlib.sha256(k.key.encode()).hexdigest())
    status = IdempotencyStatus.IN_PROGRESS
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class SearchWordFactory(factory.django.DjangoModelFactory):
    """A vocabulary word. Triggers add the words of community names and post titles; this is
    for a word the test wants known without a row that holds it."""

    class Meta:
        model = SearchWord

    word = factory.Sequence(lambda n: f"vocabulary{n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread in-app notice. The notification subscriber writes these from events; a
    factory row is for the inbox's and the mail's tests."""

    class Meta:
        model = Notification

    recipient_id = factory.LazyAttribute(lambda n: UserFactory().pk)
    type = "mention"
    text = factory.Sequence(lambda n: f"someone mentioned you ({n})")
    source_event_id = factory.LazyFunction(uuid.uuid4)
    created_at = factory.LazyFunction(timezone.now)

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        mail_failed = factory.Trait(mail_status="failed", mail_error="SMTPRecipientsRefused()")
        waiting_for_digest = factory.Trait(mail_status="digest")


class NotificationLevelFactory(factory.django.DjangoModelFactory):
    """A member watching a community (channel_id set: one channel)."""

    class Meta:
        model = NotificationLevel

    user_id = factory.LazyAttribute(lambda n: UserFactory().pk)
    community_id = factory.LazyFunction(uuid.uuid4)
    level = "watching"

    class Params:
        muted = factory.Trait(level="muted")
        tracking = factory.Trait(level="tracking")


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user_id = factory.LazyAttribute(lambda n: UserFactory().pk)
    type = "reaction"
    delivery = "off"

    class Params:
        by_mail = factory.Trait(delivery="email")


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An active endpoint of a community, wanting every event type, on the test listener's loopback."""

    class Meta:
        model = WebhookEndpoint

    community = factory.SubFactory("tests.factories.communities.CommunityFactory")
    url = "http://127.0.0.1:9/hook"
    secret = factory.LazyFunction(secret_new)
    created_by = factory.LazyAttribute(lambda o: o.community.owner)

    class Params:
        disabled = factory.Trait(is_active=False, disabled_reason="Every delivery failed for 3 days.")


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """A message waiting for its first attempt."""

    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_id = factory.LazyFunction(uuid.uuid4)
    event_type = "community.updated"
    body = '{"event_type":"community.updated"}'
    next_attempt_at = factory.LazyFunction(timezone.now)


class WebhookAttemptFactory(factory.django.DjangoModelFactory):
    """A failed attempt in the delivery log."""

    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    endpoint = factory.LazyAttribute(lambda o: o.delivery.endpoint)
    succeeded = False
    status_code = 500
    latency_ms = 12
