"""The outbox against real brokers: Tansu (Kafka API) started by the session, this machine's
RabbitMQ and Redis, and a real Celery worker process."""

import io
import json
import re
import time
import uuid
from collections import defaultdict

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from kombu import Connection, Exchange, Queue

from communities.services import community_create, community_update
from community_service.outbox.models import OutboxEvent, OutboxStatus
from community_service.outbox.services import OUTBOX_LOCK_KEY, outbox_publish_due, outbox_record, outbox_relay
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.outbox.brokers import CeleryWorker, kafka_read
from tests.routes import url_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_seed_envelope(envelope: dict, *, event_type: str) -> None:
    assert set(envelope) == {"event_id", "event_type", "timestamp", "service", "payload", "metadata"}
    assert uuid.UUID(envelope["event_id"])
    assert envelope["event_type"] == event_type
    assert ISO_UTC.match(envelope["timestamp"])
    assert envelope["service"] == "community-service"
    assert set(envelope["metadata"]) == {"request_id", "actor_id", "schema_version"}


def test_community_created_via_the_api_arrives_on_kafka_with_the_seed_envelope(kafka_settings):
    owner = UserFactory()
    response = client_for(owner).post(url_for("community-list"), {"name": "Python Developers"}, HTTP_X_REQUEST_ID="r-1")
    assert response.status_code == 201
    community_id = response.json()["id"]
    row = OutboxEvent.objects.get(community_id=community_id, event_type="community.created")
    # Published by the after-commit task, before the response was even read.
    assert row.status == OutboxStatus.PUBLISHED and row.published_at is not None

    topic = f"{kafka_settings.KAFKA_TOPIC_PREFIX}community"
    [record] = kafka_read(kafka_settings.KAFKA_BOOTSTRAP_SERVERS, [topic], expect=1)
    assert_seed_envelope(record.envelope, event_type="community.created")
    assert record.envelope["event_id"] == str(row.event_id) == record.headers["event_id"]
    assert record.key == community_id
    assert record.envelope["payload"] == {
        "community_id": community_id, "owner_id": str(owner.pk), "name": "Python Developers",
        "slug": response.json()["slug"], "community_type": "public",
    }
    assert record.envelope["metadata"] == {"request_id": "r-1", "actor_id": str(owner.pk), "schema_version": 1}


def test_community_created_via_the_api_arrives_on_rabbitmq_with_the_seed_envelope(rabbitmq_settings):
    received = []
    with Connection(rabbitmq_settings.RABBITMQ_URL) as conn:
        exchange = Exchange(rabbitmq_settings.RABBITMQ_EXCHANGE, type="topic", durable=True)
        queue = Queue(f"test-{uuid.uuid4().hex[:8]}", exchange, routing_key="community.*", exclusive=True,
                      auto_delete=True)
        queue(conn.channel()).declare()
        owner = UserFactory()
        response = client_for(owner).post(url_for("community-list"), {"name": "Rabbits"})
        assert response.status_code == 201
        with conn.Consumer(queue, callbacks=[lambda body, message: (received.append(message), message.ack())],
                           accept=["json"]):
            deadline = time.monotonic() + 10
            while not received and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
        exchange(conn.channel()).delete()
    [message] = received
    envelope = json.loads(message.body)
    assert_seed_envelope(envelope, event_type="community.created")
    assert message.delivery_info["routing_key"] == "community.created"
    assert message.properties["delivery_mode"] == 2
    assert envelope["payload"]["community_id"] == response.json()["id"]
    assert OutboxEvent.objects.get(event_id=envelope["event_id"]).status == OutboxStatus.PUBLISHED


def test_broker_outage_delays_events_but_loses_none_and_keeps_per_community_order(kafka_settings, kafka_broker):
    kafka_settings.OUTBOX_PUBLISH_TIMEOUT = 1.5
    kafka_settings.OUTBOX_BREAKER_SECONDS = 600
    kafka_broker.stop()
    owners = [UserFactory() for _ in range(5)]
    communities = [community_create(owner=o, name=f"Outage {i}", community_type="public") for i, o in enumerate(owners)]
    for i in range(495):
        community_update(community=communities[i % 5], data={"description": f"during outage {i}"})
    rows = list(OutboxEvent.objects.filter(aggregate_type="community", community_id__in=[c.pk for c in communities])
                .order_by("id"))
    assert len(rows) == 500 and all(row.status == OutboxStatus.PENDING for row in rows)

    kafka_broker.start()
    deadline = time.monotonic() + 30
    while OutboxEvent.objects.filter(status=OutboxStatus.PENDING).exists() and time.monotonic() < deadline:
        call_command("relay_outbox", "--min-age=0", stdout=io.StringIO())
        time.sleep(0.2)
    assert not OutboxEvent.objects.filter(status=OutboxStatus.PENDING).exists()

    topic = f"{kafka_settings.KAFKA_TOPIC_PREFIX}community"
    records = kafka_read(kafka_settings.KAFKA_BOOTSTRAP_SERVERS, [topic], expect=500, timeout=20)
    expected = {str(row.event_id): row for row in rows}
    bodies: dict[str, set[str]] = defaultdict(set)
    for record in records:
        bodies[record.envelope["event_id"]].add(json.dumps(record.envelope, sort_keys=True))
    assert set(bodies) == set(expected)  # 0 lost, nothing foreign
    assert all(len(versions) == 1 for versions in bodies.values())  # a duplicate is the same event
    for community in communities:
        mine = [r for r in sorted(records, key=lambda r: (r.partition, r.offset))
                if r.envelope["payload"]["community_id"] == str(community.pk)]
        assert len({r.partition for r in mine}) == 1
        first_seen = list(dict.fromkeys(r.envelope["event_id"] for r in mine))
        committed_order = [str(row.event_id) for row in rows if row.community_id == community.pk]
        assert first_seen == committed_order


def test_worker_killed_after_producing_and_before_marking_leads_to_a_duplicate_not_a_loss(
    kafka_settings, celery_via_redis
):
    # The API write enqueues its publish task in Redis; no worker is running yet.
    response = client_for(UserFactory()).post(url_for("community-list"), {"name": "Crash"})
    row = OutboxEvent.objects.get(community_id=response.json()["id"], event_type="community.created")
    assert row.status == OutboxStatus.PENDING

    # SHARE lets the worker lock and read the row but blocks its UPDATE: it will produce,
    # get the delivery report, and then wait right before marking the row published.
    database = connection.settings_dict
    blocker = psycopg.connect(host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
                              user=database["USER"], dbname=database["NAME"], password=database["PASSWORD"] or None)
    blocker.execute("LOCK TABLE community_service_outboxevent IN SHARE MODE")
    worker = CeleryWorker({
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "EVENT_BROKER_TYPE": "kafka",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.KAFKA_BOOTSTRAP_SERVERS,
        "KAFKA_TOPIC_PREFIX": kafka_settings.KAFKA_TOPIC_PREFIX,
    })
    topic = f"{kafka_settings.KAFKA_TOPIC_PREFIX}community"
    try:
        worker.start()
        # A cold worker on a loaded machine can take long to start; reading stops at the first record.
        first = kafka_read(kafka_settings.KAFKA_BOOTSTRAP_SERVERS, [topic], expect=1, timeout=90)
        assert [r.envelope["event_id"] for r in first] == [str(row.event_id)]
        worker.kill()
    finally:
        worker.kill()
        blocker.rollback()
        blocker.close()

    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING  # the mark died with the worker
    outbox_relay(min_age=0)
    records = kafka_read(kafka_settings.KAFKA_BOOTSTRAP_SERVERS, [topic], expect=2, timeout=10)
    assert [r.envelope["event_id"] for r in records] == [str(row.event_id)] * 2
    assert records[0].envelope == records[1].envelope
    row.refresh_from_db()
    assert row.status == OutboxStatus.PUBLISHED


def test_a_message_the_broker_keeps_refusing_is_failed_after_max_attempts_and_retry_failed_resends_it(
    kafka_settings
):
    kafka_settings.OUTBOX_MAX_ATTEMPTS = 2
    kafka_settings.OUTBOX_BACKOFF_BASE_SECONDS = 0
    community = community_create(owner=UserFactory(), name="Big", community_type="public")
    with transaction.atomic():
        big = outbox_record(event_type="post.created", aggregate_type="post", aggregate_id="p1",
                            community_id=community.pk,
                            payload={"community_id": community.pk, "post_id": "p1", "author_id": "u1",
                                     "channel_id": None, "title": "t" * 2000})
    community_update(community=community, data={"name": "Small"})
    after = OutboxEvent.objects.get(event_type="community.updated")
    OutboxEvent.objects.filter(pk__in=[big.pk, after.pk]).update(status=OutboxStatus.PENDING)
    # The smallest limit librdkafka allows; the big event breaks it: a refusal no retry fixes.
    kafka_settings.KAFKA_PRODUCER_CONFIG = {"message.max.bytes": 1000}
    outbox_publish_due()
    outbox_publish_due()
    big.refresh_from_db()
    after.refresh_from_db()
    assert big.status == OutboxStatus.FAILED and big.attempts == 2 and "size" in big.last_error.lower()
    # While the big one was retried, the later event of the same community waited (order).
    assert after.status == OutboxStatus.PUBLISHED and after.published_at > big.created_at

    kafka_settings.KAFKA_PRODUCER_CONFIG = {}
    out = io.StringIO()
    call_command("relay_outbox", "--retry-failed", "--min-age=0", stdout=out)
    assert "requeued 1" in out.getvalue()
    big.refresh_from_db()
    assert big.status == OutboxStatus.PUBLISHED
    topic = f"{kafka_settings.KAFKA_TOPIC_PREFIX}post"
    records = kafka_read(kafka_settings.KAFKA_BOOTSTRAP_SERVERS, [topic], expect=1)
    assert str(big.event_id) in [r.envelope["event_id"] for r in records]


def test_consume_events_prints_each_event_once_even_when_delivered_twice(kafka_settings):
    owner = UserFactory()
    community = community_create(owner=owner, name="Watched", community_type="public")
    community_update(community=community, data={"name": "Watched closely"})
    # Deliver both again, as a relay would after a crash: same event_ids, second copies.
    OutboxEvent.objects.filter(community_id=community.pk, aggregate_type="community").update(
        status=OutboxStatus.PENDING
    )
    assert outbox_publish_due().published == 2
    out = io.StringIO()
    topic = f"{kafka_settings.KAFKA_TOPIC_PREFIX}community"
    call_command("consume_events", "--broker=kafka", f"--topic={topic}", "--from-beginning", "--timeout=3",
                 stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["event_type"] for line in lines] == ["community.created", "community.updated"]
    assert len({line["event_id"] for line in lines}) == 2


def test_while_another_process_publishes_a_relay_backs_off_instead_of_sending_the_same_rows(kafka_settings):
    community_create(owner=UserFactory(), name="Locked", community_type="public")
    OutboxEvent.objects.update(status=OutboxStatus.PENDING)
    pending = OutboxEvent.objects.count()
    settings_dict = connection.settings_dict
    other = psycopg.connect(host=settings_dict["HOST"] or "127.0.0.1", user=settings_dict["USER"],
                            dbname=settings_dict["NAME"], autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", [OUTBOX_LOCK_KEY])  # another publisher is at work
    try:
        busy = outbox_publish_due(lock_wait=0.3)
    finally:
        other.close()
    assert busy.lock_busy and busy.published == 0
    assert outbox_publish_due(lock_wait=0.3).published == pending
