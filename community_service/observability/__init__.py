"""Observability room: what the service says about itself.

Owns structured logging (logging.py), Prometheus metrics and /metrics (metrics.py), the
request and Celery task context that tags every log line (request_context.py,
task_context.py), /health and /health/ready (health.py) and `check_services`
(service_checks.py). It sits just above settings: every other room may log and count
through it, and it imports none of them except the outbox's read-only lag selector.
"""
