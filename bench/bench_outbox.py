"""Outbox benchmark: relay throughput to Kafka and commit-to-broker latency with a worker.

    .venv/bin/python bench/bench_outbox.py            # or: make bench

Uses this machine's PostgreSQL (database community_service_bench, migrated here), Redis
(Celery broker, db 14) and a Tansu broker started on a free loopback port. Results go to
docs/performance.md by hand.
"""

import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community_service_bench")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"


def setup_django() -> None:
    from community_service.devtools.cli import _ensure_database

    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", BENCH_DATABASE_URL.rsplit("/", 1)[1])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def relay_throughput(*, bootstrap: str, events: int = 10_000, batch_size: int = 1000) -> dict:
    """Rows already committed (as after an outage); time the relay draining them to Kafka."""
    from django.conf import settings
    from django.utils import timezone

    from community_service.outbox.models import OutboxEvent
    from community_service.outbox.publishers import event_publisher_close
    from community_service.outbox.services import outbox_publish_due
    from tests.outbox.brokers import kafka_read

    settings.EVENT_BROKER_TYPE, settings.KAFKA_BOOTSTRAP_SERVERS = "kafka", bootstrap
    settings.KAFKA_TOPIC_PREFIX = prefix = f"bench{uuid.uuid4().hex[:6]}."
    event_publisher_close()
    OutboxEvent.objects.all().delete()
    communities = [uuid.uuid4() for _ in range(100)]
    now = timezone.now()
    # bulk_create skips the on-commit hook: these rows wait for the relay, as after an outage.
    OutboxEvent.objects.bulk_create(
        OutboxEvent(
            event_type="community.updated", aggregate_type="community", aggregate_id=str(c), community_id=c,
            payload={"community_id": str(c), "owner_id": str(uuid.uuid4()), "name": f"Community {i}",
                     "slug": f"community-{i}", "changed": ["description"]},
            metadata={"request_id": str(uuid.uuid4()), "actor_id": str(uuid.uuid4()), "schema_version": 1},
            created_at=now, next_attempt_at=now,
        )
        for i, c in enumerate(communities[i % 100] for i in range(events))
    )
    started = time.perf_counter()
    stats = outbox_publish_due(batch_size=batch_size, min_age=0)
    elapsed = time.perf_counter() - started
    assert stats.published == events, stats
    received = kafka_read(bootstrap, [f"{prefix}community"], expect=events, timeout=60)
    assert len({r.envelope["event_id"] for r in received}) == events
    return {"events": events, "batch_size": batch_size, "seconds": round(elapsed, 3),
            "events_per_second": round(events / elapsed)}


def commit_to_broker_latency(*, bootstrap: str, writes: int = 500, rate: float = 50.0) -> dict:
    """Writes through the community service; a real worker publishes; a consumer times arrival."""
    from confluent_kafka import OFFSET_END, Consumer, TopicPartition
    from django.conf import settings
    from django.db import connection

    from communities.services import community_create, community_update
    from community_service.celery import app as celery_app
    from members.models import User
    from tests.outbox.brokers import CELERY_TEST_BROKER_URL, CeleryWorker, celery_purge

    prefix = f"lat{uuid.uuid4().hex[:6]}."
    settings.KAFKA_TOPIC_PREFIX = prefix
    topic = f"{prefix}community"
    celery_purge()
    celery_app.conf.update(task_always_eager=False, broker_url=CELERY_TEST_BROKER_URL)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    worker = CeleryWorker(
        {"DATABASE_URL": BENCH_DATABASE_URL, "EVENT_BROKER_TYPE": "kafka", "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
         "KAFKA_TOPIC_PREFIX": prefix, "LOG_LEVEL": "WARNING"},
        concurrency=2,
    ).start()
    owner = User.objects.create_user(username=f"bench{uuid.uuid4().hex[:6]}", email=f"{uuid.uuid4().hex}@x.io",
                                     password="x" * 12)
    community = community_create(owner=owner, name="Latency", community_type="public")
    time.sleep(1)  # the topic exists now; start reading at its end

    arrived: dict[str, float] = {}
    stop = threading.Event()
    # Short fetch waits: measure when the broker has the event, not how long a fetch idles.
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 10})
    partitions = consumer.list_topics(topic, timeout=5).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_END) for p in partitions])

    def consume() -> None:
        import json

        while not stop.is_set():
            message = consumer.poll(0.05)
            if message is not None and not message.error():
                arrived.setdefault(json.loads(message.value())["event_id"], time.time())

    reader = threading.Thread(target=consume, daemon=True)
    reader.start()
    time.sleep(1)  # let the consumer fetch its first (empty) batch
    committed: dict[str, float] = {}
    try:
        for i in range(writes):
            community_update(community=community, data={"description": f"revision {i}"})
            committed[_latest_event_id(connection)] = time.time()
            time.sleep(1 / rate)
        deadline = time.monotonic() + 30
        while len(set(committed) & set(arrived)) < writes and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        reader.join()
        consumer.close()
        worker.stop()
    latencies = sorted(arrived[e] - committed[e] for e in committed if e in arrived)
    assert len(latencies) == writes, f"{len(latencies)} of {writes} arrived"
    quantile = statistics.quantiles(latencies, n=100)
    return {"writes": writes, "rate_per_second": rate, "p50_ms": round(quantile[49] * 1000, 1),
            "p95_ms": round(quantile[94] * 1000, 1), "p99_ms": round(quantile[98] * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1)}


def _latest_event_id(connection) -> str:
    from community_service.outbox.models import OutboxEvent

    return str(OutboxEvent.objects.filter(event_type="community.updated").latest("id").event_id)


def main() -> dict:
    setup_django()
    from tests.outbox.brokers import TansuBroker

    broker = TansuBroker().start()
    try:
        results = {
            "relay_batch_500": relay_throughput(bootstrap=broker.bootstrap, batch_size=500),
            "relay_batch_1000": relay_throughput(bootstrap=broker.bootstrap, batch_size=1000),
            "latency": commit_to_broker_latency(bootstrap=broker.bootstrap),
        }
    finally:
        broker.stop()
    for name, result in results.items():
        print(name, result)
    return results


if __name__ == "__main__":
    main()
