"""Publishers: send outbox rows to the broker and say which ones it confirmed.

`EVENT_BROKER_TYPE` picks one (kafka | rabbitmq | log); switching needs no code change.
A publisher never raises for a broker problem: it reports per row, and the caller
(`outbox_publish_due`) keeps unconfirmed rows pending for the relay.
"""

# Why this is long: three brokers (Kafka, RabbitMQ, log) behind one interface, each with its delivery
# confirmation; one file shows they answer alike.

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from community_service.outbox.envelope import envelope_build, envelope_bytes
from community_service.outbox.models import OutboxEvent

logger = logging.getLogger("community_service.outbox")


@dataclass
class PublishResult:
    confirmed: list[int] = field(default_factory=list)
    # The broker could not be reached or did not confirm in time: retried forever, with backoff.
    unavailable: dict[int, str] = field(default_factory=dict)
    # The broker (or client) refused this message: counts towards OUTBOX_MAX_ATTEMPTS.
    rejected: dict[int, str] = field(default_factory=dict)
    # Not sent because an earlier event with the same key failed in this batch (keeps order).
    held: list[int] = field(default_factory=list)


class EventPublisher(Protocol):
    name: str

    def publish(self, events: Sequence[OutboxEvent]) -> PublishResult: ...

    def close(self) -> None: ...


def message_key(event: OutboxEvent) -> str:
    return str(event.community_id or event.aggregate_id)


class LogPublisher:
    """The embedded default: one JSON log line per event; always 'confirmed'."""

    name = "log"

    def publish(self, events: Sequence[OutboxEvent]) -> PublishResult:
        for event in events:
            logger.info("domain event", extra={"event": envelope_build(event)})
        return PublishResult(confirmed=[event.pk for event in events])

    def close(self) -> None:
        pass


class KafkaPublisher:
    """confluent-kafka with acks=all and the idempotent producer; waits for delivery reports."""

    name = "kafka"

    def __init__(self, *, bootstrap_servers: str, topic_prefix: str, timeout: float, extra: dict) -> None:
        self.topic_prefix = topic_prefix
        self.timeout = timeout
        self.config = {
            "bootstrap.servers": bootstrap_servers,
            "acks": "all",
            "enable.idempotence": True,
            # Small batches for throughput; still well under the seed's 1 s promise.
            "linger.ms": 5,
            # Give up on a message after `timeout`, so a dead broker fails a publish in bounded time.
            "message.timeout.ms": int(timeout * 1000),
            "reconnect.backoff.max.ms": 1000,
            **extra,
        }
        self._producer: Any = None  # confluent_kafka.Producer, made on first use

    def topic(self, aggregate_type: str) -> str:
        return f"{self.topic_prefix}{aggregate_type}"

    def _producer_get(self):  # -> confluent_kafka.Producer
        from confluent_kafka import Producer

        if self._producer is None:
            self._producer = Producer(self.config)
        return self._producer

    def publish(self, events: Sequence[OutboxEvent]) -> PublishResult:
        from confluent_kafka import KafkaError, KafkaException

        result = PublishResult()
        reports: dict[int, KafkaError | None] = {}
        failed_keys: set[str] = set()
        sent: list[OutboxEvent] = []
        producer = self._producer_get()

        def on_delivery(outbox_id: int):
            return lambda err, msg: reports.__setitem__(outbox_id, err)

        for event in events:
            key = message_key(event)
            if key in failed_keys:
                result.held.append(event.pk)
                continue
            try:
                self._produce(producer, event, key, on_delivery(event.pk))
            except KafkaException as exc:  # refused by the client itself: too large, bad topic name
                result.rejected[event.pk] = str(exc.args[0] if exc.args else exc)
                failed_keys.add(key)
                continue
            except BufferError:
                result.unavailable[event.pk] = "local producer queue full"
                failed_keys.add(key)
                continue
            sent.append(event)
        producer.flush(self.timeout + 1)
        broken = False
        for event in sent:
            if event.pk not in reports:
                result.unavailable[event.pk] = f"no delivery report within {self.timeout:g}s"
                broken = True
                continue
            err = reports[event.pk]
            if err is None:
                result.confirmed.append(event.pk)
            elif err.fatal() or err.retriable() or err.code() in _UNAVAILABLE_CODES:
                result.unavailable[event.pk] = str(err)
                broken = True
            else:
                result.rejected[event.pk] = str(err)
        if broken:
            # Start the next attempt with a fresh producer: after an outage (or a broker that lost
            # its state) the old producer id and sequence numbers may no longer be accepted.
            self._discard()
        return result

    def _produce(self, producer, event: OutboxEvent, key: str, callback) -> None:
        args = dict(
            topic=self.topic(event.aggregate_type),
            key=key.encode(),
            value=envelope_bytes(event),
            headers=[("event_id", str(event.event_id).encode()), ("event_type", event.event_type.encode())],
            on_delivery=callback,
        )
        try:
            producer.produce(**args)
        except BufferError:
            # The local queue is full: let delivery reports drain it, then try once more.
            producer.poll(self.timeout)
            producer.produce(**args)
        producer.poll(0)

    def _discard(self) -> None:
        if self._producer is not None:
            self._producer.purge()
            self._producer.flush(0)
            self._producer = None

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(self.timeout)
            self._producer = None


def _unavailable_codes() -> set[int]:
    from confluent_kafka import KafkaError

    return {
        KafkaError._MSG_TIMED_OUT,
        KafkaError._TIMED_OUT,
        KafkaError._TRANSPORT,
        KafkaError._ALL_BROKERS_DOWN,
        KafkaError._PURGE_QUEUE,
        KafkaError._PURGE_INFLIGHT,
        KafkaError.NOT_ENOUGH_REPLICAS,
        KafkaError.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    }


_UNAVAILABLE_CODES: set[int] = _unavailable_codes()


class RabbitMQPublisher:
    """kombu (ships with Celery): topic exchange, routing key = event type, publisher confirms."""

    name = "rabbitmq"

    def __init__(self, *, url: str, exchange: str, timeout: float) -> None:
        from kombu import Exchange

        self.url = url
        self.timeout = timeout
        self.exchange = Exchange(exchange, type="topic", durable=True)
        self._connection: Any = None  # kombu.Connection and Producer, made on first use
        self._producer: Any = None

    def _producer_get(self):  # -> kombu.Producer
        from kombu import Connection, Producer

        if self._producer is None:
            # confirm_publish: basic_publish returns only after the broker acked the message.
            connection = Connection(self.url, connect_timeout=self.timeout, transport_options={"confirm_publish": True})
            connection.ensure_connection(max_retries=1, timeout=self.timeout)
            channel = connection.channel()
            self.exchange(channel).declare()
            self._connection, self._producer = connection, Producer(channel, exchange=self.exchange)
        return self._producer

    def publish(self, events: Sequence[OutboxEvent]) -> PublishResult:
        from kombu.exceptions import OperationalError

        result = PublishResult()
        try:
            producer = self._producer_get()
            for _index, event in enumerate(events):
                producer.publish(
                    envelope_bytes(event),
                    routing_key=event.event_type,
                    delivery_mode=2,  # persistent
                    content_type="application/json",
                    content_encoding="utf-8",
                    message_id=str(event.event_id),
                    headers={"event_id": str(event.event_id), "event_type": event.event_type},
                    retry=False,
                    timeout=self.timeout,
                    confirm_timeout=self.timeout,
                )
                result.confirmed.append(event.pk)
        except (OSError, OperationalError, _amqp_errors()) as exc:  # broker boundary: report, never raise
            error = f"{exc.__class__.__name__}: {exc}"
            for event in events[len(result.confirmed) :]:
                result.unavailable[event.pk] = error
            self.close()
        return result

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except (OSError, _amqp_errors()):  # already broken; nothing left to release
                pass
        self._connection = self._producer = None


def _amqp_errors() -> type[Exception]:
    from amqp.exceptions import AMQPError

    return AMQPError


_lock = threading.Lock()
_publisher: EventPublisher | None = None


def event_publisher() -> EventPublisher:
    """The process-wide publisher for EVENT_BROKER_TYPE (one producer per process)."""
    global _publisher
    with _lock:
        if _publisher is None:
            _publisher = publisher_build(settings.EVENT_BROKER_TYPE)
        return _publisher


def publisher_build(broker_type: str) -> EventPublisher:
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT
    if broker_type == "kafka":
        return KafkaPublisher(
            bootstrap_servers=settings.KAFKA_BOOTSTRAP_SERVERS,
            topic_prefix=settings.KAFKA_TOPIC_PREFIX,
            timeout=timeout,
            extra=settings.KAFKA_PRODUCER_CONFIG,
        )
    if broker_type == "rabbitmq":
        return RabbitMQPublisher(url=settings.RABBITMQ_URL, exchange=settings.RABBITMQ_EXCHANGE, timeout=timeout)
    if broker_type == "log":
        return LogPublisher()
    raise ValueError(f"EVENT_BROKER_TYPE must be kafka, rabbitmq or log, not {broker_type!r}.")


def event_publisher_close() -> None:
    """Flush and drop the process's publisher (worker shutdown, settings change)."""
    global _publisher
    with _lock:
        if _publisher is not None:
            _publisher.close()
        _publisher = None


@receiver(setting_changed)
def _publisher_reset(*, setting: str, **kwargs: object) -> None:
    # Tests (and only tests) change broker settings at runtime.
    if setting.startswith(("EVENT_BROKER", "KAFKA_", "RABBITMQ_", "OUTBOX_")):
        event_publisher_close()


def json_line(envelope: dict) -> str:
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
