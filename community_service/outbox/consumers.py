"""The reference consumer behind `manage.py consume_events`: read envelopes, drop duplicates.

Delivery is at-least-once, so every consumer keeps the event_ids it has handled and skips
a message it has seen (here an in-memory set; a real consumer stores them with its writes).
"""

import json
import time
import uuid
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from community_service.outbox.catalogue import Aggregate


class BrokerUnreachable(Exception):
    """The broker could not be reached or refused the connection; the message says which and why."""


def kafka_topics(prefix: str) -> list[str]:
    return [f"{prefix}{aggregate}" for aggregate in Aggregate]


def kafka_envelopes(
    *, bootstrap_servers: str, topics: list[str], from_beginning: bool, idle_timeout: float | None
) -> Generator[dict[str, Any], None, None]:
    """Envelopes from every partition of `topics`; stops after `idle_timeout` s without one."""
    from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaException, TopicPartition

    # Partitions are assigned directly (no consumer group): nothing to join, nothing committed,
    # and every run sees every partition.
    consumer = Consumer({
        "bootstrap.servers": bootstrap_servers,
        "group.id": f"consume-events-{uuid.uuid4().hex[:8]}",
        "enable.auto.commit": False,
        "topic.metadata.refresh.interval.ms": 5000,
        # librdkafka would print a line to stderr per failed connect attempt (every 50 ms);
        # an unreachable broker ends the command with one line instead (BrokerUnreachable).
        "log_level": 0,
    })
    assigned: set[str] = set()
    offset = OFFSET_BEGINNING if from_beginning else OFFSET_END

    def assign_new_topics() -> None:
        try:
            metadata = consumer.list_topics(timeout=5)
        except KafkaException as exc:
            error = exc.args[0].str() if exc.args and hasattr(exc.args[0], "str") else str(exc)
            raise BrokerUnreachable(f"Kafka at {bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS): {error}") from exc
        new = [topic for topic in topics if topic in metadata.topics and topic not in assigned]
        partitions = [TopicPartition(t, p, offset) for t in new for p in metadata.topics[t].partitions]
        if partitions:
            consumer.incremental_assign(partitions)
            assigned.update(new)

    try:
        assign_new_topics()
        last_message = last_refresh = time.monotonic()
        while idle_timeout is None or time.monotonic() - last_message < idle_timeout:
            if len(assigned) < len(topics) and time.monotonic() - last_refresh > 5:
                assign_new_topics()
                last_refresh = time.monotonic()
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            last_message = time.monotonic()
            yield json.loads(message.value())  # type: ignore[arg-type]  # our producer never sends a null value
    finally:
        consumer.close()


def rabbitmq_envelopes(
    *, url: str, exchange: str, routing_key: str, idle_timeout: float | None
) -> Generator[dict[str, Any], None, None]:
    """Envelopes routed to a temporary queue bound to the topic exchange from now on."""

    from kombu import Connection, Exchange, Queue

    received: list[dict[str, Any]] = []
    with Connection(url) as connection:
        try:
            channel = connection.channel()
        except connection.connection_errors as exc:
            raise BrokerUnreachable(f"RabbitMQ at {_without_password(url)} (RABBITMQ_URL): {exc}") from exc
        queue = Queue(
            f"consume-events-{uuid.uuid4().hex[:8]}",
            Exchange(exchange, type="topic", durable=True),
            routing_key=routing_key,
            exclusive=True,
            auto_delete=True,
        )

        def on_message(body: Any, message: Any) -> None:
            received.append(json.loads(message.body))
            message.ack()

        # Keyword arguments: Connection.Consumer's first positional parameter is `queues`.
        with connection.Consumer(queues=[queue], channel=channel, callbacks=[on_message], accept=["json"]):
            last_message = time.monotonic()
            while idle_timeout is None or time.monotonic() - last_message < idle_timeout:
                try:
                    connection.drain_events(timeout=0.5)
                except TimeoutError:
                    continue
                last_message = time.monotonic()
                while received:
                    yield received.pop(0)


def _without_password(url: str) -> str:
    """`url` fit for a message: the password left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
