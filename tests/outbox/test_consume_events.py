"""`manage.py consume_events` as an operator runs it: a separate process against the real brokers."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from communities.services import community_create, community_update
from community_service.outbox.models import OutboxEvent
from community_service.outbox.publishers import RabbitMQPublisher
from tests.factories import UserFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(__file__).resolve().parents[2]


def consume_events(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), "consume_events", *args],
        cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "community_service.settings_test", **env},
    )


def test_consume_events_follows_rabbitmq_and_prints_each_event_once(rabbitmq_settings):
    owner = UserFactory()
    community = community_create(owner=owner, name="Rabbit hole", community_type="public")
    community_update(community=community, data={"name": "Deeper rabbit hole"})
    rows = list(OutboxEvent.objects.filter(community_id=community.pk, aggregate_type="community").order_by("id"))
    process = consume_events(
        "--broker=rabbitmq", "--routing-key=community.*", "--max-messages=2", "--timeout=20",
        env={"RABBITMQ_URL": rabbitmq_settings.RABBITMQ_URL, "RABBITMQ_EXCHANGE": rabbitmq_settings.RABBITMQ_EXCHANGE},
    )
    publisher = RabbitMQPublisher(url=rabbitmq_settings.RABBITMQ_URL, exchange=rabbitmq_settings.RABBITMQ_EXCHANGE,
                                  timeout=3)
    try:
        # The consumer's queue exists only once it is bound: send the same two events until it
        # has printed two; the copies it sees are redeliveries it must drop (same event_id).
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            assert publisher.publish(rows).confirmed == [row.pk for row in rows]
            time.sleep(0.3)
        out, err = process.communicate(timeout=10)
    finally:
        publisher.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event_type"] for line in lines] == ["community.created", "community.updated"]
    assert [line["event_id"] for line in lines] == [str(row.event_id) for row in rows]


def test_consume_events_stops_after_timeout_without_messages(rabbitmq_settings):
    started = time.monotonic()
    process = consume_events(
        "--broker=rabbitmq", "--timeout=1",
        env={"RABBITMQ_URL": rabbitmq_settings.RABBITMQ_URL, "RABBITMQ_EXCHANGE": rabbitmq_settings.RABBITMQ_EXCHANGE},
    )
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out == "" and time.monotonic() - started < 20


def test_consume_events_reads_kafka_from_the_beginning_in_another_process(kafka_settings):
    owner = UserFactory()
    community = community_create(owner=owner, name="Stream", community_type="public")
    community_update(community=community, data={"name": "Stream of events"})
    process = consume_events(
        "--broker=kafka", f"--topic={kafka_settings.KAFKA_TOPIC_PREFIX}community", "--from-beginning",
        "--max-messages=2", "--timeout=15",
        env={"KAFKA_BOOTSTRAP_SERVERS": kafka_settings.KAFKA_BOOTSTRAP_SERVERS,
             "KAFKA_TOPIC_PREFIX": kafka_settings.KAFKA_TOPIC_PREFIX},
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event_type"] for line in lines] == ["community.created", "community.updated"]
    assert {line["payload"]["community_id"] for line in lines} == {str(community.pk)}
