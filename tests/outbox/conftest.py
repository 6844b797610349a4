import uuid
from collections.abc import Iterator

import pytest

from community_service.celery import app as celery_app
from community_service.outbox.publishers import event_publisher_close
from community_service.outbox.services import outbox_breaker_reset
from community_service.outbox.subscribers import subscriber_register, subscriber_unregister, subscribers
from tests.outbox.brokers import CELERY_TEST_BROKER_URL, TansuBroker, celery_purge


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[TansuBroker]:
    """One Tansu broker for the session (memory storage, loopback, a free port)."""
    broker = TansuBroker().start()
    yield broker
    broker.stop()


@pytest.fixture(autouse=True)
def _fresh_publisher() -> Iterator[None]:
    # The publisher and the broker-down breaker are per process; no test inherits another's.
    outbox_breaker_reset()
    event_publisher_close()
    yield
    event_publisher_close()
    outbox_breaker_reset()


@pytest.fixture
def kafka_settings(settings, kafka_broker: TansuBroker):
    """Publish to the session's broker, on topics no other test uses."""
    if kafka_broker.process is None:
        kafka_broker.start()
    settings.EVENT_BROKER_TYPE = "kafka"
    settings.KAFKA_BOOTSTRAP_SERVERS = kafka_broker.bootstrap
    settings.KAFKA_TOPIC_PREFIX = f"t{uuid.uuid4().hex[:8]}."
    settings.OUTBOX_PUBLISH_TIMEOUT = 3.0
    return settings


@pytest.fixture
def rabbitmq_settings(settings):
    settings.EVENT_BROKER_TYPE = "rabbitmq"
    settings.RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
    settings.RABBITMQ_EXCHANGE = f"test-events-{uuid.uuid4().hex[:8]}"
    return settings


@pytest.fixture
def celery_via_redis() -> Iterator[str]:
    """Enqueue tasks to Redis for a real worker instead of running them eagerly."""
    celery_purge()
    previous = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.update(task_always_eager=False, broker_url=CELERY_TEST_BROKER_URL)
    _drop_connection_pools()
    yield CELERY_TEST_BROKER_URL
    celery_app.conf.update(task_always_eager=previous[0], broker_url=previous[1])
    _drop_connection_pools()
    celery_purge()


def _drop_connection_pools() -> None:
    # Pools are built from the broker URL on first use; rebuild them for the new one.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _only_the_tests_subscribers(request: pytest.FixtureRequest) -> Iterator[None]:
    """test_subscribers.py checks the mechanism with its own subscribers alone: the service's
    (the webhooks publisher, community_service/webhooks) step aside while it runs."""
    if not request.module.__name__.endswith("test_subscribers"):
        yield
        return
    saved = subscribers()
    for name in saved:
        subscriber_unregister(name)
    yield
    for name, subscriber in saved.items():
        subscriber_register(name, subscriber.handler, event_types=subscriber.event_types)
