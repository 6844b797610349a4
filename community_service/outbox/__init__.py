"""Domain events: transactional outbox → Celery → Kafka / RabbitMQ / log. See docs/events.md.

Services call `outbox_record(...)` (from `community_service.outbox.services`) inside
their transaction; everything after that is this package's job.
"""
