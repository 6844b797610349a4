"""Domain events settings: the broker events are published to (log, Kafka or RabbitMQ) and the outbox relay."""

from community_service.settings.core import env

EVENT_BROKER_TYPE = env.str("EVENT_BROKER_TYPE", default="log")
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", default="localhost:9092")
KAFKA_TOPIC_PREFIX = env.str("KAFKA_TOPIC_PREFIX", default="community-service.")
RABBITMQ_URL = env.str("RABBITMQ_URL", default="amqp://guest:guest@localhost:5672/")
RABBITMQ_EXCHANGE = env.str("RABBITMQ_EXCHANGE", default="community-service.events")
# Extra librdkafka producer options as JSON, e.g. {"security.protocol": "SASL_SSL", ...}.
KAFKA_PRODUCER_CONFIG = env.json("KAFKA_PRODUCER_CONFIG", default={})
# Outbox (docs/events.md): how long a publish waits for broker confirmation, relay batches,
# backoff, and when a message the broker keeps refusing is given up on (status failed).
OUTBOX_PUBLISH_TIMEOUT = env.float("OUTBOX_PUBLISH_TIMEOUT", default=5.0)
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=500)
OUTBOX_RELAY_INTERVAL_SECONDS = env.float("OUTBOX_RELAY_INTERVAL_SECONDS", default=5.0)
OUTBOX_RELAY_MIN_AGE_SECONDS = env.float("OUTBOX_RELAY_MIN_AGE_SECONDS", default=3.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_BACKOFF_BASE_SECONDS = env.float("OUTBOX_BACKOFF_BASE_SECONDS", default=1.0)
OUTBOX_BACKOFF_MAX_SECONDS = env.float("OUTBOX_BACKOFF_MAX_SECONDS", default=300.0)
OUTBOX_LOCK_WAIT_SECONDS = env.float("OUTBOX_LOCK_WAIT_SECONDS", default=2.0)
OUTBOX_BREAKER_SECONDS = env.float("OUTBOX_BREAKER_SECONDS", default=5.0)
# /health/ready turns 503 when the oldest pending event is older than this (0: never).
OUTBOX_LAG_ALERT_SECONDS = env.int("OUTBOX_LAG_ALERT_SECONDS", default=900)
# Published rows are kept this long (for audits and replays), then pruned daily.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# In-process subscribers (community_service/outbox/subscribers.py): rows per dispatch
# transaction, the sweep's period, and how often a handler may raise before its row is failed.
OUTBOX_SUBSCRIBER_BATCH_SIZE = env.int("OUTBOX_SUBSCRIBER_BATCH_SIZE", default=200)
OUTBOX_SUBSCRIBER_SWEEP_SECONDS = env.float("OUTBOX_SUBSCRIBER_SWEEP_SECONDS", default=10.0)
OUTBOX_SUBSCRIBER_MAX_ATTEMPTS = env.int("OUTBOX_SUBSCRIBER_MAX_ATTEMPTS", default=10)
